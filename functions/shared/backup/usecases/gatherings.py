"""Network days and supervision sessions: staff create, edit and cancel them; everyone in the
target group is invited with their own link; answers take a seat or a place on the waiting list,
which moves up by itself; a reminder goes out before, and after it the organiser records who came.

Every promise about seats is kept by the store's writes (backup.usecases.gathering_ports); this
module decides whom to invite and what to tell them. Each gathering's reminder and closing run in
its own execution of the gathering state machine, which carries only the gathering's id.
"""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from backup.domain import gathering_emails
from backup.domain.emails import Email
from backup.domain.errors import Conflict, NotFound
from backup.domain.gatherings import (
    Answer,
    Audience,
    Gathering,
    GatheringDetails,
    GatheringStatus,
    Invitation,
    Tally,
)
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import new_link_id
from backup.domain.records import Person, YoungPerson
from backup.domain.regions import region_of
from backup.domain.stages import Stage
from backup.usecases.gathering_ports import GatheringMeasures, GatheringStore
from backup.usecases.letters import Letters
from backup.usecases.ports import Clock, Executions, Repository

# who is in the programme for each audience: volunteers cleared for a match and on, young people
# taken on and on, and for the pairs both people of a match
_IN_PROGRAMME = {
    Audience.VOLUNTEERS: (
        (RecordKind.VOLUNTEER, (Stage.READY_FOR_MATCH, Stage.MATCH_PROPOSED, Stage.INTRO_MEETING, Stage.MATCHED)),
    ),
    Audience.YOUTH: (
        (RecordKind.YOUTH, (Stage.WAITING_FOR_MATCH, Stage.MATCH_PROPOSED, Stage.INTRO_MEETING, Stage.MATCHED)),
    ),
    Audience.PAIRS: ((RecordKind.VOLUNTEER, (Stage.MATCHED,)), (RecordKind.YOUTH, (Stage.MATCHED,))),
}
ADULT_AGE = 18
PAGE = "/tilmelding"


class NotOpen(Exception):
    """The gathering is cancelled or held already: it cannot be changed or cancelled."""


class InThePast(ValueError):
    """A new gathering must begin after now."""


def gathering_execution(gathering_id: str) -> str:
    return f"gathering-{gathering_id}"


def page_path(gathering_id: str, link_id: str) -> str:
    return f"{PAGE}/{gathering_id}/{link_id}"


