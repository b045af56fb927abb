"""The gathering function's contract: the gathering state machine's tasks (invite, remind, close;
generated into statemachine/gathering.asl.json from these models) and the staff commands that
`backup-ops gatherings ...` invokes directly. Inputs carry the gathering's id, never a person's
details."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from backup.domain.gatherings import GatheringStatus
from backup.usecases.tasks import Action, OpsCommand, TaskInput, TaskOutput


class GatheringTask(TaskInput):
    gathering_id: str = Field(min_length=1, max_length=64)


class Schedule(TaskOutput):
    """Where the gathering's run stands: `done` says this step happened (or never will: the
    gathering is cancelled); either way the run's next wait is `seconds` long (a start moved by an
    edit is found when the run asks again)."""

    status: GatheringStatus
    done: bool
    seconds: int


def _named(*actions: Action) -> dict[str, Action]:
    return {action.name: action for action in actions}


GATHERING_ACTIONS = _named(
    Action("invite", GatheringTask, Schedule),
    Action("remind", GatheringTask, Schedule),
    Action("close", GatheringTask, Schedule),
)


# --- staff commands: backup-ops gatherings create|edit|cancel|list|show|attendance -----------------


class CreateGathering(OpsCommand):
    details: dict[str, Any]


class EditGathering(OpsCommand):
    gathering_id: str = Field(min_length=1, max_length=64)
    details: dict[str, Any]


class CancelGathering(OpsCommand):
    gathering_id: str = Field(min_length=1, max_length=64)
    reason: str = Field(default="", max_length=500)


class ShowGathering(OpsCommand):
    gathering_id: str = Field(min_length=1, max_length=64)


class Attendance(OpsCommand):
    gathering_id: str = Field(min_length=1, max_length=64)
    came: dict[str, bool]  # invitation link id: whether they came


class GatheringResult(TaskOutput):
    ok: bool
    message: str = ""
    data: dict[str, Any] | None = None


STAFF_ACTIONS = _named(
    Action("create_gathering", CreateGathering, GatheringResult),
    Action("edit_gathering", EditGathering, GatheringResult),
    Action("cancel_gathering", CancelGathering, GatheringResult),
    Action("list_gatherings", OpsCommand, GatheringResult),
    Action("show_gathering", ShowGathering, GatheringResult),
    Action("record_attendance", Attendance, GatheringResult),
)
