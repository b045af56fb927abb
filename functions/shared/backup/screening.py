"""The volunteer's journey through screening: the use cases behind the state machine's tasks,
the consultants' decision pages and the applicant's withdrawal link.

Adapters come in as arguments (repository, mailer, engine), so the rules here can be tested
with moto or with fakes alike.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from backup import clock, emails
from backup.executions import run_of
from backup.history import Event, EventKind
from backup.letters import send_once
from backup.links import (
    InvalidatedLink,
    Link,
    LinkKind,
    LinkStatus,
    UsedLink,
    check_usable,
    new_link_id,
)
from backup.mailer import Email
from backup.regions import consultant_for
from backup.repository import MATCH, VOLUNTEER, YOUTH, Conflict, Repository, keep_until
from backup.stages import Stage
from backup.workflow_engine import StepNotWaiting

SYSTEM = "system"


class Withdrawn(Exception):
    """The applicant withdrew; raised inside a task so the definition's Catch ends the run."""


# What each kind of link lets its holder choose, and the history event each choice leaves.
CHOICES: dict[LinkKind, dict[str, EventKind]] = {
    LinkKind.DECISION: {"approve": EventKind.APPROVED, "reject": EventKind.REJECTED},
    LinkKind.OPS: {"retry": EventKind.OPS_RETRIED, "end": EventKind.OPS_ENDED},
}


def _short_cause(cause: str) -> str:
    """Lambda's failure cause is JSON with the error message; keep the message, not the stack."""
    try:
        parsed = json.loads(cause)
    except (TypeError, ValueError):
        return (cause or "")[:300]
    if isinstance(parsed, dict):
        return str(parsed.get("errorMessage") or parsed.get("message") or "")[:300]
    return str(parsed)[:300]


class StepTimedOut(Exception):
    """A screening step waited past its link's expiry; the definition sends it to ops."""


class NoOpenStep(Exception):
    """The person has no screening step waiting for a consultant."""


class MailSender(Protocol):
    def send(self, email: Email, tags: dict[str, str] | None = None) -> str: ...


class Engine(Protocol):
    def resume(self, task_token: str, output: dict[str, Any]) -> None: ...
    def fail(self, task_token: str, error: str, cause: str) -> None: ...


@dataclass(frozen=True)
class Settings:
    base_url: str
    consultant_email: str
    ops_email: str
    max_reminders: int
    reminder_delay_seconds: int
    retention_days: int = 1825
    # Standard executions stop after a year; someone still waiting in the pool carries on in a new
    # run before that (330 days leaves a month for a step that is mid-way when the time comes)
    run_lifetime_seconds: int = 330 * 24 * 3600
    regional_consultants: dict[str, str] = field(default_factory=dict)

    def consultant_for(self, postcode: str) -> str:
        return consultant_for(postcode, self.regional_consultants, self.consultant_email)
    def link_lifetime(self) -> timedelta:
        """A decision link lives as long as its step may wait: a period per reminder, one until
        escalation and two more for ops to act; then the step times out and goes to ops."""
        return timedelta(seconds=self.reminder_delay_seconds * (self.max_reminders + 3))


def retention_expiry(settings: Settings | None, at: datetime) -> int:
    """When an ended journey's data is deleted (DynamoDB TTL, epoch seconds): RetentionDays after the end."""
    retention = settings.retention_days if settings else Settings.retention_days
    return int((at + timedelta(days=retention)).timestamp())


def _url(settings: Settings, path: str) -> str:
    return settings.base_url.rstrip("/") + path


