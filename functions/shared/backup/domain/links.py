"""Decision links: what an emailed link may do, and why a dead one is dead.

A link carries only a random id; the task token stays server-side. A link is bound to one
step of one person or proposal, is used once, and dies when its step ends in any other way.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from enum import Enum

from pydantic import BaseModel, ConfigDict, Field

from backup.domain import clock
from backup.domain.kinds import Party, RecordKind
from backup.domain.stages import Stage

# 32 random bytes: 256 bits, far beyond guessing, and URL-safe as text.
LINK_BYTES = 32


def new_link_id() -> str:
    return secrets.token_urlsafe(LINK_BYTES)


class LinkStatus(str, Enum):
    OPEN = "OPEN"
    USED = "USED"
    INVALIDATED = "INVALIDATED"


class LinkKind(str, Enum):
    DECISION = "DECISION"  # a consultant decides a screening step
    WITHDRAW = "WITHDRAW"  # the applicant withdraws
    OPS = "OPS"  # ops choose to retry a failed task or end the journey
    PROPOSAL = "PROPOSAL"  # a consultant chooses a volunteer for a young person (or none)
    INTRO = "INTRO"  # a consultant records the introduction meeting
    CONTINUE = "CONTINUE"  # the young person or the volunteer says whether to go on
    RENEWAL = "RENEWAL"  # a consultant records a volunteer's renewed child-protection certificate
    ACTIVITY = "ACTIVITY"  # a consultant says whether someone not heard from in a long time carries on


class Link(BaseModel):
    """One emailed link: what it decides, for whom, until when, and what became of it."""

    model_config = ConfigDict(frozen=True)

    link_id: str
    kind: LinkKind
    record_kind: RecordKind  # whose record the link is about: a person's, or a proposal's
    record_id: str
    stage: Stage | None = None
    sent_to: str
    created_at: datetime
    expires_at: datetime
    status: LinkStatus = LinkStatus.OPEN
    # the wait it resumes; stays server-side, never in a page, an email or a log
    task_token: str | None = Field(default=None, repr=False)
    # set when used
    decision: str | None = None
    decided_by: str | None = None
    decided_at: datetime | None = None
    # set when invalidated
    invalid_reason: str | None = None
    # ops links: what failed
    failed_state: str | None = None
    error: str | None = None
    # the two "continue?" links of a proposal: whose answer
    party: Party | None = None

    @property
    def is_open(self) -> bool:
        return self.status is LinkStatus.OPEN

    @property
    def is_used(self) -> bool:
        return self.status is LinkStatus.USED and bool(self.decision)


class DeadLink(Exception):
    """A link that cannot be used; carries the HTTP status and a Danish explanation."""

    status_code = 404
    title = "Linket findes ikke"

    def __init__(self, message: str, link: Link | None = None):
        super().__init__(message)
        self.message = message
        self.link = link


class UnknownLink(DeadLink):
    status_code = 404
    title = "Linket findes ikke"


class UsedLink(DeadLink):
    status_code = 409
    title = "Trinnet er allerede afgjort"


class ExpiredLink(DeadLink):
    status_code = 410
    title = "Linket er udløbet"


class InvalidatedLink(DeadLink):
    status_code = 410
    title = "Linket er ikke længere gyldigt"


INVALID_REASONS = {
    "withdrawn": "Ansøgeren har trukket sin ansøgning tilbage.",
    "reassigned": "Trinnet er flyttet til en anden konsulent.",
    "timed_out": "Trinnet ventede for længe og er sendt videre til programmets drift.",
    "resent": "Der er sendt et nyt link til dette trin; brug det nyeste.",
    "step_closed": "Trinnet venter ikke længere på en afgørelse.",
    "decided": "Ansøgningen er afgjort.",
}


def check_usable(link: Link | None, at: datetime) -> Link:
    """Return the link if it can still decide its step; otherwise raise why not."""
    if link is None:
        raise UnknownLink("Vi kan ikke finde dette link. Tjek, at hele adressen fra e-mailen er kopieret med.")
    if link.status is LinkStatus.USED:
        when = f"den {clock.danish(link.decided_at)}" if link.decided_at else "tidligere"
        raise UsedLink(f"Trinnet blev afgjort af {link.decided_by} {when}.", link)
    if link.status is LinkStatus.INVALIDATED:
        reason = INVALID_REASONS.get(link.invalid_reason or "", "Linket er ikke længere gyldigt.")
        raise InvalidatedLink(reason, link)
    if at >= link.expires_at:
        raise ExpiredLink("Linket er udløbet. Kontakt programmets drift, hvis trinnet stadig skal afgøres.", link)
    return link
