"""New people: a volunteer's application or a young person's referral is stored once, in their
first stage with their first event, and their journey's execution is started."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.records import Person, Volunteer, VolunteerDetails, YoungPerson, YouthDetails
from backup.domain.stages import Stage
from backup.usecases.ports import Clock, Executions, Metrics, Repository


def new_id() -> str:
    return uuid.uuid4().hex[:12]


class Intake:
    def __init__(
        self,
        repository: Repository,
        executions: dict[RecordKind, Executions],
        now: Clock,
        metrics: Metrics,
        make_id: Callable[[], str] = new_id,
    ):
        self.repository = repository
        self.executions = executions
        self.now = now
        self.metrics = metrics
        self.make_id = make_id

    def apply(self, application: VolunteerDetails) -> str:
        """Store a (checked) application and start the volunteer's journey; returns their id."""
        at = self.now()
        volunteer = Volunteer(
            id=self.make_id(), stage=Stage.APPLIED, stage_since=at, created_at=at, details=application
        )
        return self._store(volunteer, Event(at=at, kind=EventKind.APPLIED, by="applicant"), "ApplicationReceived")

    def refer(self, referral: YouthDetails) -> str:
        """Store a (checked) referral and start the young person's journey; returns their id."""
        at = self.now()
        young = YoungPerson(id=self.make_id(), stage=Stage.REFERRED, stage_since=at, created_at=at, details=referral)
        return self._store(young, Event(at=at, kind=EventKind.REFERRED, by="contact_adult"), "ReferralReceived")

    def _store(self, person: Person, event: Event, metric: str) -> str:
        if not self.repository.create_person(person, event):
            raise RuntimeError(f"the new id {person.id} is taken")  # 48 random bits: never in practice
        self.executions[person.kind].start(person.id, {"person_id": person.id})
        self.metrics.count(metric)
        return person.id
