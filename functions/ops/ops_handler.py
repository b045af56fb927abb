"""Ops: the commands of backup-ops that change something, and the only function ops may invoke.

It accepts exactly these actions (backup.usecases.tasks.OPS_ACTIONS), records who asked on the
person's history, and cannot set a stage: a journey moves on only through its state machine,
which checks the recorded evidence. Task results it owes (ops' retry or end) go to the links
function, the only one that sends them."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup.adapters.telemetry import faults_counted
from backup.adapters.wiring import ProgrammeConfig, Wiring
from backup.domain import clock
from backup.domain.applications import FieldError, normalise_email
from backup.domain.errors import NoOpenStep, NotFound
from backup.domain.links import Link
from backup.usecases import tasks
from backup.usecases.data_rights import DataRights
from backup.usecases.ops_commands import OpsCommands
from backup.usecases.withdrawal import Withdrawal

config = ProgrammeConfig.from_env()
logger = Logger()
tracer = Tracer()
wiring = Wiring.from_config(config)
ops = OpsCommands(wiring.repository, wiring.letters, wiring.steps, wiring.outbox, wiring.settings, clock.now)
# an erasure ends the person's run like a withdrawal; the failure goes to the run by the links function
rights = DataRights(
    wiring.repository, Withdrawal(wiring.repository, wiring.outbox, clock.now), wiring.settings, clock.now
)


def person_command(task: tasks.PersonCommand) -> tasks.OpsResult:
    """A person's rights: their data, what an erasure would take, the erasure."""
    if isinstance(task, tasks.Erase):
        receipt = rights.erase(task.kind, task.person_id, task.by)
        return tasks.OpsResult(ok=True, data=receipt.model_dump(mode="json"))
    if task.action == "erase_preview":
        return tasks.OpsResult(ok=True, data=rights.what_goes(task.kind, task.person_id))
    return tasks.OpsResult(ok=True, data=rights.export(task.kind, task.person_id, task.by))


def command(task: tasks.TaskInput) -> Link:
    if isinstance(task, tasks.Reassign):
        return ops.reassign(task.kind, task.person_id, normalise_email(task.consultant), task.by)
    if isinstance(task, tasks.StepCommand):
        return ops.resend(task.kind, task.person_id, task.by)
    assert isinstance(task, tasks.AfterFailure)
    return ops.after_failure(task.kind, task.record_id, task.action, task.by, task.notes)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@faults_counted
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Answers a sentence instead of failing: ops read it on their terminal."""
    try:
        action, task = tasks.parse_task(tasks.OPS_ACTIONS, event)
    except tasks.UnknownTask as unknown:
        return tasks.OpsResult(ok=False, error=str(unknown)).model_dump(mode="json")
    record_id = getattr(task, "person_id", None) or getattr(task, "record_id", None)
    kind = getattr(task, "kind", None)
    logger.set_correlation_id(record_id)
    try:
        if isinstance(task, tasks.PersonCommand):
            result = person_command(task)
            logger.info("ops command", extra={"command": action.name})
            return result.model_dump(mode="json")
        link = command(task)
    except (NoOpenStep, FieldError) as refused:
        return tasks.OpsResult(ok=False, error=str(refused)).model_dump(mode="json")
    except NotFound:
        noun = kind.noun if kind is not None else "record"
        return tasks.OpsResult(ok=False, error=f"no {noun} with id {record_id}").model_dump(mode="json")
    logger.info("ops command", extra={"command": action.name})
    return tasks.OpsResult(ok=True, stage=link.stage, sent_to=link.sent_to, failed_state=link.failed_state).model_dump(
        mode="json"
    )
