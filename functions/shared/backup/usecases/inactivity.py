"""Nobody is kept on file forever while "in progress". Someone with no activity for InactivityDays
(waiting in the pool for a long time, a journey stuck waiting for ops) is asked, through their
consultant, whether they carry on: the consultant gets a link with two buttons. Carries on: the
clock starts again. Stops, or no answer within ACTIVITY_ANSWER_DAYS: the journey is closed through
its run's Withdrawn branch (they get a kind letter), and the usual retention for someone who never
reached a match applies.

The same hourly pass tells a consultant when a matched young person has asked, by their link, to
stop: a match has no run to end, so the consultant ends it with them.
"""

from __future__ import annotations

from datetime import timedelta

from backup.domain import clock, emails
from backup.domain.errors import Conflict
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import InvalidatedLink, Link, LinkKind, UsedLink, check_usable
from backup.domain.records import Leaving, Person
from backup.domain.settings import ACTIVITY_ANSWER_DAYS, Settings
from backup.domain.stages import Stage
from backup.usecases.human_steps import SYSTEM, HumanSteps
from backup.usecases.letters import Letters
from backup.usecases.ports import Clock, Expect, Repository
from backup.usecases.withdrawal import Withdrawal

# where someone can wait a long time with nothing happening; a proposal and a match have their own
# clocks (a proposal's links expire; a match has its check-ins)
IN_PROGRESS = (
    Stage.APPLIED,  # a run that never got going (its start failed) waits here
    Stage.REFERRED,
    Stage.PHONE_SCREENING,
    Stage.HOME_VISIT,
    Stage.CHILD_CERTIFICATE,
    Stage.TRAINING,
    Stage.READY_FOR_MATCH,
    Stage.REFERRAL_CHECK,
    Stage.WAITING_FOR_MATCH,
)
CHOICES = {"continue": EventKind.STILL_ACTIVE, "close": EventKind.CLOSED_INACTIVE}


class Inactivity:
    def __init__(
        self,
        repository: Repository,
        steps: HumanSteps,
        letters: Letters,
        withdrawal: Withdrawal,
        settings: Settings,
        now: Clock,
    ):
        self.repository = repository
        self.steps = steps
        self.letters = letters
        self.withdrawal = withdrawal
        self.settings = settings
        self.now = now

    # --- the hourly watch -----------------------------------------------------------------------

    def check(self) -> dict[str, int]:
        """Ask about everyone inactive too long; close those whose consultant did not answer in time."""
        at = self.now()
        quiet_since = at - timedelta(days=self.settings.inactivity_days)
        asked = closed = 0
        for stage in IN_PROGRESS:
            waiting = self.repository.waiting_in_stage(stage, since_before=quiet_since)
            for kind in (RecordKind.VOLUNTEER, RecordKind.YOUTH):
                ids = [w.id for w in waiting if w.kind is kind]
                for person in self.repository.get_people(kind, ids) if ids else []:
                    if person.leaving or person.last_activity >= quiet_since:
                        continue
                    link = self.repository.get_link(person.activity_link_id) if person.activity_link_id else None
                    if link is None or not link.is_open:
                        asked += self._ask(person)
                    elif at >= link.expires_at:
                        closed += self._close(person, link, SYSTEM)
        return {"activity_checks": asked, "closed_inactive": closed, "leaving_told": self._tell_about_leavers()}

    def _ask(self, person: Person) -> int:
        consultant = person.consultant or self.settings.consultant_for(person.postcode)
        link = self.steps.new_link(
            (person.kind, person.id), LinkKind.ACTIVITY, consultant, timedelta(days=ACTIVITY_ANSWER_DAYS), None
        )
        try:
            self.repository.update(
                person.kind,
                person.id,
                set={"activity_link_id": link.link_id},
                expect=Expect(stages=frozenset({person.stage})),
                event=Event(at=self.now(), kind=EventKind.ACTIVITY_CHECK, stage=person.stage, by=SYSTEM),
            )
        except Conflict:  # moved on meanwhile: not inactive after all
            self.repository.invalidate_link(link.link_id, "step_closed")
            return 0
        if person.activity_link_id:
            self.repository.invalidate_link(person.activity_link_id, "resent")
        days = (self.now() - person.last_activity).days
        last_day = (link.expires_at - timedelta(days=1)).astimezone(clock.DANISH_TIME).date()  # as people read it
        self.letters.send(
            person.kind,
            person.id,
            emails.activity_check(
                consultant,
                person.id,
                person.first_name,
                person.stage,
                days,
                self.settings.url(f"/decisions/{link.link_id}"),
                last_day,
            ),
            "consultant",
        )
        return 1

    def _close(self, person: Person, link: Link, by: str) -> int:
        self.repository.invalidate_link(link.link_id, "expired")
        return int(self.withdrawal.end_run(person, Leaving.INACTIVE, by))

    def _tell_about_leavers(self) -> int:
        """A matched young person who asked to stop: their consultant is told once."""
        told = 0
        waiting = self.repository.waiting_in_stage(Stage.MATCHED)
        ids = [w.id for w in waiting if w.kind is RecordKind.YOUTH]
        for person in self.repository.get_people(RecordKind.YOUTH, ids) if ids else []:
            if not person.withdrawal_requested or "leaving:consultant" in person.letters_sent:
                continue
            consultant = person.consultant or self.settings.consultant_for(person.postcode)
            self.letters.send_once(
                person,
                "leaving:consultant",
                emails.matched_young_person_leaves(consultant, person.id, person.first_name),
                "consultant",
            )
            told += 1
        return told


class ActivityAnswers:
    """The consultant's link (on the links function): they carry on, or stop."""

    def __init__(self, repository: Repository, withdrawal: Withdrawal, now: Clock):
        self.repository = repository
        self.withdrawal = withdrawal
        self.now = now

    def open(self, link_id: str) -> tuple[Link, Person]:
        """The link and its person, for the page; DeadLink if it cannot be used."""
        link = check_usable(self.repository.get_link(link_id), self.now())
        person = self.repository.get_person(link.record_kind, link.record_id)
        if person.activity_link_id != link.link_id or person.leaving:
            raise InvalidatedLink("Spørgsmålet er ikke længere aktuelt.", link)
        return link, person

    def answer(self, link_id: str, choice: str, notes: str = "") -> Link:
        """The consultant's answer, once: they carry on (the clock starts again) or stop (the
        journey is closed through its run)."""
        if choice not in CHOICES:
            raise ValueError(choice)
        link, person = self.open(link_id)
        at = self.now()
        event = Event(at=at, kind=CHOICES[choice], stage=person.stage, by=link.sent_to, notes=notes[:2000] or None)
        carry_on = {"activity_link_id": None, "still_active_at": at} if choice == "continue" else None
        try:
            self.repository.use_link_once(link, choice, link.sent_to, at, event, carry_on)
        except Conflict:
            check_usable(self.repository.get_link(link_id), at)
            raise UsedLink("Der er allerede svaret på dette link.", link) from None
        if choice == "close":
            self.withdrawal.end_run(person, Leaving.INACTIVE, link.sent_to)
        return link.model_copy(update={"decision": choice, "decided_by": link.sent_to, "decided_at": at})
