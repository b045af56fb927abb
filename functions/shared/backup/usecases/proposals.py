"""From a proposal to a match: the tasks of the match state machine.

A proposal is a record of its own (kind MATCH) with its own history. Claiming a young person
and a volunteer for a proposal is one conditional write of all three records, so nobody is ever
in two open proposals or two matches, however many matching runs overlap. The consultant's two
steps (choosing, recording the introduction) are human steps (backup.usecases.human_steps); the
two people's answers share one wait, and the consultant is told once who has not answered.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta
from typing import Any

from backup.domain import clock, emails
from backup.domain.errors import Conflict, NotFound, PersonGone, StepNotWaiting
from backup.domain.history import Event, EventKind
from backup.domain.kinds import Party, RecordKind
from backup.domain.links import Link, LinkKind
from backup.domain.match_choices import INTRO_ENDED, INTRO_OUTCOMES, INTRO_RESCHEDULED
from backup.domain.proposals import Proposal
from backup.domain.records import Person, ProposalRecord
from backup.domain.settings import PROPOSAL_LINK_DAYS, Settings
from backup.domain.stages import Stage
from backup.domain.transitions import TransitionRefused, clearance_problem
from backup.usecases.delivery import Deliverer, Outbox
from backup.usecases.human_steps import SYSTEM, HumanSteps, Reminded, Step
from backup.usecases.letters import Letters
from backup.usecases.ports import Change, Clock, Executions, Expect, Metrics, Repository
from backup.usecases.safeguards import Safeguards

LINK_LIFETIME = timedelta(days=PROPOSAL_LINK_DAYS)
# The consultant's step at each stage of a proposal, and what a reminder says is still missing.
STEP_AT = {Stage.MATCH_PROPOSED: LinkKind.PROPOSAL, Stage.INTRO_MEETING: LinkKind.INTRO}


def outcome_of(answers: dict[Party, str]) -> str | None:
    """The two answers' outcome, once both have answered: both_yes, or declined if either said no.
    Never at the first no: the other's link stays open and nothing changes for them until they
    answer too (or the links run out), so neither can tell from a closed link, an early letter or
    its timing who said no."""
    if len(answers) < 2:
        return None
    return "declined" if "no" in answers.values() else "both_yes"


def decided(links: dict[Party, Link]) -> str | None:
    """The outcome the used answer links already hold (each link is used atomically, before the
    record's `outcome` is written): declined, both_yes, or None while still waiting."""
    return outcome_of({party: link.decision for party, link in links.items() if link.is_used and link.decision})


def choice_output(decision: str) -> dict[str, Any]:
    """What a consultant's decision resumes the match with: the outcome, and the chosen volunteer."""
    output: dict[str, Any] = {"outcome": decision.split(":")[0]}
    if decision.startswith("chosen:"):
        output["volunteer_id"] = decision.split(":", 1)[1]
    return output


class Proposals:
    def __init__(
        self,
        repository: Repository,
        letters: Letters,
        steps: HumanSteps,
        outbox: Outbox,
        executions: Executions,
        settings: Settings,
        now: Clock,
        metrics: Metrics,
        safeguards: Safeguards,
    ):
        self.safeguards = safeguards
        self.repository = repository
        self.letters = letters
        self.steps = steps
        self.outbox = outbox
        self.executions = executions  # the match machine's executions
        self.settings = settings
        self.now = now
        self.metrics = metrics

    # --- proposals ----------------------------------------------------------------------------

    def propose(self, plans: list[Proposal], requested_by: str = "the matching") -> list[str]:
        """Create a proposal per plan whose two people are still free and still cleared (their
        evidence holds today: a volunteer's certificate counts, nobody is suspended); start its run.
        The claim itself is conditional on the same, so nobody is proposed who was not cleared at
        the moment of the claim."""
        created = []
        for plan in plans:
            at = self.now()
            people = self._cleared(plan.young_id, plan.chosen.volunteer_id)
            if people is None:
                continue
            youth, volunteer = people
            record = ProposalRecord(
                id=uuid.uuid4().hex[:12],
                stage=Stage.MATCH_PROPOSED,
                stage_since=at,
                created_at=at,
                youth_id=plan.young_id,
                volunteer_id=plan.chosen.volunteer_id,
                chosen=plan.chosen,
                alternatives=plan.alternatives,
            )
            proposed = Event(
                at=at,
                kind=EventKind.MATCH_PROPOSED,
                stage=Stage.MATCH_PROPOSED,
                by=SYSTEM,
                details={"proposal_id": record.id},
            )
            try:
                self.repository.change_together(
                    [
                        self._claim(youth, record.id, proposed, requested_by),
                        self._claim(volunteer, record.id, proposed, requested_by),
                    ],
                    new_proposal=record,
                    new_proposal_event=proposed,
                )
            except Conflict:
                continue  # one of them was claimed by an overlapping run (or lost their clearance)
            try:
                # each wait reminds (remind, nudge) after this, and gives up when its links expire
                self.executions.start(
                    record.id, {"proposal_id": record.id, "remind_after_seconds": self.settings.reminder_delay_seconds}
                )
            except Exception:
                self.release(record.id, exclude=False, tell=False)  # no run: nobody stays held by it
                raise
            self.metrics.count("MatchProposed", Stage.MATCH_PROPOSED)
            created.append(record.id)
        return created

    def _cleared(self, youth_id: str, volunteer_id: str) -> tuple[Person, Person] | None:
        """The two, if both may be proposed today; None (nobody alarmed: it is no attack) otherwise."""
        try:
            youth, volunteer = self.repository.get_young_person(youth_id), self.repository.get_volunteer(volunteer_id)
        except NotFound:
            return None
        today = self.now().date()
        if any(clearance_problem(p, today, self.settings.rules) for p in (youth, volunteer)):
            return None
        return youth, volunteer

    def _claim(self, person: Person, proposal_id: str, event: Event, requested_by: str) -> Change:
        """A person held by the proposal, checked now and again in the write: still where they were
        read, free, not suspended, not leaving, and (a volunteer) with a certificate that counts."""
        cleared_after = self.now().date() if person.kind is RecordKind.VOLUNTEER else None
        return self.safeguards.change(
            person,
            Stage.MATCH_PROPOSED,
            event,
            requested_by,
            set={"proposal_id": proposal_id},
            expect=Expect(
                free=True, unset=frozenset({"suspended", "withdrawal_requested"}), cleared_after=cleared_after
            ),
        )

    def _release(
        self, person: Person, proposal_id: str, event: Event, requested_by: str, extra: dict[str, Any] | None = None
    ) -> Change:
        back = Stage.READY_FOR_MATCH if person.kind is RecordKind.VOLUNTEER else Stage.WAITING_FOR_MATCH
        return self.safeguards.change(
            person,
            back,
            event,
            requested_by,
            set={"proposal_id": None, **(extra or {})},
            expect=Expect(held_by=proposal_id),
        )

    def choose(self, proposal_id: str, volunteer_id: str, requested_by: str = SYSTEM) -> bool:
        """Record the consultant's choice; an alternative must still be free and cleared to be claimed."""
        match = self.repository.get_proposal(proposal_id)
        if volunteer_id == match.volunteer_id:
            return True
        people = (
            self._cleared(match.youth_id, volunteer_id)
            if volunteer_id in {c.volunteer_id for c in match.candidates}
            else None
        )
        at = self.now()
        chosen = Event(
            at=at,
            kind=EventKind.MATCH_PROPOSED,
            stage=Stage.MATCH_PROPOSED,
            by=SYSTEM,
            details={"proposal_id": proposal_id},
        )
        released = Event(
            at=at,
            kind=EventKind.MATCH_RELEASED,
            stage=Stage.READY_FOR_MATCH,
            by=SYSTEM,
            details={"proposal_id": proposal_id},
        )
        try:
            if people is None:
                raise Conflict(volunteer_id)
            self.repository.change_together(
                [
                    self._claim(people[1], proposal_id, chosen, requested_by),
                    self._release(
                        self.repository.get_volunteer(match.volunteer_id), proposal_id, released, requested_by
                    ),
                    Change(RecordKind.MATCH, proposal_id, {"volunteer_id": volunteer_id}),
                ]
            )
        except Conflict:
            # taken by another proposal meanwhile: the consultant chooses again, from a fresh link
            self.repository.update(RecordKind.MATCH, proposal_id, set={"open_link_id": None})
            return False
        return True

    def still_on(self, proposal_id: str) -> bool:
        """Whether both people are still in the programme (one may have withdrawn, or been erased,
        meanwhile)."""
        match = self.repository.get_proposal(proposal_id)
        people = self._present(match)
        return all(person is not None and not person.leaving for person in people)

    def _present(self, match: ProposalRecord) -> tuple[Person | None, Person | None]:
        """The two people, or None for one whose data was erased."""
        youth: Person | None = None
        volunteer: Person | None = None
        with contextlib.suppress(NotFound):
            youth = self.repository.get_young_person(match.youth_id)
        with contextlib.suppress(NotFound):
            volunteer = self.repository.get_volunteer(match.volunteer_id)
        return youth, volunteer

    def _people(self, match: ProposalRecord) -> tuple[Person, Person]:
        return self.repository.get_young_person(match.youth_id), self.repository.get_volunteer(match.volunteer_id)

    def _guard(self, proposal_id: str) -> None:
        """Looked at after a wait's token is stored: a withdrawal that failed the old token (between
        two waits) is seen here, and one that comes later fails this token."""
        if not self.still_on(proposal_id):
            raise PersonGone(proposal_id)

    # --- the consultant's steps ---------------------------------------------------------------

    def step(self, match: ProposalRecord, kind: LinkKind, consultant: str, youth_first_name: str) -> Step:
        ops = self.settings.ops_email
        step_name = kind.value
        if kind is LinkKind.PROPOSAL:

            def request(url: str) -> emails.Email:
                return emails.proposal_request(consultant, youth_first_name, match.id, url)
        else:

            def request(url: str) -> emails.Email:
                return emails.intro_request(consultant, match.id, url)

        return Step(
            kind=kind,
            stage=None,
            metric_stage=next(s for s, k in STEP_AT.items() if k is kind),
            consultant=consultant,
            lifetime=LINK_LIFETIME,
            request=request,
            reminder=lambda url, number: emails.proposal_reminder(consultant, step_name, match.id, url, number),
            escalation=lambda reminders: emails.proposal_escalation(ops, step_name, match.id, reminders),
            output=lambda link: choice_output(link.decision or ""),
        )

    def open_proposal(self, proposal_id: str, token: str) -> None:
        """The consultant gets a link to choose the proposed volunteer, an alternative, or none."""
        match = self.repository.get_proposal(proposal_id)
        youth = self.repository.get_young_person(match.youth_id)
        consultant = youth.consultant or self.settings.consultant_for(youth.postcode)
        self.steps.open(
            match,
            self.step(match, LinkKind.PROPOSAL, consultant, youth.first_name),
            token,
            guard=lambda: self._guard(proposal_id),
        )

    def open_intro(self, proposal_id: str, token: str, requested_by: str = SYSTEM) -> None:
        """Both are introduced; the consultant records the meeting from a link."""
        match = self.repository.get_proposal(proposal_id)
        step = self.step(match, LinkKind.INTRO, match.consultant or self.settings.consultant_email, "")
        if self._put_off(match):  # the meeting was moved: a new link for the new date
            self.steps.open_fresh(match, step, token, guard=lambda: self._guard(proposal_id))
            return
        if self.steps.wait_again(match, step, token, guard=lambda: self._guard(proposal_id)):
            return
        self._all_enter(match, Stage.INTRO_MEETING, EventKind.STAGE_ENTERED, requested_by)
        self.steps.open_fresh(
            self.repository.get_proposal(proposal_id), step, token, guard=lambda: self._guard(proposal_id)
        )

    def _introduction_called_off(self, match: ProposalRecord) -> bool:
        """The consultant recorded that the introduction meeting will not happen: they never met."""
        link = self.repository.get_link(match.open_link_id) if match.open_link_id else None
        return link is not None and link.kind is LinkKind.INTRO and link.decision == INTRO_ENDED

    def _put_off(self, match: ProposalRecord) -> bool:
        """The introduction's link was used to say the meeting is moved to a new date (so the run is
        back at the introduction): that link is spent, and the step opens afresh."""
        link = self.repository.get_link(match.open_link_id) if match.open_link_id else None
        return (
            match.stage is Stage.INTRO_MEETING
            and link is not None
            and link.kind is LinkKind.INTRO
            and link.is_used
            and link.decision == INTRO_RESCHEDULED
        )

    def remind(self, proposal_id: str) -> Reminded:
        """The consultant's step waited a reminder period: remind them, then tell ops once; when the
        link has expired the proposal is over (expired: both return to the pool)."""
        match = self.repository.get_proposal(proposal_id)
        self._guard(proposal_id)  # someone withdrew while the step waited: no reminder about them
        kind = STEP_AT.get(match.stage, LinkKind.PROPOSAL)
        consultant = match.consultant or self.settings.consultant_email
        return self.steps.remind(match, self.step(match, kind, consultant, ""))

    # --- the two answers ----------------------------------------------------------------------

    def ask_both(self, proposal_id: str, token: str) -> None:
        """After the meeting each of them gets their own link: do you want to continue?
        After a nudge to the consultant the same links wait again under the new token."""
        match = self.repository.get_proposal(proposal_id)
        if match.answer_links:
            self._answers_wait_again(match, token)
            return
        youth, volunteer = self._people(match)
        links = {
            party: self.steps.new_link(
                (match.kind, match.id), LinkKind.CONTINUE, person.email, LINK_LIFETIME, token, party=party
            ).link_id
            for party, person in ((Party.YOUTH, youth), (Party.VOLUNTEER, volunteer))
        }
        self.repository.update(RecordKind.MATCH, proposal_id, set={"answer_links": links, "answers": {}})
        self._ask_questions(self.repository.get_proposal(proposal_id))

    def _ask_questions(self, match: ProposalRecord) -> None:
        """Each of the two gets their question once: a retry after SES throttled sends what is missing."""
        youth, volunteer = (
            self.repository.get_young_person(match.youth_id),
            self.repository.get_volunteer(match.volunteer_id),
        )
        match = self.letters.send_once(
            match,
            "question:youth",
            emails.continue_question(
                youth.email,
                youth.first_name,
                youth.answers_through_contact_adult,
                self.settings.url(f"/decisions/{match.answer_links[Party.YOUTH]}"),
            ),
            "youth",
        )
        self.letters.send_once(
            match,
            "question:volunteer",
            emails.continue_question(
                volunteer.email,
                volunteer.first_name,
                False,
                self.settings.url(f"/decisions/{match.answer_links[Party.VOLUNTEER]}"),
            ),
            "volunteer",
        )

    def _answer_links(self, match: ProposalRecord) -> dict[Party, Link]:
        """The two people's "continue?" links, by party, as stored now."""
        found = {party: self.repository.get_link(link_id) for party, link_id in match.answer_links.items()}
        return {party: link for party, link in found.items() if link is not None}

    def _answers_wait_again(self, match: ProposalRecord, token: str) -> None:
        """The unanswered links take the new token; an outcome reached while no wait was open
        (a no, or the second yes) is delivered now."""
        for link_id in match.answer_links.values():
            with contextlib.suppress(Conflict):  # answered at this very moment: the outcome shows below
                self.repository.refresh_token(link_id, token)
        self._guard(match.id)  # looked at after the tokens are stored
        # from the links themselves (each used atomically), not only the record's outcome: an
        # answer being recorded right now may not have written the outcome yet
        outcome = decided(self._answer_links(self.repository.get_proposal(match.id)))
        if outcome:
            with contextlib.suppress(Conflict):  # the answer wrote it first
                self.repository.update(
                    RecordKind.MATCH, match.id, set={"outcome": outcome}, expect=Expect(unset=frozenset({"outcome"}))
                )
            self.outbox.owe((RecordKind.MATCH, match.id), token, {"outcome": outcome})  # unless already resumed
            return
        self._ask_questions(self.repository.get_proposal(match.id))

    def nudge(self, proposal_id: str) -> Reminded:
        """The two have not both answered after a reminder period: the consultant is told, once,
        who has not (they know them and can ask kindly); then the links wait out their life."""
        self._guard(proposal_id)
        match = self.repository.get_proposal(proposal_id)
        answer_links = self._answer_links(match)
        links = list(answer_links.values())
        at = self.now()
        if match.outcome or decided(answer_links) or not links:
            return Reminded(0, False, 1)  # decided meanwhile: the wait picks it up at once
        expires_at = max(link.expires_at for link in links)
        if at >= expires_at:
            for link in links:
                self.repository.invalidate_link(link.link_id, "timed_out")
            return Reminded(0, True, 1)
        silent = [party for party in (Party.YOUTH, Party.VOLUNTEER) if party not in match.answers]
        if silent and not match.nudged:
            youth = self.repository.get_young_person(match.youth_id)
            consultant = match.consultant or self.settings.consultant_email
            # sent once even if SES throttles and the task is retried; recorded after it went
            self.letters.send_once(
                match,
                "nudge",
                emails.answers_missing(
                    consultant,
                    proposal_id,
                    [p.value for p in silent],
                    youth_via_contact_adult=youth.answers_through_contact_adult,
                    expires=expires_at.astimezone(clock.DANISH_TIME).date(),
                ),
                "consultant",
            )
            self.repository.update(
                RecordKind.MATCH,
                proposal_id,
                set={"nudged": True},
                event=Event(
                    at=at,
                    kind=EventKind.REMINDER_SENT,
                    stage=Stage.INTRO_MEETING,
                    by=SYSTEM,
                    details={"to": consultant, "waiting_for": ",".join(p.value for p in silent)},
                ),
            )
            self.metrics.count("ReminderSent", Stage.INTRO_MEETING)
        return Reminded(0, False, max(1, int((expires_at - at).total_seconds()) + 1))

    # --- the end of a proposal ----------------------------------------------------------------

    def confirm_step(
        self, proposal_id: str, step: LinkKind, claimed: dict[str, Any], requested_by: str
    ) -> tuple[str, str | None]:
        """After one of the proposal's waits: what its links recorded (the consultant's choice and
        the chosen volunteer, the introduction, the two answers), whatever the task result said. A
        result no used link backs is recorded and raised with ops ("forged"): the step waits again."""
        match = self.repository.get_proposal(proposal_id)
        if step is LinkKind.CONTINUE:
            outcome = decided(self._answer_links(match))
            if outcome:
                return outcome, None
        else:
            link = self.repository.get_link(match.open_link_id) if match.open_link_id else None
            if link is not None and link.kind is step and link.is_used and link.decision:
                chosen = choice_output(link.decision)
                volunteer_id = chosen.get("volunteer_id")
                if step is LinkKind.INTRO and link.decision in INTRO_OUTCOMES:
                    return link.decision, None
                if step is LinkKind.PROPOSAL and link.decision == "none":
                    return "none", None
                if step is LinkKind.PROPOSAL and volunteer_id in {c.volunteer_id for c in match.candidates}:
                    return "chosen", volunteer_id
        self.safeguards.forged(match, match.stage, claimed, requested_by)
        return "forged", None

    def matched(self, proposal_id: str, requested_by: str = SYSTEM) -> None:
        """Both said yes: both are matched, told, the contact adult informed, their journeys end."""
        match = self.repository.get_proposal(proposal_id)
        if match.stage is not Stage.MATCHED:  # a retried task has recorded it already
            if decided(self._answer_links(match)) != "both_yes":  # only the two people's own answers match them
                self.safeguards.forged(match, Stage.MATCHED, {"outcome": "both_yes"}, requested_by)
                raise TransitionRefused(match.id, match.stage, Stage.MATCHED, "the two have not both answered yes")
            self._all_enter(match, Stage.MATCHED, EventKind.MATCHED, requested_by)
            self.metrics.count("Matched", Stage.MATCHED)
            match = self.repository.get_proposal(proposal_id)
        youth, volunteer = (
            self.repository.get_young_person(match.youth_id),
            self.repository.get_volunteer(match.volunteer_id),
        )
        for person in (youth, volunteer):  # their journeys end first: an email may be throttled
            if person.match_token:  # (a retry owes it again: the same delivery, gone once delivered)
                self.outbox.owe(
                    (person.kind, person.id), person.match_token, {"outcome": "matched", "proposal_id": proposal_id}
                )
        match = self.letters.send_once(
            match, "matched:youth", emails.matched(youth.email, youth.first_name, volunteer.first_name), "youth"
        )
        match = self.letters.send_once(
            match,
            "matched:volunteer",
            emails.matched(volunteer.email, volunteer.first_name, youth.first_name),
            "volunteer",
        )
        self.letters.send_once(
            match,
            "matched:contact_adult",
            emails.contact_adult_informed(
                youth.details.contact_adult_email,
                youth.details.contact_adult_name,
                youth.first_name,
                volunteer.first_name,
            ),
            "contact_adult",
        )

    def release(self, proposal_id: str, exclude: bool, tell: bool) -> None:
        """No match: both return to the pool; an excluded pair is never proposed again; when they
        had met, both are told (nobody is told who said no)."""
        match = self.repository.get_proposal(proposal_id)
        youth, volunteer = self._present(match)  # one may have been erased
        someone_left = any(p is None or p.leaving for p in (youth, volunteer))
        if "no" in match.answers.values() and not someone_left:
            # the links ran out with one no and one silence: still a no, so as after two answers
            # the pair is not proposed again and both get the same letter at the same time (but
            # nobody who has left is written to about a match they left)
            exclude = tell = True
        if match.stage not in {Stage.CLOSED, Stage.MATCHED}:  # a retry has done this already
            self._release_both(match, youth, volunteer, exclude)
        for link_id in [match.open_link_id, *match.answer_links.values()]:
            if link_id:
                self.repository.invalidate_link(link_id, "step_closed")
        if tell:  # each is told kindly that it will not continue, not why
            met = not self._introduction_called_off(match)
            if youth is not None:
                match = self.letters.send_once(
                    match, "not_continuing:youth", emails.not_continuing(youth.email, youth.first_name, met), "youth"
                )
            if volunteer is not None:
                self.letters.send_once(
                    match,
                    "not_continuing:volunteer",
                    emails.not_continuing(volunteer.email, volunteer.first_name, met),
                    "volunteer",
                )
        # last, and outside the guard: a retry completes a half-done stamp (a closed proposal goes in time)
        closed = self.repository.get_proposal(proposal_id)
        if closed.expires_at:
            self.repository.expire_trail(RecordKind.MATCH, proposal_id, closed.expires_at)

    def _release_both(
        self,
        match: ProposalRecord,
        youth: Person | None,
        volunteer: Person | None,
        exclude: bool,
        requested_by: str = SYSTEM,
    ) -> None:
        at = self.now()
        back = Event(
            at=at,
            kind=EventKind.MATCH_RELEASED,
            by=SYSTEM,
            details={"proposal_id": match.id, "pair_excluded": str(exclude).lower()},
        )
        changes = [
            Change(
                RecordKind.MATCH,
                match.id,
                {
                    "stage": Stage.CLOSED,
                    "stage_since": at,
                    "expires_at": self.settings.retention_expiry(at, matched=False),
                },
                event=Event(at=at, kind=EventKind.MATCH_CLOSED, stage=Stage.CLOSED, by=SYSTEM),
            )
        ]
        # someone who withdrew (or was erased) meanwhile stays out; only the other returns to the pool
        if youth is not None and not youth.stage.is_final:
            extra = (
                {"excluded_volunteers": tuple(sorted({*youth.excluded_volunteers, match.volunteer_id}))}
                if exclude
                else {}
            )
            changes.append(self._release(youth, match.id, back, requested_by, extra))
        if volunteer is not None and not volunteer.stage.is_final:
            changes.append(self._release(volunteer, match.id, back, requested_by))
        self.repository.change_together(changes)
        self.metrics.count("MatchReleased")

    def _all_enter(self, match: ProposalRecord, stage: Stage, kind: EventKind, requested_by: str = SYSTEM) -> None:
        """The young person, the volunteer and their proposal move on together, or not at all, each
        person's move checked (a suspended volunteer or one whose certificate ran out goes no further)."""
        at = self.now()
        event = Event(at=at, kind=kind, stage=stage, by=SYSTEM, details={"proposal_id": match.id})
        youth, volunteer = self._people(match)
        if youth.proposal_id != match.id or volunteer.proposal_id != match.id:
            raise PersonGone(match.id)  # someone who withdrew is let go of it
        try:
            self.repository.change_together(
                [
                    self.safeguards.change(person, stage, event, requested_by, expect=Expect(held_by=match.id))
                    for person in (youth, volunteer)
                ]
                + [Change(RecordKind.MATCH, match.id, {"stage": stage, "stage_since": at}, event=event)]
            )
        except Conflict:
            raise PersonGone(match.id) from None


class ProposalWaits:
    """Where a proposal's links deliver: the consultant's decisions and the two answers, to the
    wait the match's execution is in (the screening function's side of proposals)."""

    def __init__(self, repository: Repository, deliverer: Deliverer):
        self.repository = repository
        self.deliverer = deliverer

    def answer(self, link: Link, answer: str) -> bool:
        """Record one side's answer (its link is used already); resume once, when both have answered.
        False if the proposal waits for answers no longer."""
        assert link.party is not None
        outcome = outcome_of(self.repository.record_answer(link.record_id, link.party, answer).answers)
        if outcome is None:
            return True
        try:  # only the first to see the outcome resumes the match
            self.repository.update(
                RecordKind.MATCH, link.record_id, set={"outcome": outcome}, expect=Expect(unset=frozenset({"outcome"}))
            )
        except Conflict:
            return True
        return self.deliver(link, {"outcome": outcome})

    def deliver(self, link: Link, output: dict[str, Any]) -> bool:
        """Resume the match where it waits. False if it waits no longer (ended, or its wait timed
        out and will not come back for this link)."""
        match = self.repository.get_proposal(link.record_id)
        # the two answers share one wait: any of their links may hold its newest token
        candidates = list(match.answer_links.values()) if link.kind is LinkKind.CONTINUE else [link.link_id]
        tried = {link.task_token} if link.task_token else set()
        about = (RecordKind.MATCH, match.id)
        if link.task_token:
            with contextlib.suppress(StepNotWaiting):
                self.deliverer.resume_or_owe(about, link.task_token, output)
                return True
        for link_id in candidates:
            found = self.repository.get_link(link_id)
            if found is not None and found.task_token and found.task_token not in tried:
                tried.add(found.task_token)
                with contextlib.suppress(StepNotWaiting):
                    self.deliverer.resume_or_owe(about, found.task_token, output)
                    return True
        # picked up when the step waits again (wait_again, _answers_wait_again)
        return match.waits_on(link)
