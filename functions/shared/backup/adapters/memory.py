"""In-memory stand-ins for the ports: a repository that keeps the same promises as the DynamoDB
adapter (tests/contract runs the same tests on both), and recording mailer, task results,
executions and metrics. The use cases' tests run on these in a fraction of a second each.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from backup.adapters.reads import TypedReads
from backup.domain.deliveries import Delivery
from backup.domain.emails import Email
from backup.domain.erasure import ErasureReceipt, Scrubber
from backup.domain.errors import Conflict, NotFound, StepNotWaiting
from backup.domain.history import Event
from backup.domain.kinds import Party, RecordKind
from backup.domain.links import Link, LinkStatus
from backup.domain.records import (
    RECORD_MODELS,
    Person,
    ProposalRecord,
    Record,
    Waiting,
    known_details,
)
from backup.domain.stages import Stage
from backup.usecases.ports import Change, Expect

# what DynamoDB's attribute_not_exists sees as absent: the adapter stores no None, and a flag that
# was never set is not stored either (see backup.adapters.dynamodb._condition)
_UNSET_VALUES: tuple[Any, ...] = (None, False)


@dataclass
class _Trail:
    record: Record
    record_expiry: int | None = None
    events: list[tuple[Event, int | None]] = field(default_factory=list)


class MemoryRepository(TypedReads):
    """The repository port in a dict, with one lock: every call is atomic, as each DynamoDB
    request is."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._trails: dict[tuple[RecordKind, str], _Trail] = {}
        self._links: dict[str, tuple[Link, datetime | None]] = {}
        self.erasures: list[tuple[ErasureReceipt, datetime]] = []
        self._deliveries: dict[str, Delivery] = {}
        # (kind, sender, day) -> the submissions counted that day
        self._submissions: dict[tuple[RecordKind, str, date], frozenset[str]] = {}

    # --- records ------------------------------------------------------------------------------

    def create_person(self, person: Person, event: Event) -> bool:
        with self._lock:
            if (person.kind, person.id) in self._trails:
                return False
            self._trails[(person.kind, person.id)] = _Trail(person, person.expires_at, [(event, None)])
            return True

    def _trail(self, kind: RecordKind, record_id: str) -> _Trail:
        found = self._trails.get((kind, record_id))
        if found is None:
            raise NotFound(f"{kind.noun} {record_id}")
        return found

    def get_record(self, kind: RecordKind, record_id: str) -> Record:
        with self._lock:
            return self._trail(kind, record_id).record

    def get_people(
        self,
        kind: RecordKind,
        person_ids: list[str],
        *,
        may_be_stale: bool = False,
        only_details: tuple[str, ...] | None = None,
    ) -> list[Person]:
        if only_details is not None:
            known_details(kind, only_details)
        with self._lock:
            found = [self._trails[(kind, p)].record for p in dict.fromkeys(person_ids) if (kind, p) in self._trails]
        people = [p for p in found if isinstance(p, Person)]
        if only_details is None:
            return people
        wanted = set(only_details)
        return [
            p.model_copy(update={"details": type(p.details).model_validate(p.details.model_dump(include=wanted))})
            for p in people
        ]

    def update(
        self,
        kind: RecordKind,
        record_id: str,
        *,
        set: Mapping[str, Any] | None = None,  # noqa: A002
        remove: Iterable[str] = (),
        event: Event | None = None,
        expect: Expect | None = None,
    ) -> None:
        self.change_together([Change(kind, record_id, dict(set or {}), tuple(remove), event, expect or Expect())])

    def change_together(
        self,
        changes: list[Change],
        *,
        new_proposal: ProposalRecord | None = None,
        new_proposal_event: Event | None = None,
    ) -> None:
        with self._lock:
            updated = []
            for change in changes:
                trail = self._trail(change.kind, change.record_id)
                if not _holds(trail.record, change.expect):
                    raise Conflict(f"{change.kind.noun} {change.record_id}")
                updated.append((trail, _changed(trail.record, change)))
            if new_proposal is not None and (RecordKind.MATCH, new_proposal.id) in self._trails:
                raise Conflict(f"match proposal {new_proposal.id} exists")
            for (trail, record), change in zip(updated, changes, strict=True):
                trail.record = record
                if "expires_at" in change.set:
                    trail.record_expiry = record.expires_at
                if change.event is not None:
                    trail.events.append((change.event, None))
            if new_proposal is not None:
                events: list[tuple[Event, int | None]] = (
                    [(new_proposal_event, None)] if new_proposal_event is not None else []
                )
                self._trails[(RecordKind.MATCH, new_proposal.id)] = _Trail(new_proposal, None, events)

    def record_answer(self, proposal_id: str, party: Party, answer: str) -> ProposalRecord:
        with self._lock:
            trail = self._trail(RecordKind.MATCH, proposal_id)
            proposal = trail.record
            assert isinstance(proposal, ProposalRecord)
            if not proposal.answer_links:
                raise NotFound(f"match proposal {proposal_id} asks nobody yet")
            trail.record = proposal.model_copy(update={"answers": {**proposal.answers, party: answer}})
            return self.get_proposal(proposal_id)

    # --- history ------------------------------------------------------------------------------

    def add_event(self, kind: RecordKind, record_id: str, event: Event) -> None:
        with self._lock:
            trail = self._trail(kind, record_id)
            trail.events.append((event, trail.record.expires_at))

    def history(self, kind: RecordKind, record_id: str) -> list[Event]:
        with self._lock:
            events = [event for event, _ in self._trail(kind, record_id).events]
        return sorted(events, key=lambda e: e.at)

    def expire_trail(self, kind: RecordKind, record_id: str, expires_at: int) -> int:
        with self._lock:
            trail = self._trail(kind, record_id)
            stamped = 0
            if trail.record_expiry is None:
                trail.record_expiry = expires_at
                trail.record = trail.record.model_copy(update={"expires_at": expires_at})
                stamped += 1
            for index, (event, expiry) in enumerate(trail.events):
                if expiry is None:
                    trail.events[index] = (event, expires_at)
                    stamped += 1
            link_id = getattr(trail.record, "withdraw_link_id", None)
            if link_id in self._links and self._links[link_id][1] is None:
                self._links[link_id] = (self._links[link_id][0], datetime.fromtimestamp(expires_at, UTC))
                stamped += 1
            return stamped

    def link_expiry(self, link_id: str) -> datetime | None:
        """When a stored link is deleted (for tests)."""
        with self._lock:
            return self._links[link_id][1]

    def expiries(self, kind: RecordKind, record_id: str) -> list[int | None]:
        """Each stored item's expiry: the record's first, then its events' (for tests)."""
        with self._lock:
            trail = self._trail(kind, record_id)
            return [trail.record_expiry, *(expiry for _, expiry in trail.events)]

    def waiting_in_stage(self, stage: Stage, since_before: datetime | None = None) -> list[Waiting]:
        with self._lock:
            records = [t.record for t in self._trails.values() if t.record.stage is stage]
        found = [
            Waiting(kind=r.kind, id=r.id, since=r.stage_since)
            for r in records
            if since_before is None or r.stage_since < since_before
        ]
        return sorted(found, key=lambda w: w.since)

    # --- links --------------------------------------------------------------------------------

    def put_link(self, link: Link, keep_until: datetime | None) -> None:
        with self._lock:
            if link.link_id in self._links:
                raise Conflict(f"link {link.link_id} exists")
            self._links[link.link_id] = (link, keep_until)

    def get_link(self, link_id: str) -> Link | None:
        with self._lock:
            found = self._links.get(link_id)
        return found[0] if found else None

    def _change_link(self, link_id: str, update: dict[str, Any], open_before: datetime | None = None) -> Link:
        found = self._links.get(link_id)
        if found is None or not found[0].is_open or (open_before is not None and found[0].expires_at <= open_before):
            raise Conflict(link_id)
        link = found[0].model_copy(update=update)
        self._links[link_id] = (link, found[1])
        return link

    def refresh_token(self, link_id: str, task_token: str) -> None:
        with self._lock:
            self._change_link(link_id, {"task_token": task_token})

    def use_link_once(
        self,
        link: Link,
        decision: str,
        decided_by: str,
        at: datetime,
        event: Event,
        record_set: Mapping[str, Any] | None = None,
    ) -> None:
        with self._lock:
            trail = self._trail(link.record_kind, link.record_id)
            changed = (
                _changed(trail.record, Change(link.record_kind, link.record_id, dict(record_set)))
                if record_set
                else trail.record
            )
            self._change_link(
                link.link_id,
                {"status": LinkStatus.USED, "decision": decision, "decided_by": decided_by, "decided_at": at},
                open_before=at,
            )
            trail.record = changed
            trail.events.append((event, None))

    def invalidate_link(self, link_id: str, reason: str) -> bool:
        with self._lock:
            try:
                self._change_link(
                    link_id, {"status": LinkStatus.INVALIDATED, "invalid_reason": reason, "task_token": None}
                )
            except Conflict:
                return False
            return True

    # --- deliveries ---------------------------------------------------------------------------

    def put_delivery(self, delivery: Delivery) -> None:
        with self._lock:
            self._deliveries[delivery.id] = delivery

    def get_delivery(self, delivery_id: str) -> Delivery | None:
        with self._lock:
            return self._deliveries.get(delivery_id)

    def due_deliveries(self, at: datetime) -> list[Delivery]:
        with self._lock:
            due = [d for d in self._deliveries.values() if d.due_at <= at]
        return sorted(due, key=lambda d: d.due_at)

    def remove_delivery(self, delivery_id: str) -> None:
        with self._lock:
            self._deliveries.pop(delivery_id, None)

    # --- a person's rights ----------------------------------------------------------------------

    def proposals_naming(self, person_id: str) -> list[ProposalRecord]:
        with self._lock:
            proposals = [t.record for t in self._trails.values() if isinstance(t.record, ProposalRecord)]
        return [
            p for p in proposals if person_id in {p.youth_id, p.volunteer_id, *(c.volunteer_id for c in p.candidates)}
        ]

    def links_about(self, record_ids: set[str]) -> list[Link]:
        with self._lock:
            return [link for link, _ in self._links.values() if link.record_id in record_ids]

    def delete_record(self, kind: RecordKind, record_id: str) -> int:
        with self._lock:
            trail = self._trails.pop((kind, record_id), None)
        return 0 if trail is None else 1 + len(trail.events)

    def delete_link(self, link_id: str) -> None:
        with self._lock:
            self._links.pop(link_id, None)

    def scrub_everywhere(self, scrubber: Scrubber, around: set[tuple[RecordKind, str]]) -> tuple[int, int]:
        """The same promise as DynamoDB's, over the stored models."""
        scrubbed = 0

        def clean(model: Any, in_scope: bool, someone_else: bool) -> Any:
            nonlocal scrubbed
            data = model.model_dump()
            if not (in_scope or scrubber.holds_id(data)):
                return model
            changed = scrubber.ids(data) if someone_else else scrubber.value(data)
            if changed == data:
                return model
            scrubbed += 1
            return type(model).model_validate(changed)

        with self._lock:
            for key, trail in self._trails.items():
                in_scope = key in around
                trail.record = clean(trail.record, in_scope, isinstance(trail.record, Person))
                trail.events = [(clean(event, in_scope, False), expiry) for event, expiry in trail.events]
            self._links = {
                key: (clean(link, (link.record_kind, link.record_id) in around, False), keep)
                for key, (link, keep) in self._links.items()
            }
            self._deliveries = {key: clean(d, False, False) for key, d in self._deliveries.items()}
        return scrubbed, 0

    def put_erasure(self, receipt: ErasureReceipt, keep_until: datetime) -> None:
        with self._lock:
            self.erasures.append((receipt, keep_until))

    def count_submission(self, kind: RecordKind, sender: str, day: date, submission: str, limit: int) -> bool:
        with self._lock:
            counted = self._submissions.get((kind, sender, day), frozenset())
            if submission in counted:
                return True
            if len(counted) >= limit:
                return False
            self._submissions[(kind, sender, day)] = counted | {submission}
            return True


