"""The ports the use cases talk through. Adapters implement them: DynamoDB, SES and Step Functions
in AWS (backup.adapters), and in-memory stand-ins for tests (backup.adapters.memory). Both
repositories pass the same contract tests (tests/contract).

The repository speaks the programme's intent. Which fields a change may touch are the record
models' own fields; every key layout and condition expression stays inside the adapter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from backup.domain.deliveries import Delivery
from backup.domain.emails import Email
from backup.domain.erasure import ErasureReceipt, Scrubber
from backup.domain.history import Event
from backup.domain.kinds import Party, RecordKind
from backup.domain.links import Link
from backup.domain.records import Person, ProposalRecord, Record, Volunteer, Waiting, YoungPerson
from backup.domain.stages import Stage


@dataclass(frozen=True)
class Expect:
    """What must still hold for a change to be written; a change whose expectation fails raises
    Conflict and writes nothing. The record itself must always exist."""

    stages: frozenset[Stage] = frozenset()  # the record is in one of these stages
    held_by: str | None = None  # the person is held by this proposal
    free: bool = False  # the person is held by no proposal
    open_link: str | None = None  # this link is the record's open step
    unset: frozenset[str] = frozenset()  # these fields are not set (no value, False or empty)
    run_below: int | None = None  # the record's current run is lower than this
    cleared_after: date | None = None  # the person's certificate still counts after this day

    @staticmethod
    def stage(*stages: Stage) -> Expect:
        return Expect(stages=frozenset(stages))


@dataclass(frozen=True)
class Change:
    """One record's part in a change of several records at once (a proposal's claim, release, ...)."""

    kind: RecordKind
    record_id: str
    set: Mapping[str, Any] = field(default_factory=dict)
    remove: tuple[str, ...] = ()
    event: Event | None = None
    expect: Expect = field(default_factory=Expect)


class Repository(Protocol):
    # --- records ------------------------------------------------------------------------------
    def create_person(self, person: Person, event: Event) -> bool:
        """Store a new person with their first event; False if the id is taken."""
        ...

    def get_record(self, kind: RecordKind, record_id: str) -> Record:
        """A volunteer, young person or proposal by kind; NotFound if there is none."""
        ...

    def get_person(self, kind: RecordKind, person_id: str) -> Person: ...

    def get_volunteer(self, volunteer_id: str) -> Volunteer: ...

    def get_young_person(self, youth_id: str) -> YoungPerson: ...

    def get_proposal(self, proposal_id: str) -> ProposalRecord: ...

    def get_people(
        self,
        kind: RecordKind,
        person_ids: list[str],
        *,
        may_be_stale: bool = False,
        only_details: tuple[str, ...] | None = None,
    ) -> list[Person]:
        """Those of the ids that exist, each once, in no particular order. may_be_stale: a read that a write made
        just before may not show yet (half the cost); only for a caller whose writes check again.
        only_details: of each person's details (what they told us) only these are read, the others
        left at their defaults, for a reader that needs no names or addresses (matching); everything
        else of the record (stage, evidence, suspension, ...) is read whole. Such a record is for
        reading, never for writing back. ValueError for a name that is not one of the details."""
        ...

    def update(
        self,
        kind: RecordKind,
        record_id: str,
        *,
        set: Mapping[str, Any] | None = None,
        remove: Iterable[str] = (),
        event: Event | None = None,
        expect: Expect | None = None,
    ) -> None:
        """Change a record's fields (and add its event) in one write; Conflict if `expect` fails
        (nothing is written), NotFound if there is no such record. A name "field.key" sets one key
        of a map field (evidence.TRAINING)."""
        ...

    def change_together(
        self,
        changes: list[Change],
        *,
        new_proposal: ProposalRecord | None = None,
        new_proposal_event: Event | None = None,
    ) -> None:
        """Several records at once, all or nothing: each change with its own expectation, and
        perhaps a new proposal with its first event. Conflict if any expectation fails or the new
        proposal's id is taken; nothing is written then."""
        ...

    def record_answer(self, proposal_id: str, party: Party, answer: str) -> ProposalRecord:
        """One party's answer, without touching the other's (they may answer at the same moment);
        returns the proposal as it is after."""
        ...

    def add_event(self, kind: RecordKind, record_id: str, event: Event) -> None:
        """One event on the trail; one that comes after the record's journey ended takes its expiry.
        NotFound (and nothing kept) if the record is gone: an erased person's trail stays gone."""
        ...

    def history(self, kind: RecordKind, record_id: str) -> list[Event]:
        """The record's events, oldest first."""
        ...

    def expire_trail(self, kind: RecordKind, record_id: str, expires_at: int) -> int:
        """Give every item of a record the retention expiry (idempotent), and the links it names that
        live as long as it does (a person's withdrawal link); how many were stamped now."""
        ...

    def waiting_in_stage(self, stage: Stage, since_before: datetime | None = None) -> list[Waiting]:
        """Everyone in `stage`, longest-waiting first (only those who entered before `since_before`)."""
        ...

    # --- links --------------------------------------------------------------------------------
    def put_link(self, link: Link, keep_until: datetime | None) -> None:
        """Store a new link (with its task token, if it resumes a wait); kept until `keep_until`, or
        (None) as long as the record it is about, whose end stamps it (expire_trail)."""
        ...

    def get_link(self, link_id: str) -> Link | None: ...

    def refresh_token(self, link_id: str, task_token: str) -> None:
        """The step waits again under a new token; Conflict if the link is no longer open."""
        ...

    def use_link_once(
        self,
        link: Link,
        decision: str,
        decided_by: str,
        at: datetime,
        event: Event,
        record_set: Mapping[str, Any] | None = None,
    ) -> None:
        """Mark an open, unexpired link used, add the decision's event to its record's trail and
        make `record_set`'s changes to the record (the decision's evidence), atomically; Conflict if
        the link was not open (used, dead or expired)."""
        ...

    def invalidate_link(self, link_id: str, reason: str) -> bool:
        """Kill an open link (its token goes); False if it was no longer open."""
        ...

    # --- task results owed to waiting executions (backup.domain.deliveries) ----------------------
    def put_delivery(self, delivery: Delivery) -> None:
        """Store (or replace) a delivery; the same id is the same delivery."""
        ...

    def get_delivery(self, delivery_id: str) -> Delivery | None: ...

    def due_deliveries(self, at: datetime) -> list[Delivery]:
        """Every delivery due by `at`, oldest first."""
        ...

    def remove_delivery(self, delivery_id: str) -> None: ...

    # --- a person's rights: access and erasure (backup.usecases.data_rights) ---------------------
    def proposals_naming(self, person_id: str) -> list[ProposalRecord]:
        """Every proposal or match the person is in, or was a candidate of (reads the whole table:
        for the rare request, not for a journey)."""
        ...

    def links_about(self, record_ids: set[str]) -> list[Link]:
        """Every stored link about any of these records (reads the whole table)."""
        ...

    def delete_record(self, kind: RecordKind, record_id: str) -> int:
        """The record and its whole history gone; how many items were deleted."""
        ...

    def delete_link(self, link_id: str) -> None: ...

    def scrub_everywhere(self, scrubber: Scrubber, around: set[tuple[RecordKind, str]]) -> tuple[int, int]:
        """Take an erased person out of what stays (backup.domain.erasure): their id, wherever it
        is; their values too in anything holding their id and in the records and histories
        `around` them (their proposals, the people they were proposed to), but never in another
        person's own record beyond the id. A form submission holding their id is deleted.
        Returns (scrubbed, deleted)."""
        ...

    def put_erasure(self, receipt: ErasureReceipt, keep_until: datetime) -> None: ...

    # --- the public forms' daily limit (backup.domain.submission_limits) ---------------------------
    def count_submission(self, kind: RecordKind, sender: str, day: date, submission: str, limit: int) -> bool:
        """Count one submission of a form (`kind`) for `sender` (a digest, never an address) on `day`,
        atomically: True if it is counted within `limit`, or was counted already (the same
        `submission` again: a double click counts once); False, and nothing written, once the day's
        `limit` is reached. A day's count is kept for two days."""
        ...


