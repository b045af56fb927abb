"""The task contract between the state machines and the functions they invoke.

Each action a definition invokes has an input model (the task's Payload) and an output model
(what its ResultSelector may read). statemachine/generate.py builds the payloads and result
selectors from these models, each function dispatches from a table keyed by the same action
names, and a test fails when a definition names an action or a field the contract does not have.
Inputs carry ids, never people's details (execution history is readable in the console).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backup.domain.kinds import RecordKind
from backup.domain.stages import Stage


class TaskInput(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    action: str
    # which execution asked (the definitions always say; a direct invoke may not): for the audit trail
    execution: str | None = Field(default=None, max_length=200)

    @property
    def requested_by(self) -> str:
        return f"execution {self.execution}" if self.execution else "a direct invoke that named no execution"


class TaskOutput(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)


# --- inputs -----------------------------------------------------------------------------------


class PersonTask(TaskInput):
    """A task of a volunteer's or a young person's journey."""

    person_id: str = Field(min_length=1, max_length=64)
    kind: Literal[RecordKind.VOLUNTEER, RecordKind.YOUTH]


class PersonWait(PersonTask):
    """A task that stores the token its execution waits on (.waitForTaskToken)."""

    task_token: str = Field(min_length=1)


class StepTask(PersonTask):
    stage: Stage


class StepWait(StepTask):
    task_token: str = Field(min_length=1)


class OpsAttention(TaskInput):
    """A task failed for good; ops are asked (any kind of record, proposals too)."""

    record_id: str = Field(min_length=1, max_length=64)
    kind: RecordKind
    failed_state: str = Field(min_length=1, max_length=200)
    failure: dict[str, Any] = Field(default_factory=dict)  # what Step Functions caught: Error, Cause
    task_token: str = Field(min_length=1)
    withdrawable: bool = True  # False for a failure while recording an outcome: only ops end that wait


class ConfirmStep(StepTask):
    """After a step's wait: what its link recorded, whatever the task result claimed."""

    claimed: dict[str, Any] = Field(default_factory=dict)  # the wait's result, kept for the audit trail


class ConfirmRenewal(PersonTask):
    claimed: dict[str, Any] = Field(default_factory=dict)


class RenewalOutcome(PersonTask):
    outcome: Literal["approve", "reject"]


class PoolWaitTask(PersonTask):
    run_started: datetime  # the execution's start time


class ContinueRun(PersonTask):
    execution: str = Field(min_length=1, max_length=200)  # this execution's name
    state_machine: str = Field(min_length=1)  # its state machine's ARN
    settings: dict[str, Any] = Field(default_factory=dict)  # what the next run carries on with


class MatchingRun(TaskInput):
    """A whole matching run; from a state machine it names whose execution made it due (for the logs)."""

    record_id: str | None = None
    kind: RecordKind | None = None


class ProposalTask(TaskInput):
    proposal_id: str = Field(min_length=1, max_length=64)


class ProposalWait(ProposalTask):
    task_token: str = Field(min_length=1)


class Choose(ProposalTask):
    volunteer_id: str = Field(min_length=1, max_length=64)


class ConfirmProposalStep(ProposalTask):
    """After one of a proposal's waits: what its links recorded, whatever the task result claimed."""

    step: Literal["PROPOSAL", "INTRO", "CONTINUE"]
    claimed: dict[str, Any] = Field(default_factory=dict)


class Release(ProposalTask):
    exclude: bool  # the pair is never proposed again
    tell: bool  # they met: both are told it does not continue (not why)


# --- outputs ----------------------------------------------------------------------------------


class Done(TaskOutput):
    pass


class Started(TaskOutput):
    reminder_delay_seconds: int


class Reminder(TaskOutput):
    reminders_sent: int
    expired: bool  # the step's link has expired: the step is over
    seconds: int  # how long the step waits next


class Confirmed(TaskOutput):
    """approve or reject (a person's step), chosen or none (a proposal's choice), held (the
    introduction), both_yes or declined (the answers), matched (the pool); or forged: no used link
    backs the result, the safeguarding alarm went off, and nobody moved."""

    outcome: str
    volunteer_id: str | None = None


class Finished(TaskOutput):
    stage: Stage


class PoolWait(TaskOutput):
    seconds: int
    renew: bool  # this run has waited as long as it may: carry on in a new one


class Continued(TaskOutput):
    run: int
    execution: str


class Checked(TaskOutput):
    ok: bool


class MatchingResult(TaskOutput):
    young_waiting: int
    volunteers_ready: int
    proposed: int
    without_candidates: int


