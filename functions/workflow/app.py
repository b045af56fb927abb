"""Workflow: the state machine's tasks. Each call carries ids only; people's details stay in the table."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from backup import clock, telemetry
from backup.applications import FieldError, normalise_email
from backup.config import EnvConfig
from backup.executions import execution_name
from backup.mailer import Mailer
from backup.regions import parse_regional_consultants
from backup.repository import NotFound, Repository
from backup.screening import NoOpenStep, Screening, Settings
from backup.stages import Stage
from backup.workflow_engine import WorkflowEngine


class Config(EnvConfig):
    table_name: str
    sender_email: str
    consultant_email: str
    ops_email: str
    public_base_url: str
    reminder_delay_seconds: int
    max_reminders: int
    retention_days: int
    run_lifetime_seconds: int
    regional_consultants: str = ""
    ses_configuration_set: str = ""


class Task(BaseModel):
    action: Literal["start", "open_step", "remind", "finish", "ops_attention", "await_match", "pool_wait",
                    "continue_run", "resend", "reassign"]
    application_id: str
    kind: Literal["VOLUNTEER", "YOUTH", "MATCH"] = "VOLUNTEER"
    stage: Stage | None = None
    task_token: str | None = None
    # a task that failed for good (ops_attention): what Step Functions caught
    failed_state: str | None = None
    failure: dict[str, Any] | None = None
    withdrawable: bool = True  # False for a failure while recording an outcome: only ops end that wait
    # the pool's wait (pool_wait, continue_run): which execution this is, of which machine, when it
    # started, and the settings the next run carries on with
    execution: str | None = None
    state_machine: str | None = None
    run_started: datetime | None = None
    settings: dict[str, Any] | None = None
    # ops commands (backup-ops resend / reassign) invoke this function directly
    consultant: str | None = None
    by: str | None = None


config = Config.from_env()
logger = Logger()
tracer = Tracer()


screening = Screening(
    Repository(config.table_name),
    Mailer(config.sender_email, configuration_set=config.ses_configuration_set),
    WorkflowEngine(),
    Settings(
        base_url=config.public_base_url,
        consultant_email=config.consultant_email,
        ops_email=config.ops_email,
        max_reminders=config.max_reminders,
        reminder_delay_seconds=config.reminder_delay_seconds,
        retention_days=config.retention_days,
        run_lifetime_seconds=config.run_lifetime_seconds,
        regional_consultants=parse_regional_consultants(config.regional_consultants),
    ),
    now=clock.now,
    count_metric=telemetry.count,
)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = parse(event=event, model=Task)
    logger.set_correlation_id(task.application_id)
    logger.append_keys(action=task.action, stage=task.stage.value if task.stage else None)
    if task.action == "start":
        return screening.start(task.application_id, task.kind)
    if task.action in {"resend", "reassign"}:
        return _ops_command(task)
    if task.action == "ops_attention":
        if not task.task_token or not task.failed_state:
            raise ValueError("ops_attention needs the task token and the failed state")
        failure = task.failure or {}
        screening.ask_ops(task.application_id, task.failed_state, str(failure.get("Error", "unknown")),
                          str(failure.get("Cause", "")), task.task_token, task.kind, task.withdrawable)
        return {"asked": task.failed_state}
    if task.action == "await_match":
        if not task.task_token:
            raise ValueError("await_match needs the task token")
        screening.await_match(task.application_id, task.task_token, task.kind)
        return {"waiting": True}
    if task.action == "pool_wait":
        if task.run_started is None:
            raise ValueError("pool_wait needs run_started (the execution's start time)")
        return screening.pool_wait(task.application_id, task.run_started, task.kind)
    if task.action == "continue_run":
        if not task.execution or not task.state_machine:
            raise ValueError("continue_run needs the execution's name and its state machine")
        # the same machine again, straight to the pool's wait; a retry finds it started already
        engine = WorkflowEngine(task.state_machine, kind=task.kind)
        run = screening.continue_run(task.application_id, task.execution, lambda number: engine.start(
            task.application_id, {"settings": task.settings or {}, "resume": "pool"}, run=number), task.kind)
        logger.info("carried on in a new run", extra={"run": run})
        return {"run": run, "execution": execution_name(task.application_id, task.kind, run)}
    if task.stage is None:
        raise ValueError(f"{task.action} needs a stage")
    if task.action == "open_step":
        if not task.task_token:
            raise ValueError("open_step needs the task token")
        screening.open_step(task.application_id, task.stage, task.task_token, task.kind)
        return {"opened": task.stage.value}
    if task.action == "remind":
        return screening.remind(task.application_id, task.stage, task.kind)
    screening.finish(task.application_id, task.stage, task.kind)
    return {"stage": task.stage.value}


def _ops_command(task: Task) -> dict[str, Any]:
    """Move the open step's link (the old link dies); answers a sentence instead of failing."""
    by = task.by or "ops"
    try:
        if task.action == "resend":
            link = screening.resend(task.application_id, by, task.kind)
        else:
            if not task.consultant:
                return {"ok": False, "error": "reassign needs --consultant EMAIL"}
            link = screening.reassign(task.application_id, normalise_email(task.consultant), by, task.kind)
    except NoOpenStep as missing:
        return {"ok": False, "error": str(missing)}
    except NotFound:
        noun = {"VOLUNTEER": "volunteer", "YOUTH": "young person", "MATCH": "match proposal"}[task.kind]
        return {"ok": False, "error": f"no {noun} with id {task.application_id}"}
    except FieldError as bad:
        return {"ok": False, "error": str(bad)}
    logger.info("ops moved the open step", extra={"command": task.action})
    return {"ok": True, "stage": link.stage.value if link.stage else None, "sent_to": link.sent_to}
