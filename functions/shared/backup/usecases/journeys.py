"""A person's journey: the tasks a volunteer's or a young person's state machine runs.

What differs between the two (the first letters, the letters at the end) lives in
backup.usecases.screening (volunteers) and backup.usecases.referral (young people); the steps,
reminders, outcomes, the pool and ops' waits are the same for both and live here.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from backup.domain import emails
from backup.domain.emails import Email
from backup.domain.errors import Conflict, NotFound, Withdrawn
from backup.domain.evidence import certificate_valid_until
from backup.domain.executions import run_of
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import LinkKind
from backup.domain.records import Person, Volunteer
from backup.domain.settings import OPS_LINK_DAYS, Settings
from backup.domain.stages import Stage
from backup.usecases.delivery import Outbox
from backup.usecases.human_steps import SYSTEM, HumanSteps, Reminded, Step
from backup.usecases.letters import Letters
from backup.usecases.ports import Clock, Expect, Metrics, Repository
from backup.usecases.safeguards import Safeguards

# The history event each outcome leaves (other outcomes, READY_FOR_MATCH say, are a stage entered).
OUTCOME_EVENTS = {
    Stage.REJECTED: EventKind.REJECTED,
    Stage.WITHDRAWN: EventKind.WITHDRAWN,
    Stage.CLOSED: EventKind.ENDED_BY_OPS,
}


@dataclass(frozen=True)
class Letter:
    email: Email
    recipient: str  # the role it is tagged with: applicant, contact_adult, ...


class KindOfJourney(Protocol):
    """What a volunteer's and a young person's journeys do differently."""

    def welcome(self, person: Person) -> None:
        """The first task: confirm the application (or referral) to whom it concerns, once."""
        ...

    def outcome_letter(self, person: Person, outcome: Stage) -> Letter | None:
        """The letter an outcome sends (None: a person follows up, or nobody needs one)."""
        ...


def short_cause(cause: str) -> str:
    """Lambda's failure cause is JSON with the error message; keep the message, not the stack."""
    try:
        parsed = json.loads(cause)
    except (TypeError, ValueError):
        return (cause or "")[:300]
    if isinstance(parsed, dict):
        return str(parsed.get("errorMessage") or parsed.get("message") or "")[:300]
    return str(parsed)[:300]