class Screening:
    def __init__(
        self,
        repository: Repository,
        mailer: MailSender | None,
        engine: Engine | None,
        settings: Settings | None,
        now: Callable[[], datetime],
        count_metric: Callable[[str, Stage | None], None] = lambda name, stage: None,
        measure_wait: Callable[[Stage, float], None] = lambda stage, seconds: None,
    ):
        self.repository = repository
        self.mailer = mailer
        self.engine = engine
        self.settings = settings
        self.now = now
        self.count_metric = count_metric
        self.measure_wait = measure_wait

    # --- tasks run by the state machine -------------------------------------------------------

    def start(self, application_id: str, kind: str = VOLUNTEER) -> dict[str, int]:
        """Confirm the application to the applicant (with a link to withdraw), or the referral
        to the contact adult."""
        settings = self._settings()
        volunteer = self.repository.get_person(application_id, kind)
        details = volunteer["details"]
        if kind == YOUTH:
            self._mail_once(volunteer, "referral_received", emails.referral_received(
                details["contact_adult_email"], details["contact_adult_name"], details["first_name"], application_id),
                "contact_adult")
            return {"reminder_delay_seconds": settings.reminder_delay_seconds}
        withdraw_id = volunteer.get("withdraw_link_id")
        if not withdraw_id:  # a retried task keeps the link it made
            at = self.now()
            withdraw_id = new_link_id()
            link = Link(link_id=withdraw_id, kind=LinkKind.WITHDRAW, application_id=application_id,
                        sent_to=details["email"], created_at=at,
                        expires_at=keep_until(at, settings.retention_days))
            self.repository.put_link(link, None, link.expires_at)
            self.repository.update_volunteer(
                application_id, Event(at=at, kind=EventKind.EMAIL_SENT, by=SYSTEM,
                                      details={"email": "application_received"}),
                {"withdraw_link_id": withdraw_id},
                condition="attribute_not_exists(withdraw_link_id)",
            )
        self._mail_once(volunteer, "application_received", emails.application_received(
            details["email"], details["first_name"], application_id, _url(settings, f"/withdraw/{withdraw_id}")),
            "applicant")
        return {"reminder_delay_seconds": settings.reminder_delay_seconds}

    def open_step(self, application_id: str, stage: Stage, task_token: str, kind: str = VOLUNTEER) -> None:
        """Store the wait's token behind a link and email the consultant (once per step)."""
        settings = self._settings()
        volunteer = self.repository.get_person(application_id, kind)
        if volunteer.get("withdrawal_requested"):
            raise Withdrawn(application_id)
        link_id = volunteer.get("open_link_id")
        consultant = volunteer.get("consultant") or settings.consultant_for(volunteer["details"].get("postcode", ""))
        if volunteer.get("open_stage") == stage.value and link_id:
            waiting = self._wait_again(link_id, task_token)
            if waiting == "refreshed":
                self._unless_withdrawn_meanwhile(application_id, kind)
                # a retry after a throttled email sends what is missing
                self._mail_once(volunteer, f"step:{link_id}", emails.step_request(
                    consultant, stage, application_id, _url(settings, f"/decisions/{link_id}")), "consultant")
            if waiting:
                return
        at = self.now()
        link = Link(link_id=new_link_id(), kind=LinkKind.DECISION, application_id=application_id, stage=stage,
                    sent_to=consultant, created_at=at, expires_at=at + settings.link_lifetime(), person_kind=kind)
        self.repository.put_link(link, task_token, keep_until(link.expires_at, 30))
        self.repository.enter_stage(
            application_id, stage,
            Event(at=at, kind=EventKind.STEP_OPENED, stage=stage, by=SYSTEM, details={"consultant": consultant}),
            {"open_stage": stage.value, "open_link_id": link.link_id, "reminders_sent": 0, "consultant": consultant},
            kind=kind,
        )
        self._unless_withdrawn_meanwhile(application_id, kind, link.link_id)
        self._mail_once(volunteer, f"step:{link.link_id}", emails.step_request(
            consultant, stage, application_id, _url(settings, f"/decisions/{link.link_id}")), "consultant")
        self.count_metric("StepOpened", stage)

    def _unless_withdrawn_meanwhile(self, application_id: str, kind: str,
                                    new_link_id: str | None = None) -> dict[str, Any]:
        """Look at the flag again after storing a wait. A withdrawal that landed between this task's
        first look and its write found no wait to end; withdraw() looks for waits after writing its
        flag, so of two such racers at least one sees the other and the run always ends.
        Returns the record as it is now."""
        person = self.repository.get_person(application_id, kind)
        if person.get("withdrawal_requested"):
            if new_link_id:
                self.repository.invalidate_link(new_link_id, "withdrawn")
            raise Withdrawn(application_id)
        return person

    def _wait_again(self, link_id: str, task_token: str) -> str | None:
        """The step waits again after a reminder: keep its link, swap in the new token. A decision
        that arrived while no wait was open (the old token had just timed out) is delivered now."""
        for _ in range(2):
            found = self.repository.get_link(link_id)
            if found is None:
                return None
            link = found[0]
            if link.status is LinkStatus.USED and link.decision:
                assert self.engine is not None
                self.engine.resume(task_token, {"outcome": link.decision, "link_id": link_id})
                return "resumed"
            if link.status is not LinkStatus.OPEN:
                return None  # the link died (reassigned, resent): the caller opens a fresh one
            try:
                self.repository.refresh_token(link_id, task_token)
                return "refreshed"
            except Conflict:
                continue  # decided or killed at this very moment: look again
        return None

    def remind(self, application_id: str, stage: Stage, kind: str = VOLUNTEER) -> dict[str, int]:
        """The step waited a reminder period: remind the consultant, or escalate to ops."""
        settings = self._settings()
        volunteer = self.repository.get_person(application_id, kind)
        if volunteer.get("withdrawal_requested"):
            raise Withdrawn(application_id)
        sent = int(volunteer.get("reminders_sent", 0)) + 1
        link_id = volunteer.get("open_link_id", "")
        found = self.repository.get_link(link_id) if link_id else None
        if found and found[0].status is LinkStatus.USED:
            return {"reminders_sent": sent - 1}  # decided while the wait timed out: nobody to remind
        at = self.now()
        consultant = volunteer.get("consultant") or settings.consultant_for(volunteer["details"].get("postcode", ""))
        if sent <= settings.max_reminders:
            event = Event(at=at, kind=EventKind.REMINDER_SENT, stage=stage, by=SYSTEM,
                          details={"to": consultant, "number": str(sent)})
            self.repository.update_person(application_id, event, {"reminders_sent": sent}, kind=kind)
            self._mail(emails.reminder(consultant, stage, application_id, _url(settings, f"/decisions/{link_id}"),
                                       sent), application_id, "consultant", kind)
            self.count_metric("ReminderSent", stage)
        elif sent == settings.max_reminders + 1:
            event = Event(at=at, kind=EventKind.ESCALATED, stage=stage, by=SYSTEM,
                          details={"to": settings.ops_email, "reminders": str(settings.max_reminders)})
            self.repository.update_person(application_id, event, {"reminders_sent": sent, "escalated": True},
                                          kind=kind)
            self._mail(emails.escalation(settings.ops_email, stage, application_id, settings.max_reminders),
                       application_id, "ops", kind)
            self.count_metric("StepEscalated", stage)
        elif found is None or at >= found[0].expires_at:
            # the step has waited as long as it may: its link dies and ops decide what happens
            if link_id:
                self.repository.invalidate_link(link_id, "timed_out")
            self.repository.add_event(application_id, Event(at=at, kind=EventKind.STEP_TIMED_OUT, stage=stage,
                                                            by=SYSTEM), kind)
            raise StepTimedOut(f"{stage.value} waited past its link's expiry")
        return {"reminders_sent": sent}

    def finish(self, application_id: str, outcome: Stage, kind: str = VOLUNTEER) -> None:
        """Record the journey's outcome of screening and tell the applicant (or contact adult)."""
        volunteer = self.repository.get_person(application_id, kind)
        if outcome is Stage.READY_FOR_MATCH and volunteer.get("withdrawal_requested"):
            raise Withdrawn(application_id)
        details = volunteer["details"]
        if volunteer.get("stage") != outcome.value:  # a retried task has recorded it already
            at = self.now()
            self._close_links(volunteer, "withdrawn" if outcome is Stage.WITHDRAWN else "decided",
                              include_withdraw=outcome.is_final)
            extra: dict[str, Any] = {"open_stage": "", "open_link_id": ""}
            remove: tuple[str, ...] = ()
            if outcome is Stage.WITHDRAWN and volunteer.get("proposal_id"):
                remove = ("proposal_id",)  # the open proposal lets go of them (see Matchmaking)
            if outcome.is_final:  # an ended journey waits for nobody (ops' link dies in _close_links)
                remove += ("needs_ops", "ops_link_id")
                extra["expires_at"] = retention_expiry(self.settings, at)
            event_kind = {Stage.REJECTED: EventKind.REJECTED, Stage.WITHDRAWN: EventKind.WITHDRAWN,
                          Stage.CLOSED: EventKind.ENDED_BY_OPS}.get(outcome, EventKind.STAGE_ENTERED)
            self.repository.update_person(
                application_id, Event(at=at, kind=event_kind, stage=outcome, by=SYSTEM),
                {"stage": outcome.value, "stage_since": clock.iso(at), **extra}, remove=remove, kind=kind)
            self.count_metric(f"Entered{outcome.value.title().replace('_', '')}", outcome)
            volunteer = self.repository.get_person(application_id, kind)
        if kind == YOUTH:
            to_contact = {Stage.WAITING_FOR_MATCH: emails.referral_confirmed,
                          Stage.REJECTED: emails.referral_declined}.get(outcome)
            if to_contact is not None:
                self._mail_once(volunteer, f"letter:{outcome.value}", to_contact(
                    details["contact_adult_email"], details["contact_adult_name"], details["first_name"]),
                    "contact_adult")
        else:
            letter = {
                Stage.READY_FOR_MATCH: emails.ready_for_match,
                Stage.REJECTED: emails.rejected,
                Stage.WITHDRAWN: emails.withdrawn,
            }.get(outcome)
            if letter is not None:  # a journey ended by ops is followed up by a person, not a form letter
                self._mail_once(volunteer, f"letter:{outcome.value}", letter(details["email"], details["first_name"]),
                                "applicant")
        if outcome.is_final:  # last, after all this task writes; a retry completes a half-done stamp
            expiry = volunteer.get("expires_at") or retention_expiry(self.settings, self.now())
            self.repository.expire_trail(application_id, kind, int(expiry))

    def pool_wait(self, application_id: str, run_started: datetime, kind: str = VOLUNTEER) -> dict[str, Any]:
        """How long this run may wait in the pool before it must carry on in a new one."""
        left = self._settings().run_lifetime_seconds - (self.now() - run_started).total_seconds()
        return {"seconds": max(1, int(left)), "renew": left < 1}

    def continue_run(self, application_id: str, execution: str, start_run: Callable[[int], object],
                     kind: str = VOLUNTEER) -> int:
        """The pool wait outlived its run: start the next run (start_run, idempotent by its name),
        then record it, so the record never names a run that does not exist. A retry of this task
        names the same run: it counts on from this execution's name."""
        person = self.repository.get_person(application_id, kind)
        if person.get("withdrawal_requested"):
            raise Withdrawn(application_id)
        following = run_of(execution) + 1
        start_run(following)
        event = Event(at=self.now(), kind=EventKind.RUN_CONTINUED, by=SYSTEM, details={"run": str(following)})
        with contextlib.suppress(Conflict):  # a retry of this very task recorded it already
            self.repository.update_person(
                application_id, event, {"run": following}, remove=("match_token",),
                condition="attribute_not_exists(#run) OR #run < :next", condition_values={":next": following},
                condition_names={"#run": "run"}, kind=kind)
        return following

    def await_match(self, application_id: str, task_token: str, kind: str = VOLUNTEER) -> None:
        """The person waits in the pool; the match's last step resumes this wait."""
        person = self.repository.get_person(application_id, kind)
        if person.get("withdrawal_requested"):
            raise Withdrawn(application_id)
        self.repository.update_person(application_id, None, {"match_token": task_token}, kind=kind)
        # look again after storing the token: a match that completed (or a withdrawal that landed)
        # since the first read did not see this wait, so this task must act on it itself
        if self._unless_withdrawn_meanwhile(application_id, kind).get("stage") == Stage.MATCHED.value:
            assert self.engine is not None
            with contextlib.suppress(StepNotWaiting):  # the match resumed this very token already
                self.engine.resume(task_token, {"outcome": "matched"})

    def ask_ops(self, application_id: str, failed_state: str, error: str, cause: str, task_token: str,
                kind: str = VOLUNTEER, withdrawable: bool = True) -> None:
        """A task failed for good: email ops a link to retry it or end the journey, and wait."""
        settings = self._settings()
        at = self.now()
        link = Link(link_id=new_link_id(), kind=LinkKind.OPS, application_id=application_id,
                    sent_to=settings.ops_email, created_at=at, expires_at=at + timedelta(days=365),
                    failed_state=failed_state, error=error[:200], person_kind=kind)
        self.repository.put_link(link, task_token, keep_until(link.expires_at, 30))
        self.repository.update_volunteer(
            application_id,
            Event(at=at, kind=EventKind.NEEDS_OPS, by=SYSTEM,
                  details={"failed_state": failed_state, "error": error[:200], "cause": _short_cause(cause)}),
            {"needs_ops": failed_state, "ops_link_id": link.link_id},
            kind=kind,
        )
        if withdrawable:  # nothing left for ops to decide (but a failed Withdrawn itself needs them)
            self._unless_withdrawn_meanwhile(application_id, kind, link.link_id)
        self._mail(emails.ops_attention(settings.ops_email, application_id, failed_state, error,
                                        _short_cause(cause), _url(settings, f"/decisions/{link.link_id}")),
                   application_id, "ops", kind)
        self.count_metric("NeedsOps", None)

    # --- people following links -----------------------------------------------------------------

    def decision_link(self, link_id: str) -> tuple[Link, dict[str, Any]]:
        """The link and its volunteer, for the confirmation page; raises DeadLink if unusable."""
        found = self.repository.get_link(link_id)
        link = check_usable(found[0] if found else None, self.now())
        if link.kind is LinkKind.WITHDRAW:
            raise InvalidatedLink("Dette link bruges ikke til at afgøre et trin.", link)
        return link, self.repository.get_person(link.application_id, link.person_kind)

    def decide(self, link_id: str, decision: str, notes: str = "", recorded: dict[str, str] | None = None) -> Link:
        """Use the link once: record who decided what, then resume the waiting execution."""
        found = self.repository.get_link(link_id)
        at = self.now()
        link = check_usable(found[0] if found else None, at)
        if decision not in CHOICES.get(link.kind, {}):
            raise ValueError(decision)
        token = found[1] if found else None
        kind = CHOICES[link.kind][decision]
        event = Event(at=at, kind=kind, stage=link.stage, by=link.sent_to, notes=notes or None,
                      details=recorded or {})
        try:
            self.repository.use_link(link_id, decision, link.sent_to, at, link.application_id, event,
                                     link.person_kind)
        except Conflict:
            # lost a race with another POST (or the link died meanwhile): say what happened
            found = self.repository.get_link(link_id)
            check_usable(found[0] if found else None, at)
            raise UsedLink("Trinnet er allerede afgjort.", link) from None
        try:
            self._deliver(link, token, decision)
        except StepNotWaiting as gone:
            self.repository.add_event(link.application_id, Event(
                at=self.now(), kind=EventKind.DECISION_UNDELIVERED, stage=link.stage, by=link.sent_to,
                details={"reason": str(gone)}), link.person_kind)
            raise InvalidatedLink(
                "Trinnet ventede ikke længere på en afgørelse, så din afgørelse er ikke brugt. "
                "Programmets drift er orienteret.", link) from None
        if link.kind is LinkKind.OPS:
            self.repository.update_person(link.application_id, None, remove=("needs_ops", "ops_link_id"),
                                          kind=link.person_kind)
        elif link.stage is not None:  # how long the step waited for its consultant: p50/p90 per stage
            self.measure_wait(link.stage, (at - link.created_at).total_seconds())
        self.count_metric(f"Ops{decision.title()}" if link.kind is LinkKind.OPS
                          else "StepApproved" if decision == "approve" else "StepRejected", link.stage)
        return link.model_copy(update={"decision": decision, "decided_by": link.sent_to, "decided_at": at})

    def _deliver(self, link: Link, token: str | None, decision: str) -> None:
        """Resume the waiting execution. If its token has just timed out for a reminder, the
        step waits again in a moment and picks the recorded decision up itself (open_step)."""
        assert self.engine is not None
        if link.kind is LinkKind.OPS:  # ops' choice has no reminder loop: the token is the token
            if not token:
                raise StepNotWaiting("no token")
            self.engine.resume(token, {"choice": decision, "link_id": link.link_id})
            return
        try:
            if not token:
                raise StepNotWaiting("no token")
            self.engine.resume(token, {"outcome": decision, "link_id": link.link_id})
            return
        except StepNotWaiting:
            found = self.repository.get_link(link.link_id)
            newer = found[1] if found else None
            if newer and newer != token:
                self.engine.resume(newer, {"outcome": decision, "link_id": link.link_id})
                return
        volunteer = self.repository.get_person(link.application_id, link.person_kind)
        still_open = (volunteer.get("open_link_id") == link.link_id and link.stage is not None
                      and volunteer.get("stage") == link.stage.value and not volunteer.get("withdrawal_requested"))
        if not still_open:
            raise StepNotWaiting("the step is over")

    def withdraw_link(self, link_id: str) -> tuple[Link, dict[str, Any]]:
        found = self.repository.get_link(link_id)
        link = check_usable(found[0] if found else None, self.now())
        if link.kind is not LinkKind.WITHDRAW:
            raise InvalidatedLink("Dette link kan ikke bruges til at trække en ansøgning tilbage.", link)
        volunteer = self.repository.get_volunteer(link.application_id)
        if Stage(volunteer["stage"]).is_final:
            raise InvalidatedLink("Ansøgningen er allerede afsluttet.", link)
        if volunteer["stage"] == Stage.MATCHED.value:
            raise InvalidatedLink("Du er matchet med en ung. Vil du stoppe, så tal med din konsulent, så I kan "
                                  "afslutte forløbet ordentligt sammen.", link)
        return link, volunteer

    def withdraw(self, link_id: str) -> None:
        """The applicant withdraws: flag the record, then fail the open step so the run ends."""
        link, volunteer = self.withdraw_link(link_id)
        at = self.now()
        try:
            self.repository.update_volunteer(
                link.application_id,
                Event(at=at, kind=EventKind.WITHDRAWAL_REQUESTED, stage=Stage(volunteer["stage"]), by=link.sent_to),
                {"withdrawal_requested": True},
                condition="attribute_not_exists(withdrawal_requested)",
            )
        except Conflict:
            return  # already asked: nothing more to do
        if self.engine is None:
            return
        # Read again now that the flag is written: a wait opened since the first read is ended too.
        # A task that opens a wait looks at the flag after its own write (_unless_withdrawn_meanwhile),
        # and between steps nothing waits: the next task sees the flag and raises Withdrawn.
        volunteer = self.repository.get_volunteer(link.application_id)
        for token in self._open_waits(volunteer):
            with contextlib.suppress(StepNotWaiting):  # that wait is over already
                self.engine.fail(token, "Withdrawn", "The applicant withdrew the application.")
        if volunteer.get("proposal_id"):
            self._leave_proposal(volunteer["proposal_id"])

    def _open_waits(self, person: dict[str, Any]) -> list[str]:
        """The tokens the run may be waiting on: the open step's link, the pool, or ops' choice."""
        tokens = []
        for attribute in ("open_link_id", "ops_link_id"):
            found = self.repository.get_link(person[attribute]) if person.get(attribute) else None
            if found and found[1] and found[0].status is LinkStatus.OPEN:
                tokens.append(found[1])
        if person.get("match_token"):
            tokens.append(person["match_token"])
        return tokens

    def _leave_proposal(self, proposal_id: str) -> None:
        """A proposal waiting on someone who withdrew stops waiting: the other returns to the pool."""
        match = self.repository.get_person(proposal_id, MATCH)
        waiting = [match.get("open_link_id"), *(match.get("answer_links") or {}).values()]
        for link_id in filter(None, waiting):
            found = self.repository.get_link(link_id)
            if found and found[1] and found[0].status is LinkStatus.OPEN:
                with contextlib.suppress(StepNotWaiting):  # that wait is over already
                    assert self.engine is not None
                    self.engine.fail(found[1], "PersonGone", "Someone in the proposal withdrew.")
                    return

    # --- ops ----------------------------------------------------------------------------------

    def resend(self, application_id: str, by: str, kind: str = VOLUNTEER) -> Link:
        """Send the open step's link again; the old link dies so only the newest one works."""
        person = self._person_with_a_step(application_id, kind)
        consultant = person.get("consultant") or self._settings().consultant_for(
            person["details"].get("postcode", ""))
        return self._move_step(person, consultant, by, "resent", EventKind.LINK_RESENT)

    def reassign(self, application_id: str, consultant: str, by: str, kind: str = VOLUNTEER) -> Link:
        """Move the open step to another consultant; the old link dies."""
        person = self._person_with_a_step(application_id, kind)
        return self._move_step(person, consultant, by, "reassigned", EventKind.REASSIGNED)

    def _person_with_a_step(self, application_id: str, kind: str) -> dict[str, Any]:
        if kind not in (VOLUNTEER, YOUTH):
            # a proposal's links go to the consultant and to the two people, each its own kind
            raise NoOpenStep(f"{application_id} is a match proposal: its links cannot be moved; the consultant's "
                             "link keeps working, and an unanswered proposal returns both people to the pool")
        return self.repository.get_person(application_id, kind)

    def _move_step(self, volunteer: dict[str, Any], consultant: str, by: str, reason: str,
                   kind: EventKind) -> Link:
        settings = self._settings()
        application_id, person_kind = volunteer["application_id"], volunteer.get("kind", VOLUNTEER)
        old_id = volunteer.get("open_link_id")
        found = self.repository.get_link(old_id) if old_id else None
        old, token = found if found else (None, None)
        stage = old.stage if old else None
        if old is None or old.status is not LinkStatus.OPEN or stage is None:
            raise NoOpenStep(f"{application_id} has no step waiting for a consultant")
        at = self.now()
        link = Link(link_id=new_link_id(), kind=LinkKind.DECISION, application_id=application_id, stage=old.stage,
                    sent_to=consultant, created_at=at, expires_at=max(old.expires_at, at + settings.link_lifetime()),
                    person_kind=person_kind)
        self.repository.put_link(link, token, keep_until(link.expires_at, 30))
        self.repository.update_volunteer(
            application_id,
            Event(at=at, kind=kind, stage=old.stage, by=by, details={"from": old.sent_to, "to": consultant}),
            {"open_link_id": link.link_id, "consultant": consultant},
            condition="open_link_id = :old", condition_values={":old": old.link_id}, kind=person_kind,
        )
        # a reminder may have swapped the old link's token meanwhile: the newest follows the new link
        latest = self.repository.get_link(old.link_id)
        if latest and latest[1] and latest[1] != token:
            self.repository.refresh_token(link.link_id, latest[1])
        self.repository.invalidate_link(old.link_id, reason)
        self._mail(emails.step_request(consultant, stage, application_id,
                                       _url(settings, f"/decisions/{link.link_id}")), application_id, "consultant",
                   person_kind)
        return link

    # --- helpers ------------------------------------------------------------------------------

    def _close_links(self, volunteer: dict[str, Any], reason: str, include_withdraw: bool) -> None:
        final = ("withdraw_link_id", "ops_link_id") if include_withdraw else ()
        for attribute in ("open_link_id", *final):
            link_id = volunteer.get(attribute)
            if link_id:
                self.repository.invalidate_link(link_id, reason)

    def _settings(self) -> Settings:
        if self.settings is None:
            raise RuntimeError("this function is not configured to run workflow tasks")
        return self.settings

    def _mail_once(self, record: dict[str, Any], key: str, email: Email, role: str) -> None:
        """A letter the task must not lose on a retry, nor send twice (see backup.letters)."""
        if self.mailer is None:
            raise RuntimeError("this function is not configured to send email")
        send_once(self.repository, self.mailer, record, key, email,
                  {"application_id": record["application_id"], "kind": record["kind"], "recipient": role})

    def _mail(self, email: Email, application_id: str, role: str, kind: str = VOLUNTEER) -> None:
        """Send, tagged with whom it concerns, so a bounce can be traced back without an address."""
        if self.mailer is None:
            raise RuntimeError("this function is not configured to send email")
        self.mailer.send(email, {"application_id": application_id, "kind": kind, "recipient": role})
