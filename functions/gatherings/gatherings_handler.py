"""Network days and supervision sessions: the gathering state machine's tasks (invite, remind,
close) and the staff commands (`backup-ops events ...`, invoked directly). Thin: parse, call the
use case, answer. Logs carry the gathering's id and counts, never a person's details."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup.adapters.gathering_wiring import GatheringConfig, GatheringWiring
from backup.adapters.telemetry import faults_counted
from backup.usecases.gathering_commands import GatheringCommands
from backup.usecases.gathering_tasks import GATHERING_ACTIONS, STAFF_ACTIONS, GatheringTask
from backup.usecases.tasks import UnknownTask, parse_task

logger = Logger()
tracer = Tracer()
wiring = GatheringWiring(GatheringConfig.from_env())
gatherings = wiring.gatherings()
commands = GatheringCommands(gatherings)


def run_task(event: dict[str, Any]) -> dict[str, Any]:
    action, task = parse_task(GATHERING_ACTIONS, event)
    assert isinstance(task, GatheringTask)
    logger.set_correlation_id(task.gathering_id)
    if action.name == "invite":
        invited = gatherings.invite(task.gathering_id)
        logger.info("invited", extra={"invited": invited.invited})
        step = invited.step
    elif action.name == "remind":
        step = gatherings.remind(task.gathering_id)
    else:
        step = gatherings.close(task.gathering_id)
    return {"status": step.status.value, "done": step.done, "seconds": step.seconds}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@faults_counted
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    action = event.get("action") if isinstance(event, dict) else None
    if action in GATHERING_ACTIONS:
        return run_task(event)
    if action in STAFF_ACTIONS:
        result = commands.run(event)
        logger.info("staff command", extra={"action": action, "ok": result.get("ok")})
        return result
    raise UnknownTask(f"unknown action {action!r}; the actions are {', '.join([*GATHERING_ACTIONS, *STAFF_ACTIONS])}")