class Journeys:
    def __init__(
        self,
        repository: Repository,
        letters: Letters,
        steps: HumanSteps,
        outbox: Outbox,
        settings: Settings,
        now: Clock,
        metrics: Metrics,
        kinds: dict[RecordKind, KindOfJourney],
        safeguards: Safeguards,
    ):
        self.safeguards = safeguards
        self.repository = repository
        self.letters = letters
        self.steps = steps
        self.outbox = outbox
        self.settings = settings
        self.now = now
        self.metrics = metrics
        self.kinds = kinds

    def start(self, kind: RecordKind, person_id: str) -> int:
        """The first task; answers how long a step waits before its first reminder."""
        self.kinds[kind].welcome(self.repository.get_person(kind, person_id))
        return self.settings.reminder_delay_seconds

    # --- the consultant's steps ---------------------------------------------------------------

    def step(self, person: Person, stage: Stage) -> Step:
        """A screening step (or the referral check) of this person, decided by their region's consultant."""
        consultant = person.consultant or self.settings.consultant_for(person.postcode)
        ops = self.settings.ops_email
        return Step(
            kind=LinkKind.DECISION,
            stage=stage,
            metric_stage=stage,
            consultant=consultant,
            lifetime=self.settings.link_lifetime(),
            request=lambda url: emails.step_request(consultant, stage, person.id, url),
            reminder=lambda url, number: emails.reminder(consultant, stage, person.id, url, number),
            escalation=lambda reminders: emails.escalation(ops, stage, person.id, reminders),
            output=lambda link: {"outcome": link.decision, "link_id": link.link_id},
        )

    def open_step(self, kind: RecordKind, person_id: str, stage: Stage, token: str, requested_by: str) -> None:
        """Store the wait's token behind a link and email the consultant (once per step). A step
        opened out of order (a skip, a repeat, a step back) is refused and raises the alarm."""
        person = self._still_in(kind, person_id)
        step = self.step(person, stage)

        def guard() -> None:
            self._still_in(kind, person_id)

        if self.steps.wait_again(person, step, token, guard):
            self._tell_the_next_step(kind, person_id, stage)  # a retry: sent unless it went before
            return
        self.safeguards.check(person, stage, requested_by)
        self.steps.open_fresh(
            person,
            step,
            token,
            guard,
            {"stage": stage, "stage_since": self.now(), "open_stage": stage},
            expect=Expect.stage(person.stage),
        )
        self._tell_the_next_step(kind, person_id, stage)

    def _tell_the_next_step(self, kind: RecordKind, person_id: str, stage: Stage) -> None:
        """A volunteer hears, once, when their journey takes a step (their letters carry the link to
        withdraw, see backup.usecases.letters)."""
        if kind is not RecordKind.VOLUNTEER or stage not in emails.NEXT_STEP_NEWS:
            return
        person = self.repository.get_person(kind, person_id)
        self.letters.send_once(
            person, f"next_step:{stage.value}", emails.next_step(person.email, person.first_name, stage), "volunteer"
        )

    def confirm_step(
        self, kind: RecordKind, person_id: str, stage: Stage, claimed: dict[str, Any], requested_by: str
    ) -> str:
        """After the step's wait: the decision its link recorded (approve or reject), whatever the
        task result said. A result no used link of this step backs (a forged or replayed token) is
        recorded and raised with ops, and answers "forged": the step waits again."""
        person = self.repository.get_person(kind, person_id)
        return self.safeguards.backed_decision(person, LinkKind.DECISION, stage, claimed, requested_by)

    def remind(self, kind: RecordKind, person_id: str, stage: Stage) -> Reminded:
        person = self._still_in(kind, person_id)
        return self.steps.remind(person, self.step(person, stage))

    def is_gone(self, kind: RecordKind, person_id: str) -> bool:
        """Whether the person's record is gone (their data was erased while their run went on)."""
        try:
            self.repository.get_person(kind, person_id)
        except NotFound:
            return True
        return False

    def _still_in(self, kind: RecordKind, person_id: str) -> Person:
        """The person as they are now; Withdrawn if they asked to leave. A task that stores a wait
        looks again after its write: a withdrawal that landed between its first look and its write
        found no wait to end, and withdrawal looks for waits after writing its flag, so of two such
        racers at least one sees the other and the run always ends."""
        person = self.repository.get_person(kind, person_id)
        if person.withdrawal_requested:
            raise Withdrawn(person_id)
        return person

    # --- outcomes -----------------------------------------------------------------------------

    def finish(self, kind: RecordKind, person_id: str, outcome: Stage, requested_by: str) -> None:
        """Record the journey's outcome of screening and tell the applicant (or contact adult). The
        move is checked against the recorded evidence first: a direct invoke asking for
        READY_FOR_MATCH moves nobody."""
        try:
            person = self.repository.get_person(kind, person_id)
        except NotFound:
            if outcome is Stage.WITHDRAWN:
                return  # their data was erased: nothing is left to record, and nobody to write to
            raise
        if outcome is Stage.READY_FOR_MATCH and person.withdrawal_requested:
            raise Withdrawn(person_id)
        if person.stage is not outcome:  # a retried task has recorded it already
            at = self.now()
            changes: dict[str, object] = {"open_stage": None, "open_link_id": None}
            if outcome is Stage.WITHDRAWN:
                changes["proposal_id"] = None  # the open proposal lets go of them (see Proposals)
            if outcome.is_final:  # an ended journey waits for nobody (ops' link dies below)
                # kept after a match longer than after a journey that never got that far
                matched = person.stage is Stage.MATCHED
                changes.update(needs_ops=None, ops_link_id=None, expires_at=self.settings.retention_expiry(at, matched))
            if outcome is Stage.READY_FOR_MATCH and isinstance(person, Volunteer):
                changes["cleared_until"] = (
                    certificate_valid_until(person.evidence[Stage.CHILD_CERTIFICATE], self.settings.rules)
                    if Stage.CHILD_CERTIFICATE in person.evidence
                    else None
                )
            event = Event(at=at, kind=OUTCOME_EVENTS.get(outcome, EventKind.STAGE_ENTERED), stage=outcome, by=SYSTEM)
            self.safeguards.move(person, outcome, event, requested_by, set=changes)
            self._close_links(person, "withdrawn" if outcome is Stage.WITHDRAWN else "decided", outcome.is_final)
            self.metrics.count(f"Entered{outcome.value.title().replace('_', '')}", outcome)
            person = self.repository.get_person(kind, person_id)
        letter = self.kinds[kind].outcome_letter(person, outcome)
        if letter is not None:
            self.letters.send_once(person, f"letter:{outcome.value}", letter.email, letter.recipient)
        if outcome.is_final:  # last, after all this task writes; a retry completes a half-done stamp
            expiry = person.expires_at or self.settings.retention_expiry(self.now(), matched=False)
            self.repository.expire_trail(kind, person_id, expiry)

    def _close_links(self, person: Person, reason: str, final: bool) -> None:
        for link_id in (person.open_link_id, *((person.withdraw_link_id, person.ops_link_id) if final else ())):
            if link_id:
                self.repository.invalidate_link(link_id, reason)

    # --- the pool -----------------------------------------------------------------------------

    def pool_wait(self, run_started: datetime) -> tuple[int, bool]:
        """How long this run may wait in the pool before it must carry on in a new one, and
        whether that time has come."""
        left = self.settings.run_lifetime_seconds - (self.now() - run_started).total_seconds()
        return max(1, int(left)), left < 1

    def continue_run(self, kind: RecordKind, person_id: str, execution: str, start_run: Callable[[int], object]) -> int:
        """The pool wait outlived its run: start the next run (start_run, idempotent by its name),
        then record it, so the record never names a run that does not exist. A retry of this task
        names the same run: it counts on from this execution's name."""
        self._still_in(kind, person_id)
        following = run_of(execution) + 1
        start_run(following)
        event = Event(at=self.now(), kind=EventKind.RUN_CONTINUED, by=SYSTEM, details={"run": str(following)})
        with contextlib.suppress(Conflict):  # a retry of this very task recorded it already
            self.repository.update(
                kind,
                person_id,
                set={"run": following, "match_token": None},
                event=event,
                expect=Expect(run_below=following),
            )
        return following

    def confirm_match(self, kind: RecordKind, person_id: str, requested_by: str) -> str:
        """After the pool's wait was resumed: "matched" only if the record says so; a result no
        match backs raises the alarm and the person waits on in the pool ("forged")."""
        person = self.repository.get_person(kind, person_id)
        if person.stage is Stage.MATCHED and person.proposal_id:
            return "matched"
        self.safeguards.forged(person, Stage.MATCHED, {"outcome": "matched"}, requested_by)
        return "forged"

    def await_match(self, kind: RecordKind, person_id: str, token: str) -> None:
        """The person waits in the pool; the match's last step resumes this wait."""
        self._still_in(kind, person_id)
        self.repository.update(kind, person_id, set={"match_token": token})
        # look again after storing the token: a match that completed (or a withdrawal that landed)
        # since the first read did not see this wait, so this task must act on it itself
        if self._still_in(kind, person_id).stage is Stage.MATCHED:  # (if the match resumed it, it is gone)
            self.outbox.owe((kind, person_id), token, {"outcome": "matched"})

    # --- ops ----------------------------------------------------------------------------------

    def ask_ops(
        self,
        kind: RecordKind,
        record_id: str,
        failed_state: str,
        error: str,
        cause: str,
        token: str,
        withdrawable: bool,
    ) -> None:
        """A task failed for good: email ops a link to retry it or end the journey, and wait."""
        at = self.now()
        link = self.steps.new_link(
            (kind, record_id),
            LinkKind.OPS,
            self.settings.ops_email,
            timedelta(days=OPS_LINK_DAYS),
            token,
            failed_state=failed_state,
            error=error[:200],
        )
        self.repository.update(
            kind,
            record_id,
            set={"needs_ops": failed_state, "ops_link_id": link.link_id},
            event=Event(
                at=at,
                kind=EventKind.NEEDS_OPS,
                by=SYSTEM,
                details={"failed_state": failed_state, "error": error[:200], "cause": short_cause(cause)},
            ),
        )
        if withdrawable:  # nothing left for ops to decide (but a failed Withdrawn itself needs them)
            try:
                self._still_in(kind, record_id)
            except Withdrawn:
                self.repository.invalidate_link(link.link_id, "withdrawn")
                raise
        # Counted first: the NeedsOps alarm reaches ops through its topic even when the email does not.
        self.metrics.count("NeedsOps")
        try:
            self.letters.send(
                kind,
                record_id,
                emails.ops_attention(
                    self.settings.ops_email, record_id, failed_state, error, short_cause(cause), self.steps.url(link)
                ),
                "ops",
            )
        except Exception as failure:  # noqa: BLE001 - any failure to email ops must leave the run waiting
            # Failing here would end the run FAILED with the record in its old stage, out of reach of a
            # withdrawal and of `backup-ops`. Waiting instead keeps every way out open: the alarm,
            # `backup-ops stuck` (needs_ops) with `backup-ops retry|end ID`, a withdrawal, and the end
            # of the ops wait after OpsWaitDays.
            self.metrics.count("OpsEmailFailed")
            with contextlib.suppress(NotFound):
                self.repository.add_event(
                    kind,
                    record_id,
                    Event(
                        at=self.now(),
                        kind=EventKind.OPS_NOT_EMAILED,
                        by=SYSTEM,
                        details={"failed_state": failed_state, "error": type(failure).__name__},
                    ),
                )
