"""The task contract of the support state machine (one run per match, after MATCHED): its actions'
input and output models, as backup.usecases.tasks has them for the other machines. The support
function dispatches from a table keyed by these names; statemachine/generate.py builds the
payloads and result selectors from the models. Inputs carry the match's id, never people's details."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field

from backup.usecases.tasks import (
    Action,
    Confirmed,
    Continued,
    Done,
    Reminder,
    Started,
    TaskInput,
    TaskOutput,
    _actions,
)


class MatchTask(TaskInput):
    """A task about one match (the proposal both said yes to)."""

    proposal_id: str = Field(min_length=1, max_length=64)


class SupportStepTask(MatchTask):
    step: Literal["ROLES", "CHECK_IN", "CLOSURE", "CONCERN"]


class SupportStepWait(SupportStepTask):
    task_token: str = Field(min_length=1)


class ConfirmSupportStep(SupportStepTask):
    claimed: dict[str, Any] = Field(default_factory=dict)  # the wait's result, kept for the audit trail


class NextCheckInTask(MatchTask):
    run_started: datetime  # the execution's start time


class ContinueSupport(MatchTask):
    execution: str = Field(min_length=1, max_length=200)  # this execution's name


class NextCheckIn(TaskOutput):
    seconds: int  # until the next check-in falls due
    renew: bool  # this run would outlive its lifetime: carry on in a new one first
    ended: bool  # the match is no longer MATCHED


class Due(TaskOutput):
    open: bool  # open the check-in (not while the match is paused)
    ended: bool
    concern: bool  # the consultant decides on a concern (or on a paused match) first
    close: bool  # the young person has turned 25: the match ends (the consultant records the closure)


class MatchWait(MatchTask):
    task_token: str = Field(min_length=1)


SUPPORT_ACTIONS = _actions(
    Action("begin", MatchTask, Continued),  # the match machine starts the match's support run
    Action("start_support", MatchTask, Started),
    Action("open_support", SupportStepWait, Done, waits=True),
    Action("remind_support", SupportStepTask, Reminder),
    Action("confirm_support", ConfirmSupportStep, Confirmed),
    Action("next_check_in", NextCheckInTask, NextCheckIn),
    Action("await_check_in", MatchWait, Done, waits=True),  # a concern wakes it at once
    Action("check_in_due", MatchTask, Due),
    Action("concern_raised", MatchTask, Done),  # the consultant and ops told at once; safeguarding acted on
    Action("check_in_missed", MatchTask, Done),
    Action("continue_support", ContinueSupport, Continued),
    Action("close_match", MatchTask, Done),  # the end as the consultant recorded it; each goes where they chose
)