class Mailer(Protocol):
    def send(self, email: Email, tags: dict[str, str] | None = None) -> str:
        """Send one email, tagged with whom it concerns (never their address); its message id."""
        ...


class TaskResults(Protocol):
    """Resumes or ends a waiting execution step (Step Functions' SendTaskSuccess/Failure)."""

    def resume(self, task_token: str, output: dict[str, Any]) -> None:
        """StepNotWaiting if the token no longer waits."""
        ...

    def fail(self, task_token: str, error: str, cause: str) -> None: ...


class Courier(Protocol):
    """Tells the links function that a delivery is waiting (an asynchronous invoke in AWS)."""

    def ring(self, delivery_id: str) -> None: ...


class Waits(Protocol):
    """Ends a run's wait with an error its definition catches (Withdrawn, PersonGone): at once
    where the function may send task results, else owed to the links function."""

    def fail_wait(self, about: tuple[RecordKind, str], task_token: str, error: str, cause: str) -> None: ...


class Executions(Protocol):
    """Starts a record's execution of one state machine, once per name."""

    def start(
        self, record_id: str, execution_input: dict[str, Any] | None = None, run: int = 1, name: str | None = None
    ) -> str:
        """Start the record's execution (named after the record and run, unless `name` is given) once."""
        ...


class Metrics(Protocol):
    def count(self, name: str, stage: Stage | None = None) -> None:
        """One occurrence of `name` (StepOpened, ReminderSent, NeedsOps, ...), per stage when given."""
        ...

    def stage_wait(self, stage: Stage, seconds: float) -> None:
        """How long a step waited for its decision."""
        ...

    def match_closed(self, days: int, reason: str, kind: str, early: bool) -> None:
        """A match ended: how long it lasted, why (the closure's reason and planned or not), and
        whether before 12 months: the programme's own success measures."""
        ...


class Clock(Protocol):
    def __call__(self) -> datetime: ...
