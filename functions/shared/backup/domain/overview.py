"""A consultant's overview: the steps waiting for them, oldest first. Which stages have a
consultant's step, what each is called on the overview, and whose a step is: the address its
link was sent to (a reassigned step's new link goes to the new consultant)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from backup.domain.kinds import RecordKind
from backup.domain.links import Link
from backup.domain.stages import HUMAN_STEPS, Stage

# the stages in which a record may wait for its consultant's link, per kind of record
CONSULTANT_STEPS: dict[RecordKind, tuple[Stage, ...]] = {
    RecordKind.VOLUNTEER: HUMAN_STEPS,
    RecordKind.YOUTH: (Stage.REFERRAL_CHECK,),
    RecordKind.MATCH: (Stage.MATCH_PROPOSED, Stage.INTRO_MEETING),
}
# what the consultant does in a proposal's step (a person's step is named by its stage)
PROPOSAL_STEPS = {Stage.MATCH_PROPOSED: "Vælg en frivillig", Stage.INTRO_MEETING: "Registrér introduktionsmødet"}
WHOSE = {RecordKind.VOLUNTEER: "frivillig", RecordKind.YOUTH: "ung", RecordKind.MATCH: "forslag til"}


@dataclass(frozen=True)
class OpenStep:
    """One step waiting for the consultant: whom it is about (first name only), what to do, since
    when and until when the link works, and the link itself."""

    record_kind: RecordKind
    record_id: str
    first_name: str
    step: str
    waiting_since: datetime
    expires_at: datetime
    link_id: str

    @property
    def about(self) -> str:
        return f"{WHOSE[self.record_kind]} {self.first_name}".strip()


@dataclass(frozen=True)
class Candidate:
    """A record in a consultant's stage, its open link (None if it has none), and the first name
    of the person it is about (for a proposal: the young person's)."""

    record_kind: RecordKind
    record_id: str
    stage: Stage
    link: Link | None
    first_name: str


def step_name(kind: RecordKind, stage: Stage) -> str:
    return PROPOSAL_STEPS[stage] if kind is RecordKind.MATCH else stage.label


def open_steps(consultant: str, candidates: Iterable[Candidate], now: datetime) -> list[OpenStep]:
    """The candidates' open, unexpired links sent to `consultant` (any letter case), oldest first."""
    mine = consultant.strip().lower()
    steps = [
        OpenStep(
            c.record_kind,
            c.record_id,
            c.first_name,
            step_name(c.record_kind, c.stage),
            c.link.created_at,
            c.link.expires_at,
            c.link.link_id,
        )
        for c in candidates
        if c.link is not None
        and c.link.is_open
        and c.link.expires_at > now
        and c.link.sent_to.strip().lower() == mine
        and c.stage in CONSULTANT_STEPS[c.record_kind]
    ]
    return sorted(steps, key=lambda step: (step.waiting_since, step.record_id))
