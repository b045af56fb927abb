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
    ROLES = "ROLES"  # a consultant records the roles agreed with the contact adult (a match's support)
    ROLES_CONFIRM = "ROLES_CONFIRM"  # the contact adult confirms the agreed roles
    CHECK_IN = "CHECK_IN"  # a consultant records a check-in with a match
    CLOSURE = "CLOSURE"  # a consultant records the end of a match: reason, exit conversations, what next
    CONCERN = "CONCERN"  # "Jeg er bekymret": the young person, the volunteer or the contact adult (reusable)
    CONCERN_DECISION = "CONCERN_DECISION"  # a consultant decides on a concern: continue, pause or end
    PULSE = "PULSE"  # the volunteer or the young person answers "hvordan går det?" (monthly)


class Link(BaseModel):
    """One emailed link: what it decides, for whom, until when, and what became of it."""

    model_config = ConfigDict(frozen=True, defer_build=True)

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


# The links a young person, a volunteer or a contact adult follows; every other link is staff's.
PEOPLES_LINKS = frozenset(
    {LinkKind.CONTINUE, LinkKind.WITHDRAW, LinkKind.ROLES_CONFIRM, LinkKind.CONCERN, LinkKind.PULSE}
)


def for_staff(link: Link) -> bool:
    """Whether the link's reader is staff (a consultant or ops) rather than the person it is about."""
    return link.kind not in PEOPLES_LINKS


class DeadLink(Exception):
    """A link that cannot be used; carries the HTTP status and a Danish explanation for its reader."""

    status_code = 404
    title = "Linket findes ikke"

    def __init__(self, message: str, link: Link | None = None, title: str | None = None):
        super().__init__(message)
        self.message = message
        self.link = link
        if title:
            self.title = title


class UnknownLink(DeadLink):
    status_code = 404
    title = "Vi kan ikke finde linket"


class UsedLink(DeadLink):
    status_code = 409
    title = "Trinnet er allerede afgjort"


class ExpiredLink(DeadLink):
    status_code = 410
    title = "Linket er udløbet"


class InvalidatedLink(DeadLink):
    status_code = 410
    title = "Linket er ikke længere gyldigt"


# What the person reading a dead link can do; staff can ask ops for a new link, a person is
# contacted by their consultant.
NOTHING_MORE = "Du skal ikke gøre mere."
CONSULTANT_CALLS = "Du skal ikke gøre mere; din konsulent i Røde Kors kontakter dig om det videre forløb."
ASK_OPS = "Skal trinnet stadig afgøres, så bed programmets drift om at sende et nyt link."
# the footer of every page links the privacy page, which has the address to write to
WHERE_TO_WRITE = "Adressen står på siden om, hvordan Røde Kors behandler oplysninger (linket nederst)."
WRITE_TO_US = f"Virker det stadig ikke, så skriv til Røde Kors. {WHERE_TO_WRITE}"

INVALID_REASONS = {
    "withdrawn": f"Personen er ikke længere med i BackUp, så trinnet skal ikke afgøres. {NOTHING_MORE}",
    "reassigned": f"Trinnet er flyttet til en anden konsulent, som har fået sit eget link. {NOTHING_MORE}",
    "timed_out": "Trinnet ventede for længe og er sendt videre til programmets drift, som tager sig af det.",
    "resent": "Der er sendt et nyt link til dette trin; brug linket i den nyeste e-mail.",
    "step_closed": f"Trinnet venter ikke længere på en afgørelse. {NOTHING_MORE}",
    "decided": f"Ansøgningen er afgjort. {NOTHING_MORE}",
}
# the same, said to the young person, the volunteer or the contact adult: no staff language
PEOPLES_INVALID_REASONS = {
    "withdrawn": "Du har sagt fra, og forløbet er stoppet. Du skal ikke gøre mere, og du er altid velkommen igen.",
    "resent": "Vi har sendt dig et nyt link; brug linket i den nyeste e-mail fra os.",
}
PEOPLES_INVALID = f"Der skal ikke længere svares på dette link. {CONSULTANT_CALLS}"


def _used(link: Link) -> DeadLink:
    when = f"den {clock.danish(link.decided_at)}" if link.decided_at else "tidligere"
    if not for_staff(link):
        # never who else did what, nor a staff address: only that their own answer is in
        return UsedLink(f"Tak, vi har fået dit svar {when}. {CONSULTANT_CALLS}", link, title="Du har allerede svaret")
    who = "dig" if link.decided_by in {None, link.sent_to} else link.decided_by
    then = "Er der et næste trin, får du en ny e-mail med et nyt link."
    return UsedLink(f"Trinnet blev afgjort af {who} {when}. {NOTHING_MORE} {then}", link)


def check_usable(link: Link | None, at: datetime) -> Link:
    """Return the link if it can still decide its step; otherwise raise why not, said to its reader."""
    if link is None:
        raise UnknownLink(
            "Adressen virker ikke. Måske er et stykke af den faldet af: tryk på linket i e-mailen igen, "
            f"eller kopiér hele adressen ind i browseren. {WRITE_TO_US}"
        )
    if link.status is LinkStatus.USED:
        raise _used(link)
    if link.status is LinkStatus.INVALIDATED:
        if for_staff(link) and link.invalid_reason == "withdrawn" and link.record_kind is RecordKind.VOLUNTEER:
            reason = f"Ansøgeren har trukket sin ansøgning tilbage, så trinnet skal ikke afgøres. {NOTHING_MORE}"
        elif for_staff(link):
            reason = INVALID_REASONS.get(link.invalid_reason or "", f"Linket er ikke længere gyldigt. {NOTHING_MORE}")
        else:
            reason = PEOPLES_INVALID_REASONS.get(link.invalid_reason or "", PEOPLES_INVALID)
            title = "Du har sagt fra" if link.invalid_reason == "withdrawn" else "Linket bruges ikke længere"
            raise InvalidatedLink(reason, link, title=title)
        raise InvalidatedLink(reason, link)
    if at >= link.expires_at:
        until = clock.danish(link.expires_at)
        if for_staff(link):
            raise ExpiredLink(f"Linket gjaldt til {until}. {ASK_OPS}", link)
        if link.kind is LinkKind.WITHDRAW:
            raise ExpiredLink(f"Linket gjaldt til {until}. Vil du sige fra, så skriv til os. {WHERE_TO_WRITE}", link)
        raise ExpiredLink(f"Fristen for at svare var {until}. {CONSULTANT_CALLS}", link)
    return link