def _holds(record: Record, expect: Expect) -> bool:
    if expect.stages and record.stage not in expect.stages:
        return False
    proposal_id = getattr(record, "proposal_id", None)
    if expect.held_by is not None and proposal_id != expect.held_by:
        return False
    if expect.free and proposal_id is not None:
        return False
    if expect.open_link is not None and record.open_link_id != expect.open_link:
        return False
    if any(not any(getattr(record, name) is unset for unset in _UNSET_VALUES) for name in expect.unset):
        return False
    if expect.cleared_after is not None:
        cleared = getattr(record, "cleared_until", None)
        if cleared is None or cleared <= expect.cleared_after:
            return False
    return expect.run_below is None or record.run < expect.run_below


def _changed(record: Record, change: Change) -> Record:
    model = RECORD_MODELS[change.kind]
    data = record.model_dump()
    for name, value in change.set.items():
        field, _, key = name.partition(".")
        if field not in model.model_fields:
            raise ValueError(f"{model.__name__} has no field {field}")
        if key:  # one key of a map field
            data[field] = {**{str(k): v for k, v in data[field].items()}, key: value}
            continue
        data[name] = value if value is not None else model.model_fields[name].get_default(call_default_factory=True)
    for name in change.remove:
        if name not in model.model_fields:
            raise ValueError(f"{model.__name__} has no field {name}")
        data[name] = model.model_fields[name].get_default(call_default_factory=True)
    return model.model_validate(data)


