"""New people: a volunteer's application or a young person's referral is stored once, in their
first stage with their first event, and their journey's execution is started; but only so many a
day for one email address (backup.domain.submission_limits)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, time
from typing import Any

from backup.domain.consent import STATEMENTS, VOLUNTEER_CONSENTS, Consent, consents
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.records import Person, Volunteer, VolunteerDetails, YoungPerson, YouthDetails
from backup.domain.stages import Stage
from backup.domain.submission_limits import DAILY_LIMITS, counting_day, sender_key, submission_key
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

    def admit(self, kind: RecordKind, email: str, submission: Mapping[str, Any]) -> bool:
        """Whether a checked submission may be stored: it is counted against the day's limit for
        the address its first email goes to. The same submission again (a double click, a retry) is
        admitted without counting twice, so it reaches the double-submission guard and gets its id.
        Over the limit nothing is counted, and the caller stores, starts and sends nothing."""
        admitted = self.repository.count_submission(
            kind, sender_key(email), counting_day(self.now()), submission_key(submission), DAILY_LIMITS[kind]
        )
        if not admitted:
            self.metrics.count("SubmissionOverDailyLimit")
        return admitted

    def apply(self, application: VolunteerDetails) -> str:
        """Store a (checked) application and start the volunteer's journey; returns their id."""
        at = self.now()
        volunteer = Volunteer(
            id=self.make_id(),
            stage=Stage.APPLIED,
            stage_since=at,
            created_at=at,
            details=application,
            consents=consents(VOLUNTEER_CONSENTS, at, given_by="applicant", recorded_by="applicant"),
        )
        return self._store(volunteer, Event(at=at, kind=EventKind.APPLIED, by="applicant"), "ApplicationReceived")

    def refer(self, referral: YouthDetails) -> str:
        """Store a (checked) referral and start the young person's journey; returns their id."""
        at = self.now()
        given = {
            # the contact adult confirms the criteria; the young person consents, through them
            **consents(("eligibility",), at, given_by="contact adult", recorded_by="contact adult"),
            **consents(("consent",), at, given_by="young person", recorded_by="contact adult"),
        }
        guardian = referral.guardian_consent
        if guardian is not None:
            given["guardian_consent"] = Consent(
                version=STATEMENTS["guardian_consent"].version,
                given_at=datetime.combine(guardian.given_on, time(12), tzinfo=UTC),
                given_by=guardian.role.value,
                recorded_by="contact adult",
                how=guardian.how.value,
            )
        young = YoungPerson(
            id=self.make_id(), stage=Stage.REFERRED, stage_since=at, created_at=at, details=referral, consents=given
        )
        return self._store(young, Event(at=at, kind=EventKind.REFERRED, by="contact_adult"), "ReferralReceived")

    def _store(self, person: Person, event: Event, metric: str) -> str:
        if not self.repository.create_person(person, event):
            raise RuntimeError(f"the new id {person.id} is taken")  # 48 random bits: never in practice
        self.executions[person.kind].start(person.id, {"person_id": person.id})
        self.metrics.count(metric)
        return person.id
