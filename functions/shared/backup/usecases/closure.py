"""The end of a match (backup.domain.closure): the match is closed with the reason and exit
conversations the consultant recorded through the closure link, and each of the two goes where they
chose, as far as the evidence allows: the young person back to the pool (the old pair never proposed
again) or out; the volunteer back to READY_FOR_MATCH only if their certificate and training still
hold, else out. Both are told kindly; the contact adult is informed. Nothing is deleted: the match
and its history are kept for the retention period like any ended match."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping

from backup.domain import support_emails
from backup.domain.closure import is_early
from backup.domain.errors import NotFound
from backup.domain.evidence import Evidence
from backup.domain.executions import execution_name
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import LinkKind
from backup.domain.records import Person, ProposalRecord, Volunteer, YoungPerson
from backup.domain.settings import Settings
from backup.domain.stages import Stage
from backup.domain.transitions import TransitionRefused, clearance_problem
from backup.usecases.human_steps import SYSTEM
from backup.usecases.letters import Letters
from backup.usecases.ports import Change, Clock, Executions, Expect, Metrics, Repository
from backup.usecases.safeguards import Safeguards

POOL_OF = {RecordKind.VOLUNTEER: Stage.READY_FOR_MATCH, RecordKind.YOUTH: Stage.WAITING_FOR_MATCH}


class Closures:
    def __init__(
        self,
        repository: Repository,
        letters: Letters,
        safeguards: Safeguards,
        journeys: Mapping[RecordKind, Executions],
        settings: Settings,
        now: Clock,
        metrics: Metrics,
    ):
        self.repository = repository
        self.letters = letters
        self.safeguards = safeguards
        self.journeys = journeys  # the volunteer's and the young person's machines: a return to the pool
        self.settings = settings
        self.now = now
        self.metrics = metrics

    def backed(self, match: ProposalRecord) -> Evidence | None:
        """The closure the match holds, if a used closure link of this match backs it."""
        closure = match.closure
        if closure is None or closure.decision != "close":
            return None
        link = self.repository.get_link(closure.link_id)
        if link is None or link.kind is not LinkKind.CLOSURE or not link.is_used or link.record_id != match.id:
            return None
        return closure

    def close(self, match_id: str, requested_by: str = SYSTEM) -> None:
        """Close the match as recorded; a retried task completes what is missing and sends nothing twice."""
        match = self.repository.get_proposal(match_id)
        closure = self.backed(match)
        if closure is None:
            self.safeguards.forged(match, Stage.CLOSED, {"close_match": match_id}, requested_by)
            raise TransitionRefused(match_id, match.stage, Stage.CLOSED, "no closure recorded from the match's link")
        youth, volunteer = (
            self._person(RecordKind.YOUTH, match.youth_id),
            self._person(RecordKind.VOLUNTEER, match.volunteer_id),
        )
        wants = {
            RecordKind.YOUTH: closure.fields.get("youth_next") == "new_volunteer",
            RecordKind.VOLUNTEER: closure.fields.get("volunteer_next") == "continue",
        }
        today = self.now().date()
        if match.stage is Stage.MATCHED:
            at = self.now()
            days = (at - match.stage_since).days
            targets = {
                person.kind: (
                    POOL_OF[person.kind]
                    if wants[person.kind] and clearance_problem(person, today, self.settings.rules) is None
                    else Stage.CLOSED
                )
                for person in (youth, volunteer)
                if person is not None and person.stage is Stage.MATCHED and person.proposal_id == match_id
            }
            details = {
                "proposal_id": match_id,
                "reason": closure.fields.get("closure_reason", ""),
                "closure_kind": closure.fields.get("closure_kind", ""),
                "days": str(days),
            }
            event = Event(
                at=at, kind=EventKind.MATCH_CLOSED, stage=Stage.CLOSED, by=closure.decided_by, details=details
            )
            changes = [
                Change(
                    RecordKind.MATCH,
                    match_id,
                    {
                        "stage": Stage.CLOSED,
                        "stage_since": at,
                        "open_link_id": None,
                        "expires_at": self.settings.retention_expiry(at, matched=True),
                    },
                    event=event,
                    expect=Expect(stages=frozenset({Stage.MATCHED})),
                )
            ]
            for person in (youth, volunteer):
                if person is None or person.kind not in targets:
                    continue
                to = targets[person.kind]
                extra: dict[str, object] = {"proposal_id": None, "match_token": None}
                if to is Stage.CLOSED:
                    extra["expires_at"] = self.settings.retention_expiry(at, matched=True)
                else:
                    extra["run"] = person.run + 1  # carries on in a new run, at the pool's wait
                if isinstance(person, YoungPerson):
                    extra["excluded_volunteers"] = tuple(sorted({*person.excluded_volunteers, match.volunteer_id}))
                changes.append(
                    self.safeguards.change(
                        person, to, event, requested_by, set=extra, expect=Expect(held_by=match_id), closure=closure
                    )
                )
            self.repository.change_together(changes)
            self.metrics.count("MatchClosed", Stage.CLOSED)
            if is_early(days):
                self.metrics.count("MatchClosedEarly", Stage.CLOSED)
            self.metrics.match_closed(days, details["reason"], details["closure_kind"], is_early(days))
            match = self.repository.get_proposal(match_id)
        for link_id in (match.roles_confirm_link_id, *match.pulse_links.values()):
            if link_id:
                self.repository.invalidate_link(link_id, "step_closed")
        self._back_to_the_pool(youth, volunteer)
        self._tell(match, youth, volunteer, wants)
        self._stamp_retention(match, youth, volunteer)

    def _stamp_retention(self, match: ProposalRecord, *people: Person | None) -> None:
        """Last, and outside the guard: the ended match's trail, and the trail of each who left the
        programme with it, go after the retention period (a retry completes a half-done stamp)."""
        for kind, record_id in [(RecordKind.MATCH, match.id)] + [(p.kind, p.id) for p in people if p is not None]:
            record = self.repository.get_record(kind, record_id)
            if record.expires_at and (kind is RecordKind.MATCH or record.stage is Stage.CLOSED):
                self.repository.expire_trail(kind, record_id, record.expires_at)

    def _person(self, kind: RecordKind, person_id: str) -> Person | None:
        with contextlib.suppress(NotFound):
            return self.repository.get_person(kind, person_id)
        return None  # erased

    def _back_to_the_pool(self, *people: Person | None) -> None:
        """Each one now in the pool waits there in a new run of their journey (idempotent by name)."""
        for person in people:
            if person is None:
                continue
            now = self.repository.get_person(person.kind, person.id)
            if now.stage is POOL_OF[now.kind]:
                self.journeys[now.kind].start(
                    now.id,
                    {
                        "person_id": now.id,
                        "settings": {"reminder_delay_seconds": self.settings.reminder_delay_seconds},
                        "resume": "pool",
                    },
                    run=now.run,
                    name=execution_name(now.id, now.kind, now.run),
                )

    def _tell(
        self,
        match: ProposalRecord,
        youth: Person | None,
        volunteer: Person | None,
        wants: dict[RecordKind, bool],
    ) -> None:
        if isinstance(youth, YoungPerson):
            match = self.letters.send_once(
                match,
                "closed:youth",
                support_emails.match_closed_youth(youth.email, youth.first_name, wants[RecordKind.YOUTH]),
                "youth",
            )
            match = self.letters.send_once(
                match,
                "closed:contact_adult",
                support_emails.match_closed_contact_adult(
                    youth.details.contact_adult_email,
                    youth.details.contact_adult_name,
                    youth.first_name,
                    wants[RecordKind.YOUTH],
                ),
                "contact_adult",
            )
        if isinstance(volunteer, Volunteer):
            cleared = self.repository.get_volunteer(volunteer.id).stage is Stage.READY_FOR_MATCH
            self.letters.send_once(
                match,
                "closed:volunteer",
                support_emails.match_closed_volunteer(
                    volunteer.email, volunteer.first_name, wants[RecordKind.VOLUNTEER], cleared
                ),
                "volunteer",
            )