class RecordingMailer:
    """Keeps every email it is given, with its tags."""

    def __init__(self) -> None:
        self.sent: list[tuple[Email, dict[str, str]]] = []
        self._lock = threading.Lock()

    def send(self, email: Email, tags: dict[str, str] | None = None) -> str:
        with self._lock:
            self.sent.append((email, dict(tags or {})))
            return f"message-{len(self.sent)}"

    @property
    def emails(self) -> list[Email]:
        return [email for email, _ in self.sent]

    def to(self, address: str) -> list[Email]:
        return [email for email in self.emails if email.to == address]


class RecordingResults:
    """Stands in for Step Functions' task results: remembers which waits were resumed or failed.
    A token resumes only while it is in `waiting`, as a real wait does."""

    def __init__(self) -> None:
        self.waiting: set[str] = set()
        self.resumed: list[tuple[str, dict[str, Any]]] = []
        self.failed: list[tuple[str, str]] = []
        self._lock = threading.Lock()

    def _take(self, token: str) -> None:
        if token not in self.waiting:
            raise StepNotWaiting("InvalidToken")
        self.waiting.discard(token)

    def resume(self, task_token: str, output: dict[str, Any]) -> None:
        with self._lock:
            self._take(task_token)
            self.resumed.append((task_token, output))

    def fail(self, task_token: str, error: str, cause: str) -> None:
        with self._lock:
            self._take(task_token)
            self.failed.append((task_token, error))