# --- the actions ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    name: str
    input: type[TaskInput]
    output: type[TaskOutput]
    waits: bool = False  # invoked with .waitForTaskToken: the input carries the token

    def parse(self, event: dict[str, Any]) -> TaskInput:
        return self.input.model_validate(event)


def _actions(*actions: Action) -> dict[str, Action]:
    return {action.name: action for action in actions}


WORKFLOW_ACTIONS = _actions(
    Action("start", PersonTask, Started),
    Action("open_step", StepWait, Done, waits=True),
    Action("remind", StepTask, Reminder),
    Action("confirm_step", ConfirmStep, Confirmed),
    Action("finish", StepTask, Finished),
    Action("ops_attention", OpsAttention, Done, waits=True),
    Action("await_match", PersonWait, Done, waits=True),
    Action("confirm_match", PersonTask, Confirmed),
    Action("pool_wait", PoolWaitTask, PoolWait),
    Action("continue_run", ContinueRun, Continued),
    # a volunteer's certificate renewal (its own machine, beside the journey)
    Action("open_renewal", PersonWait, Done, waits=True),
    Action("remind_renewal", PersonTask, Reminder),
    Action("confirm_renewal", ConfirmRenewal, Confirmed),
    Action("record_renewal", RenewalOutcome, Done),
)

MATCHING_ACTIONS = _actions(
    Action("run", MatchingRun, MatchingResult),
    Action("open_proposal", ProposalWait, Done, waits=True),
    Action("confirm_step", ConfirmProposalStep, Confirmed),
    Action("choose", Choose, Checked),
    Action("still_on", ProposalTask, Checked),
    Action("open_intro", ProposalWait, Done, waits=True),
    Action("ask_both", ProposalWait, Done, waits=True),
    Action("remind", ProposalTask, Reminder),
    Action("nudge", ProposalTask, Reminder),
    Action("matched", ProposalTask, Done),
    Action("release", Release, Done),
)


class UnknownTask(ValueError):
    """An event that is not one of the function's tasks (a wrong action or a wrong field)."""


def parse_task(actions: dict[str, Action], event: Any) -> tuple[Action, TaskInput]:
    """The action an event asks for and its checked input; UnknownTask with a sentence otherwise."""
    if not isinstance(event, dict):
        raise UnknownTask("a task is a JSON object")
    action = actions.get(str(event.get("action")))
    if action is None:
        raise UnknownTask(f"unknown action {event.get('action')!r}; the actions are {', '.join(actions)}")
    try:
        return action, action.parse(event)
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors())
        raise UnknownTask(f"{action.name}: {problems}") from None


# --- ops commands (backup-ops invokes these directly; no state machine does) -------------------


class OpsCommand(TaskInput):
    by: str = Field(default="ops", min_length=1, max_length=200)  # who asked, for the history


class StepCommand(OpsCommand):
    """resend: a person's open step gets a fresh link."""

    person_id: str = Field(min_length=1, max_length=64)
    kind: Literal[RecordKind.VOLUNTEER, RecordKind.YOUTH] = RecordKind.VOLUNTEER


class Reassign(StepCommand):
    consultant: str = Field(min_length=1, max_length=320)


class AfterFailure(OpsCommand):
    """retry or end: ops' choice for a journey (or proposal) that waits for them after a failure."""

    record_id: str = Field(min_length=1, max_length=64)
    kind: RecordKind = RecordKind.VOLUNTEER
    notes: str = Field(default="", max_length=2000)


class PersonCommand(OpsCommand):
    """export, erase_preview: about one person (GDPR art. 15, 17, 20)."""

    person_id: str = Field(min_length=1, max_length=64)
    kind: Literal[RecordKind.VOLUNTEER, RecordKind.YOUTH] = RecordKind.VOLUNTEER


class Erase(PersonCommand):
    """erase: only with confirm=true, which backup-ops sends for --yes."""

    confirm: Literal[True]


class OpsResult(TaskOutput):
    ok: bool
    stage: Stage | None = None
    sent_to: str | None = None
    failed_state: str | None = None
    error: str | None = None
    data: dict[str, Any] | None = None  # an export, what an erasure would take, or its receipt


OPS_ACTIONS = _actions(
    Action("resend", StepCommand, OpsResult),
    Action("reassign", Reassign, OpsResult),
    Action("retry", AfterFailure, OpsResult),
    Action("end", AfterFailure, OpsResult),
    Action("export", PersonCommand, OpsResult),
    Action("erase_preview", PersonCommand, OpsResult),
    Action("erase", Erase, OpsResult),
)
