"""Human steps: the one way a record waits for a consultant.

Open a step: store the wait's task token behind a new link and email the link. After a reminder
period the wait times out: remind the consultant (the same link), after `max_reminders` tell ops
once, then wait out the link's life; when the link expires the step is over (the caller decides
what that means: ops for a screening step, the pool for a proposal). Each time the step waits
again it keeps its link and swaps in the new token, and a decision made while no wait was open
is delivered then. Screening steps, the referral check and a proposal's steps all run on this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from backup.domain.emails import Email
from backup.domain.errors import Conflict
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import Link, LinkKind, new_link_id
from backup.domain.records import Record
from backup.domain.settings import LINK_KEPT_DAYS, Settings
from backup.domain.stages import Stage
from backup.usecases.delivery import Outbox
from backup.usecases.letters import Letters
from backup.usecases.ports import Clock, Expect, Metrics, Repository

SYSTEM = "system"


@dataclass(frozen=True)
class Step:
    """One consultant step of a record: what its link decides, who decides it, for how long, and
    what the consultant and ops are told. The emails get the link's address (and a reminder its
    number, an escalation the number of reminders sent)."""

    kind: LinkKind
    stage: Stage | None  # the screening stage the link decides; None for a proposal's steps
    metric_stage: Stage  # the stage it counts under on the dashboard
    consultant: str
    lifetime: timedelta
    request: Callable[[str], Email]
    reminder: Callable[[str, int], Email]
    escalation: Callable[[int], Email]
    # what a decision resumes the wait with
    output: Callable[[Link], dict[str, Any]] = field(default=lambda link: {"outcome": link.decision})


@dataclass(frozen=True)
class Reminded:
    """What a reminder round found: how many reminders are out, whether the link expired, and
    how long the step waits next."""

    reminders_sent: int
    expired: bool
    seconds: int


class HumanSteps:
    def __init__(
        self,
        repository: Repository,
        letters: Letters,
        outbox: Outbox,
        settings: Settings,
        now: Clock,
        metrics: Metrics,
    ):
        self.repository = repository
        self.letters = letters
        self.outbox = outbox
        self.settings = settings
        self.now = now
        self.metrics = metrics

    def url(self, link: Link) -> str:
        return self.settings.url(f"/decisions/{link.link_id}")

    def open(
        self,
        holder: Record,
        step: Step,
        token: str,
        guard: Callable[[], object],
        entering: dict[str, Any] | None = None,
        expect: Expect | None = None,
    ) -> None:
        """Open `step` for `holder` under the wait `token`, or wait again on its link. `guard`
        looks again after the token is stored (a withdrawal may have landed meanwhile) and raises
        to end the run; `entering` is what else the record takes when the step opens afresh."""
        if not self.wait_again(holder, step, token, guard):
            self.open_fresh(holder, step, token, guard, entering, expect)

    def wait_again(self, holder: Record, step: Step, token: str, guard: Callable[[], object]) -> bool:
        """After a reminder the step waits again on the same link under the new token. A decision
        made while no wait was open is delivered now. False: there is no live link of this step,
        so it opens afresh."""
        link = self.repository.get_link(holder.open_link_id) if holder.open_link_id else None
        for _ in range(2):
            if link is None or link.kind is not step.kind or link.stage is not step.stage:
                return False
            if link.is_used:
                self.outbox.owe((holder.kind, holder.id), token, step.output(link))
                return True
            if not link.is_open:
                return False  # reassigned, resent or timed out: a fresh link
            try:
                self.repository.refresh_token(link.link_id, token)
            except Conflict:  # decided or killed at this very moment: look again
                link = self.repository.get_link(link.link_id)
                continue
            guard()
            # a retried first attempt (SES throttled its email) sends what is missing; later waits send nothing
            self._ask(holder, step, link)
            return True
        return False

    def open_fresh(
        self,
        holder: Record,
        step: Step,
        token: str,
        guard: Callable[[], object],
        entering: dict[str, Any] | None = None,
        expect: Expect | None = None,
    ) -> None:
        """A new link for the step, the record pointing at it (if `expect` still holds), and the
        consultant asked once."""
        at = self.now()
        link = self.new_link(
            (holder.kind, holder.id), step.kind, step.consultant, step.lifetime, token, stage=step.stage
        )
        opened = Event(
            at=at,
            kind=EventKind.STEP_OPENED,
            stage=step.stage or step.metric_stage,
            by=SYSTEM,
            details={"consultant": step.consultant},
        )
        try:
            self.repository.update(
                holder.kind,
                holder.id,
                event=opened,
                set={
                    **(entering or {}),
                    "open_link_id": link.link_id,
                    "consultant": step.consultant,
                    "reminders_sent": 0,
                    "escalated": None,
                },
                expect=expect,
            )
        except Conflict:  # the record moved on meanwhile: nobody is to use this link
            self.repository.invalidate_link(link.link_id, "step_closed")
            raise
        try:
            guard()
        except Exception:
            self.repository.invalidate_link(link.link_id, "withdrawn")  # nobody is asked about someone gone
            raise
        self._ask(holder, step, link)
        self.metrics.count("StepOpened", step.metric_stage)

    def _ask(self, holder: Record, step: Step, link: Link) -> None:
        """The step's request to its consultant, once per link."""
        self.letters.send_once(holder, f"step:{link.link_id}", step.request(self.url(link)), "consultant")

    def remind(self, holder: Record, step: Step) -> Reminded:
        """The step waited a reminder period: remind the consultant, or tell ops once, or (when the
        link has expired) end the step. After ops are told the step waits out the link's life, so
        the loop ends after a handful of rounds whatever the reminder period."""
        delay = self.settings.reminder_delay_seconds
        link = self.repository.get_link(holder.open_link_id) if holder.open_link_id else None
        if link is None or link.is_used:
            # the first attempt is still opening its link, or it was decided meanwhile: the wait
            # picks the decision up at once
            return Reminded(holder.reminders_sent, False, delay)
        at = self.now()
        stage = step.stage or step.metric_stage
        if not link.is_open and at < link.expires_at:
            # resent or reassigned meanwhile: the record points at a new link, which waits on
            now_open = self.repository.get_record(holder.kind, holder.id).open_link_id
            if now_open and now_open != link.link_id:
                return Reminded(holder.reminders_sent, False, delay)
        if not link.is_open or at >= link.expires_at:
            self.repository.invalidate_link(link.link_id, "timed_out")
            self.repository.add_event(
                holder.kind, holder.id, Event(at=at, kind=EventKind.STEP_TIMED_OUT, stage=stage, by=SYSTEM)
            )
            return Reminded(holder.reminders_sent, True, 1)
        sent = holder.reminders_sent + 1
        if sent <= self.settings.max_reminders:
            self.repository.update(
                holder.kind,
                holder.id,
                set={"reminders_sent": sent},
                event=Event(
                    at=at,
                    kind=EventKind.REMINDER_SENT,
                    stage=stage,
                    by=SYSTEM,
                    details={"to": link.sent_to, "number": str(sent)},
                ),
            )
            self.letters.send(holder.kind, holder.id, step.reminder(self.url(link), sent), "consultant")
            self.metrics.count("ReminderSent", step.metric_stage)
        elif sent == self.settings.max_reminders + 1:
            self.repository.update(
                holder.kind,
                holder.id,
                set={"reminders_sent": sent, "escalated": True},
                event=Event(
                    at=at,
                    kind=EventKind.ESCALATED,
                    stage=stage,
                    by=SYSTEM,
                    details={"to": self.settings.ops_email, "reminders": str(self.settings.max_reminders)},
                ),
            )
            self.letters.send(holder.kind, holder.id, step.escalation(self.settings.max_reminders), "ops")
            self.metrics.count("StepEscalated", step.metric_stage)
        if sent > self.settings.max_reminders:  # nobody more to tell: wait out the link
            return Reminded(sent, False, max(1, int((link.expires_at - at).total_seconds()) + 1))
        return Reminded(sent, False, delay)

    def new_link(
        self,
        about: tuple[RecordKind, str],
        kind: LinkKind,
        sent_to: str,
        lifetime: timedelta,
        token: str | None,
        keep: bool = True,
        **extra: Any,
    ) -> Link:
        """A new link about a record (its kind and id), stored with its wait's token; kept a while
        after it expires, so its page can say what happened (or, keep=False, as long as the record,
        whose end stamps it)."""
        at = self.now()
        link = Link(
            link_id=new_link_id(),
            kind=kind,
            record_kind=about[0],
            record_id=about[1],
            sent_to=sent_to,
            created_at=at,
            expires_at=at + lifetime,
            task_token=token,
            **extra,
        )
        self.repository.put_link(link, link.expires_at + timedelta(days=LINK_KEPT_DAYS) if keep else None)
        return link