def _age(birth: date | None, on: date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _recipient(person: Person) -> str:
    """Whom a letter about a person goes to (Letters' recipient roles)."""
    if isinstance(person, YoungPerson):
        return "contact_adult" if person.answers_through_contact_adult else "youth"
    return "volunteer"


@dataclass(frozen=True)
class RunStep:
    """Where a gathering's run stands after a task: whether the step happened (or never will: the
    gathering is cancelled), and how long the run waits next."""

    status: GatheringStatus
    done: bool
    seconds: int


# A run's wait is at most this long, then its task looks again: a start moved earlier by an edit is
# found within the hour (a Wait state cannot be shortened once it has begun).
RECHECK_SECONDS = 3600


def _seconds(until: datetime, now: datetime) -> int:
    return min(RECHECK_SECONDS, max(0, int((until - now).total_seconds()) + 1))


@dataclass(frozen=True)
class Invited:
    """What an invitation task did, and the wait until the reminder."""

    invited: int
    step: RunStep


@dataclass(frozen=True)
class Answered:
    answer: Answer
    gathering: Gathering


class Gatherings:
    def __init__(
        self,
        store: GatheringStore,
        repository: Repository,
        letters: Letters,
        executions: Executions,
        now: Clock,
        reminder_lead_seconds: int,
        measures: GatheringMeasures,
        new_id: Callable[[], str] = lambda: secrets.token_hex(6),
    ):
        self.measures = measures
        self.store = store
        self.repository = repository
        self.letters = letters
        self.executions = executions
        self.now = now
        self.reminder_lead = timedelta(seconds=reminder_lead_seconds)
        self.new_id = new_id

    def _url(self, gathering_id: str, link_id: str) -> str:
        return self.letters.settings.url(page_path(gathering_id, link_id))

    # --- staff --------------------------------------------------------------------------------

    def create(self, details: GatheringDetails, by: str) -> Gathering:
        """Store a new gathering and start its run (which invites, reminds and closes)."""
        if details.starts_at <= self.now():
            raise InThePast("Arrangementet skal ligge i fremtiden.")
        gathering = Gathering(id=self.new_id(), details=details, created_by=by, created_at=self.now())
        self.store.create_gathering(gathering)
        self.executions.start(gathering.id, {"gathering_id": gathering.id}, name=gathering_execution(gathering.id))
        return gathering

    def edit(self, gathering_id: str, details: GatheringDetails) -> Gathering:
        """New details; more seats move the waiting list up at once. The kind stays."""
        before = self.store.get_gathering(gathering_id)
        if details.kind is not before.details.kind:
            raise ValueError("Et arrangement kan ikke skifte mellem netværksdag og supervision.")
        try:
            changed = self.store.update_details(gathering_id, details)
        except Conflict:
            raise NotOpen(
                "Arrangementet kan ikke ændres: det er aflyst eller holdt, eller der er flere tilmeldte "
                f"({self.store.get_gathering(gathering_id).taken}) end det nye antal pladser."
            ) from None
        self.move_up(gathering_id)
        return changed

    def cancel(self, gathering_id: str, reason: str, by: str) -> int:
        """Cancel an open gathering and tell everyone with a seat or on the waiting list; how many
        were told. A second call (a retry) sends what is missing and nothing twice."""
        if not self.store.end(gathering_id, GatheringStatus.CANCELLED, reason or None):
            gathering = self.store.get_gathering(gathering_id)
            if gathering.status is not GatheringStatus.CANCELLED:
                raise NotOpen("Arrangementet er allerede holdt og kan ikke aflyses.")
        gathering = self.store.get_gathering(gathering_id)
        told = 0
        for invitation in self.store.invitations(gathering_id):
            if invitation.answer in (Answer.YES, Answer.WAITING):
                told += self._letter(invitation, "cancelled", gathering_emails.cancelled, gathering)
        return told

    def record_attendance(self, gathering_id: str, came: dict[str, bool], by: str) -> int:
        """Who came (by invitation link id), on each invitation and in each person's history."""
        gathering = self.store.get_gathering(gathering_id)
        at = self.now()
        for link_id, attended in came.items():
            try:
                self.store.record_attendance(gathering_id, link_id, attended, at)
            except Conflict:
                raise NotOpen("Fremmøde kan først registreres, når arrangementet er begyndt.") from None
            invitation = self.store.get_invitation(gathering_id, link_id)
            if invitation is not None:
                self._note(invitation, EventKind.GATHERING_ATTENDED, gathering, by, "ja" if attended else "nej")
        self.measures.measure("GatheringAttendance", gathering.where, sum(came.values()))
        return len(came)

    def listing(self) -> list[tuple[Gathering, Tally]]:
        return [(g, Tally.of(self.store.invitations(g.id))) for g in self.store.list_gatherings()]

    def show(self, gathering_id: str) -> tuple[Gathering, Tally, list[Invitation]]:
        gathering = self.store.get_gathering(gathering_id)
        invitations = self.store.invitations(gathering_id)
        return gathering, Tally.of(invitations), invitations

    # --- the gathering's run ----------------------------------------------------------------------

    def invite(self, gathering_id: str) -> Invited:
        """Invite everyone in the target group (and region) not invited yet, and send each the
        invitation once (a retried task sends what is missing)."""
        gathering = self.store.get_gathering(gathering_id)
        step = RunStep(
            gathering.status,
            gathering.status is not GatheringStatus.OPEN,
            _seconds(gathering.starts_at - self.reminder_lead, self.now()),
        )
        if gathering.status is not GatheringStatus.OPEN:
            return Invited(0, step)
        known = {(i.person_kind, i.person_id): i for i in self.store.invitations(gathering_id)}
        count = new = 0
        for person in self._target_group(gathering):
            invitation = known.get((person.kind, person.id))
            if invitation is None:
                invitation = Invitation(
                    gathering_id=gathering_id,
                    link_id=new_link_id(),
                    person_kind=person.kind,
                    person_id=person.id,
                    invited_at=self.now(),
                )
                if not self.store.add_invitation(invitation):
                    continue  # invited by a run of this task at the same moment
                new += 1
            self._invite_one(gathering, invitation, person)
            count += 1
        self.measures.measure("GatheringInvitations", gathering.where, new)
        return Invited(count, step)

    def _target_group(self, gathering: Gathering) -> list[Person]:
        wanted: dict[tuple[RecordKind, str], Person] = {}
        for audience in gathering.details.audiences:
            for kind, stages in _IN_PROGRAMME[audience]:
                ids = [w.id for stage in stages for w in self.repository.waiting_in_stage(stage) if w.kind is kind]
                for person in self.repository.get_people(kind, ids):
                    if person.leaving or person.suspended is not None or not person.email:
                        continue
                    region = gathering.details.region
                    if region is not None and region_of(person.postcode) != region:
                        continue
                    wanted[(person.kind, person.id)] = person
        return sorted(wanted.values(), key=lambda p: (p.kind.value, p.id))

    def _invite_one(self, gathering: Gathering, invitation: Invitation, person: Person) -> None:
        url = self._url(gathering.id, invitation.link_id)
        key = f"gathering-{gathering.id}-invitation"
        email = gathering_emails.invitation(person.email, person.first_name, gathering, url)
        person = self.letters.send_once(person, key, email, _recipient(person))
        if isinstance(person, YoungPerson) and not person.answers_through_contact_adult:
            age = _age(person.details.birth_date, gathering.starts_at.date())
            if age is not None and age < ADULT_AGE and person.details.contact_adult_email:
                copy = gathering_emails.contact_adult_copy(
                    person.details.contact_adult_email, person.details.contact_adult_name, person.first_name, gathering
                )
                self.letters.send_once(person, f"{key}-contact-adult", copy, "contact_adult")

    def remind(self, gathering_id: str) -> RunStep:
        """Remind everyone with a seat, once, when the reminder is due (not yet: the start moved);
        a cancelled gathering reminds nobody. Then the wait until it ends."""
        gathering, now = self.store.get_gathering(gathering_id), self.now()
        if gathering.status is not GatheringStatus.OPEN:
            return RunStep(gathering.status, True, 0)
        due = gathering.starts_at - self.reminder_lead
        if now < due:
            return RunStep(gathering.status, False, _seconds(due, now))
        for invitation in self.store.invitations(gathering_id):
            if invitation.answer is Answer.YES:
                self._letter(invitation, "reminder", gathering_emails.reminder, gathering)
        return RunStep(gathering.status, True, _seconds(gathering.details.ends_at, now))

    def close(self, gathering_id: str) -> RunStep:
        """After the gathering has ended: closed for answers, open for attendance."""
        gathering, now = self.store.get_gathering(gathering_id), self.now()
        if gathering.status is GatheringStatus.OPEN and now < gathering.details.ends_at:
            return RunStep(gathering.status, False, _seconds(gathering.details.ends_at, now))
        if self.store.end(gathering_id, GatheringStatus.CLOSED) and "@" in gathering.created_by:
            # the organiser (a staff member who created it on the page) is asked to record who came
            signed_up = Tally.of(self.store.invitations(gathering_id)).signed_up
            url = self.letters.settings.url(f"/staff?side=/arrangementer/{gathering_id}")
            email = gathering_emails.attendance_request(gathering.created_by, gathering, signed_up, url)
            self.letters.mailer.send(email, {"gathering_id": gathering_id, "recipient": "organiser"})
        return RunStep(self.store.get_gathering(gathering_id).status, True, 0)

    # --- the invited person's link ------------------------------------------------------------------

    def answer(self, gathering_id: str, link_id: str, yes: bool) -> Answered:
        """One tap: a seat, the waiting list, or no. NotFound for a link nobody was sent;
        SignUpClosed (with why, in Danish) when answers are over."""
        before = self.store.get_invitation(gathering_id, link_id)
        answer = self.store.answer(gathering_id, link_id, yes, self.now())
        invitation = self.store.get_invitation(gathering_id, link_id)
        gathering = self.store.get_gathering(gathering_id)
        if answer is Answer.YES and before is not None and before.answer is not Answer.YES:
            self.measures.measure("GatheringSignUps", gathering.where)
        if invitation is not None:
            self._note(invitation, EventKind.GATHERING_ANSWERED, gathering, "invited person", answer.value)
        self.move_up(gathering_id)
        # the person may have moved up themselves (a seat given back while they joined the list)
        after = self.store.get_invitation(gathering_id, link_id)
        return Answered(after.answer if after else answer, self.store.get_gathering(gathering_id))

    def move_up(self, gathering_id: str) -> list[Invitation]:
        """Every free seat to the first on the waiting list, each told by email."""
        promoted = []
        while (invitation := self.store.promote_next(gathering_id)) is not None:
            promoted.append(invitation)
            gathering = self.store.get_gathering(gathering_id)
            self.measures.measure("GatheringSignUps", gathering.where)
            seat = f"seat-{invitation.answered_at}"  # a later seat (after a no and a new yes) is a new letter
            self._letter(invitation, seat, gathering_emails.seat_from_waiting_list, gathering)
        return promoted

    # --- letters and history ---------------------------------------------------------------------------

    def _letter(
        self,
        invitation: Invitation,
        what: str,
        write: Callable[[str, str, Gathering, str], Email],
        gathering: Gathering,
    ) -> int:
        """One letter to an invited person, once per gathering and `what`; 0 if they are gone."""
        try:
            person = self.repository.get_person(invitation.person_kind, invitation.person_id)
        except NotFound:
            return 0
        if not person.email:
            return 0
        email = write(person.email, person.first_name, gathering, self._url(gathering.id, invitation.link_id))
        self.letters.send_once(person, f"gathering-{gathering.id}-{what}", email, _recipient(person))
        return 1

    def _note(self, invitation: Invitation, kind: EventKind, gathering: Gathering, by: str, value: str) -> None:
        event = Event(
            at=self.now(),
            kind=kind,
            by=by,
            details={"gathering_id": gathering.id, "theme": gathering.details.theme[:200], "value": value},
        )
        with contextlib.suppress(NotFound):  # an erased person keeps no trail
            self.repository.add_event(invitation.person_kind, invitation.person_id, event)