class RecordingExecutions:
    """Stands in for starting executions: remembers which were started, once per name."""

    def __init__(self) -> None:
        self.started: list[tuple[str, dict[str, Any], int]] = []
        self.names: list[str] = []
        self._lock = threading.Lock()

    def start(
        self, record_id: str, execution_input: dict[str, Any] | None = None, run: int = 1, name: str | None = None
    ) -> str:
        name = name or f"{record_id}:{run}"
        with self._lock:
            if name not in self.names:
                self.names.append(name)
                self.started.append((record_id, dict(execution_input or {}), run))
        return f"execution:{name}"


class RecordingMetrics:
    def __init__(self) -> None:
        self.counts: list[tuple[str, Stage | None]] = []
        self.waits: list[tuple[Stage, float]] = []
        self.closures: list[tuple[int, str, str, bool]] = []

    def count(self, name: str, stage: Stage | None = None) -> None:
        self.counts.append((name, stage))

    def stage_wait(self, stage: Stage, seconds: float) -> None:
        self.waits.append((stage, seconds))

    def match_closed(self, days: int, reason: str, kind: str, early: bool) -> None:
        self.closures.append((days, reason, kind, early))


class ImmediateCourier:
    """Rings straight through to a deliverer, as the links function's asynchronous invoke would."""

    def __init__(self) -> None:
        self.deliver: Callable[[str], object] = lambda delivery_id: None
        self.rung: list[str] = []

    def ring(self, delivery_id: str) -> None:
        self.rung.append(delivery_id)
        self.deliver(delivery_id)
