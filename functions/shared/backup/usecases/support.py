"""After the match: the tasks of the support state machine (one run per match, carried on in a new
run before a Standard execution's year is up).

The consultant's steps (the roles agreement, each check-in) are human steps on the match's record
(backup.usecases.human_steps): one link, reminders, ops after the last reminder. What a link
records is kept on the match in the same conditional write that uses the link
(backup.usecases.link_decisions); after each wait the next task confirms the task result against
the used link, so a replayed token or a direct invoke records nothing. A check-in is only opened
for a match that is still MATCHED and not paused.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from backup.domain import support_emails
from backup.domain.clock import DANISH_TIME
from backup.domain.closure import leaves_the_programme
from backup.domain.emails import Email
from backup.domain.errors import Conflict, PersonGone
from backup.domain.executions import run_of
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import Link, LinkKind
from backup.domain.records import ProposalRecord
from backup.domain.settings import PROPOSAL_LINK_DAYS, Settings
from backup.domain.stages import Stage
from backup.domain.support import STEP_KINDS, CheckInSchedule, check_in_number, support_execution
from backup.domain.transitions import TransitionRefused
from backup.usecases.concerns import Concerns
from backup.usecases.human_steps import SYSTEM, HumanSteps, Reminded, Step
from backup.usecases.letters import Letters
from backup.usecases.ports import Clock, Executions, Expect, Metrics, Repository
from backup.usecases.safeguards import Safeguards

MATCH_KIND = RecordKind.MATCH
ROLES_LIFETIME = timedelta(days=PROPOSAL_LINK_DAYS)
# the contact adult's confirmation link lives as long as the roles step may wait, and a while more
CONFIRM_LIFETIME = timedelta(days=2 * PROPOSAL_LINK_DAYS)


class Support:
    def __init__(
        self,
        repository: Repository,
        letters: Letters,
        steps: HumanSteps,
        executions: Executions,
        settings: Settings,
        schedule: CheckInSchedule,
        now: Clock,
        metrics: Metrics,
        safeguards: Safeguards,
        concerns: Concerns,
    ):
        self.concerns = concerns
        self.repository = repository
        self.letters = letters
        self.steps = steps
        self.executions = executions  # the support machine's executions
        self.settings = settings
        self.schedule = schedule
        self.now = now
        self.metrics = metrics
        self.safeguards = safeguards

    # --- the run ------------------------------------------------------------------------------

    def begin(self, match_id: str, requested_by: str = SYSTEM) -> int:
        """The match was confirmed: its support run starts (once; a retry starts nothing twice).
        Only a MATCHED match gets one: a direct invoke about a proposal is refused and alarmed."""
        match = self.repository.get_proposal(match_id)
        if match.stage is not Stage.MATCHED:
            self.safeguards.forged(match, Stage.MATCHED, {"begin_support": match_id}, requested_by)
            raise TransitionRefused(match_id, match.stage, Stage.MATCHED, "support is for a confirmed match")
        run = match.support_run or 1
        self.executions.start(match_id, {"proposal_id": match_id}, run=run, name=support_execution(match_id, run))
        with contextlib.suppress(Conflict):  # a retry of this task recorded it already
            self.repository.update(
                match.kind,
                match_id,
                set={
                    "support_run": 1,
                    "check_ins": {},
                    "concern_links": {},
                    "concerns": {},
                    "pulses": {},
                    # the first "hvordan går det?" falls between the first check-ins
                    "next_pulse_at": self.now() + timedelta(seconds=max(1, self.schedule.monthly_seconds // 2)),
                    "next_check_in_at": self.now() + timedelta(seconds=self.schedule.wait_before(1)),
                },
                event=Event(at=self.now(), kind=EventKind.SUPPORT_STARTED, stage=Stage.MATCHED, by=SYSTEM),
                expect=Expect(stages=frozenset({Stage.MATCHED}), unset=frozenset({"support_run"})),
            )
        return run

    def start(self, match_id: str) -> None:
        """The run's first task (and a carried-on run's): each of the three has their concern link."""
        if self._match(match_id).stage is Stage.MATCHED:
            self.concerns.give_links(match_id)

    def _match(self, match_id: str) -> ProposalRecord:
        return self.repository.get_proposal(match_id)

    def _guard(self, match_id: str) -> None:
        """Looked at after a wait's token is stored: a match that ended meanwhile ends the run."""
        if self._match(match_id).stage is not Stage.MATCHED:
            raise PersonGone(match_id)

    def continue_run(self, match_id: str, execution: str) -> int:
        """The run outlived its year: the next run starts straight at the check-ins, then the record
        names it (a retry names the same run: it counts on from this execution's name)."""
        following = run_of(execution) + 1
        self.executions.start(
            match_id,
            {"proposal_id": match_id, "resume": "check_ins"},
            run=following,
            name=support_execution(match_id, following),
        )
        match = self._match(match_id)
        if (match.support_run or 1) < following:
            self.repository.update(
                match.kind,
                match_id,
                set={"support_run": following},
                event=Event(at=self.now(), kind=EventKind.RUN_CONTINUED, by=SYSTEM, details={"run": str(following)}),
            )
        return following

    # --- the consultant's steps ---------------------------------------------------------------

    def number(self, match: ProposalRecord) -> int:
        """The number of the next check-in: those recorded and those missed, plus one."""
        return check_in_number(len(match.check_ins), match.check_ins_missed)

    def step(self, match: ProposalRecord, kind: LinkKind) -> Step:
        consultant = match.consultant or self.settings.consultant_email
        name = next(step for step, step_kind in STEP_KINDS.items() if step_kind is kind)
        youth = self.repository.get_young_person(match.youth_id)
        if kind is LinkKind.CLOSURE:
            aged_out = match.closure_requested is None  # nobody asked: the young person has turned 25

            def request(url: str) -> Email:
                return support_emails.closure_request(consultant, match.id, youth.first_name, url, aged_out)

            lifetime = ROLES_LIFETIME
        elif kind is LinkKind.CONCERN_DECISION:

            def request(url: str) -> Email:
                return support_emails.concern_decision_request(consultant, match.id, youth.first_name, url)

            lifetime = ROLES_LIFETIME
        elif kind is LinkKind.ROLES:
            volunteer = self.repository.get_volunteer(match.volunteer_id)

            def request(url: str) -> Email:
                return support_emails.roles_request(consultant, match.id, youth.first_name, volunteer.first_name, url)

            lifetime = ROLES_LIFETIME
        else:
            number = self.number(match)

            def request(url: str) -> Email:
                return support_emails.check_in_request(consultant, match.id, number, youth.first_name, url)

            # a check-in's link lives until the next one falls due
            lifetime = timedelta(seconds=self.schedule.wait_before(number + 1))
        ops = self.settings.ops_email
        return Step(
            kind=kind,
            stage=None,
            metric_stage=Stage.MATCHED,
            consultant=consultant,
            lifetime=lifetime,
            request=request,
            reminder=lambda url, n: support_emails.support_reminder(consultant, name, match.id, url, n),
            escalation=lambda reminders: support_emails.support_escalation(ops, name, match.id, reminders),
        )

    def open(self, match_id: str, kind: LinkKind, token: str) -> None:
        """The consultant gets the step's link (or, after a reminder, the same link waits again)."""
        match = self._match(match_id)
        if match.stage is not Stage.MATCHED:
            raise PersonGone(match_id)
        self.steps.open(
            match,
            self.step(match, kind),
            token,
            guard=lambda: self._guard(match_id),
            # no check-in while the match is paused, whoever asks
            expect=Expect(
                stages=frozenset({Stage.MATCHED}),
                unset=frozenset({"support_paused"}) if kind is LinkKind.CHECK_IN else frozenset(),
            ),
        )

    def remind(self, match_id: str, kind: LinkKind) -> Reminded:
        self._guard(match_id)
        match = self._match(match_id)
        return self.steps.remind(match, self.step(match, kind))

    def confirm(self, match_id: str, step: str, claimed: dict[str, Any], requested_by: str) -> str:
        """After a step's wait: "recorded" only if the step's link was used and its record is on the
        match; anything else is forged (recorded, alarmed) and the step waits again."""
        kind = STEP_KINDS[step]
        match = self._match(match_id)
        link_id = match.open_link_id or self._last_kept(match, kind)  # a retry finds the step closed
        link = self.repository.get_link(link_id) if link_id else None
        if match.concern_open and not (link is not None and link.kind is kind and link.is_used):
            return "concern"  # a concern woke the wait: the consultant and ops hear now
        if link is not None and link.kind is kind and link.is_used and self._kept(match, link):
            if kind is LinkKind.ROLES:
                self._ask_contact_adult(match)
            outcome = "close" if link.decision == "close" and kind is LinkKind.CHECK_IN else "recorded"
            if kind is LinkKind.CONCERN_DECISION and match.concern_decision is not None:
                outcome = self.concerns.apply(match, match.concern_decision)
            # the step is done: the next check-in opens a fresh link (a used one would be delivered again)
            done: dict[str, Any] = {"open_link_id": None}
            decided = match.concern_decision
            if kind is LinkKind.CONCERN_DECISION and match.open_link_id and decided and decided.decision == "pause":
                # a paused match is looked at again after a month
                done["next_check_in_at"] = self.now() + timedelta(seconds=self.schedule.monthly_seconds)
            if kind is LinkKind.CHECK_IN:
                done["next_check_in_at"] = self._next_due(self.number(match))
                if match.open_link_id:  # counted once: a retry finds the step closed
                    on_time = match.reminders_sent == 0
                    self.metrics.count("CheckInOnTime" if on_time else "CheckInLate", Stage.MATCHED)
            with contextlib.suppress(Conflict):
                self.repository.update(match.kind, match_id, set=done, expect=Expect(open_link=link.link_id))
            return outcome
        self.safeguards.forged(match, Stage.MATCHED, claimed, requested_by)
        return "forged"

    @staticmethod
    def _last_kept(match: ProposalRecord, kind: LinkKind) -> str | None:
        """The link of the step's last record (the roles, the newest check-in), if any."""
        if kind is LinkKind.ROLES:
            return match.roles.link_id if match.roles else None
        if kind is LinkKind.CLOSURE:
            return match.closure.link_id if match.closure else None
        if kind is LinkKind.CONCERN_DECISION:
            return match.concern_decision.link_id if match.concern_decision else None
        kept = [*match.check_ins.values(), *([match.closure_requested] if match.closure_requested else [])]
        newest = max(kept, key=lambda evidence: evidence.decided_at, default=None)
        return newest.link_id if newest else None

    @staticmethod
    def _kept(match: ProposalRecord, link: Link) -> bool:
        if link.kind is LinkKind.ROLES:
            return match.roles is not None and match.roles.link_id == link.link_id
        if link.kind is LinkKind.CLOSURE:
            return match.closure is not None and match.closure.link_id == link.link_id
        if link.kind is LinkKind.CONCERN_DECISION:
            return match.concern_decision is not None and match.concern_decision.link_id == link.link_id
        if link.decision == "close":
            return match.closure_requested is not None and match.closure_requested.link_id == link.link_id
        return any(check.link_id == link.link_id for check in match.check_ins.values())

    def _ask_contact_adult(self, match: ProposalRecord) -> None:
        """The contact adult gets the agreed roles to confirm (a link that resumes nothing), once."""
        youth = self.repository.get_young_person(match.youth_id)
        if not match.roles_confirm_link_id:
            link = self.steps.new_link(
                (match.kind, match.id),
                LinkKind.ROLES_CONFIRM,
                youth.details.contact_adult_email,
                CONFIRM_LIFETIME,
                None,
            )
            try:
                self.repository.update(
                    match.kind,
                    match.id,
                    set={"roles_confirm_link_id": link.link_id},
                    expect=Expect(unset=frozenset({"roles_confirm_link_id"})),
                )
            except Conflict:  # a retry made one already: that one is sent
                self.repository.invalidate_link(link.link_id, "step_closed")
            match = self._match(match.id)
        self.letters.send_once(
            match,
            "roles_confirm",
            support_emails.roles_confirm_request(
                youth.details.contact_adult_email,
                youth.details.contact_adult_name,
                youth.first_name,
                self.settings.url(f"/decisions/{match.roles_confirm_link_id}"),
                self.settings.url(f"/decisions/{match.concern_links['contact_adult']}")
                if "contact_adult" in match.concern_links
                else "",
            ),
            "contact_adult",
        )

    # --- the check-ins' schedule --------------------------------------------------------------

    def _next_due(self, number: int) -> datetime:
        """When check-in `number` falls due, counted from now (the one before it just closed)."""
        return self.now() + timedelta(seconds=self.schedule.wait_before(number))

    def next_check_in(self, match_id: str, run_started: datetime) -> tuple[int, bool, bool]:
        """How long to wait (until the next check-in falls due, but never past this run's lifetime),
        whether this run has lived its lifetime and must carry on in a new one, and whether the
        match has ended. While the match is paused the schedule only looks again a month later."""
        match = self._match(match_id)
        if match.stage is not Stage.MATCHED:
            return 1, False, True
        at = self.now()
        left = self.settings.run_lifetime_seconds - (at - run_started).total_seconds()
        if left < 1:
            return 1, True, False
        if match.concern_open:
            return 1, False, False  # a concern waits for the consultant: no waiting first
        due = match.next_check_in_at or self._next_due(self.number(match))
        until = (due - at).total_seconds()  # paused: when the consultant looks at it again
        if match.next_pulse_at is not None and not match.support_paused:  # the next "hvordan går det?"
            until = min(until, (match.next_pulse_at - at).total_seconds())
        return max(1, int(min(until, left) + 0.999)), False, False

    def due(self, match_id: str) -> tuple[bool, bool, bool, bool]:
        """After the wait: whether to open the check-in (it is due, and the match is not paused),
        whether the match has ended, whether the consultant must decide on a concern (one was
        raised, or a paused match's month has passed: carry on, stay paused, or end), and whether
        the match must close because the young person has turned 25 (a planned ending)."""
        match = self._match(match_id)
        ended = match.stage is not Stage.MATCHED
        due = match.next_check_in_at is None or self.now() >= match.next_check_in_at
        concern = not ended and (match.concern_open or (match.support_paused and due))
        aged_out = not ended and match.closure is None and self._aged_out(match)
        opened = not ended and not match.support_paused and due and not concern and not aged_out
        return opened, ended, concern, aged_out

    def _aged_out(self, match: ProposalRecord) -> bool:
        born = self.repository.get_young_person(match.youth_id).details.birth_date
        return leaves_the_programme(born, self.now().astimezone(DANISH_TIME).date())

    def await_check_in(self, match_id: str, token: str) -> None:
        """The schedule's wait keeps its token on the match, so a concern can wake it at once; one
        raised before the token was stored is seen here."""
        self.repository.update(MATCH_KIND, match_id, set={"support_token": token})
        if self._match(match_id).concern_open:
            self.steps.outbox.owe((MATCH_KIND, match_id), token, {"outcome": "concern"})

    def missed(self, match_id: str) -> None:
        """A check-in's link expired unrecorded: counted, on the history, and the consultant told."""
        match = self._match(match_id)
        if match.stage is not Stage.MATCHED:
            return
        number = self.number(match)
        consultant = match.consultant or self.settings.consultant_email
        self.repository.update(
            match.kind,
            match_id,
            set={
                "check_ins_missed": match.check_ins_missed + 1,
                "open_link_id": None,
                "next_check_in_at": self._next_due(number + 1),
            },
            event=Event(
                at=self.now(),
                kind=EventKind.CHECK_IN_MISSED,
                stage=Stage.MATCHED,
                by=SYSTEM,
                details={"number": str(number)},
            ),
            expect=Expect(open_link=match.open_link_id) if match.open_link_id else None,
        )
        self.letters.send(
            match.kind, match_id, support_emails.check_in_missed(consultant, match_id, number), "consultant"
        )
        self.metrics.count("CheckInMissed", Stage.MATCHED)
