"""Workflow: the state machine's tasks. Each call carries ids only; people's details stay in the table."""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from backup import clock
from backup.config import EnvConfig
from backup.mailer import Mailer
from backup.repository import Repository
from backup.screening import Screening, Settings
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


class Task(BaseModel):
    action: Literal["start", "open_step", "remind", "finish"]
    application_id: str
    stage: Stage | None = None
    task_token: str | None = None


config = Config.from_env()
logger = Logger()
tracer = Tracer()
metrics = Metrics()


def _metric(name: str, stage: Stage | None) -> None:
    # one metric per call with the stage as its dimension, so the funnel reads per stage
    with single_metric(name=name, unit=MetricUnit.Count, value=1) as metric:
        if stage is not None:
            metric.add_dimension(name="stage", value=stage.value)


screening = Screening(
    Repository(config.table_name),
    Mailer(config.sender_email),
    WorkflowEngine(),
    Settings(
        base_url=config.public_base_url,
        consultant_email=config.consultant_email,
        ops_email=config.ops_email,
        max_reminders=config.max_reminders,
        reminder_delay_seconds=config.reminder_delay_seconds,
        retention_days=config.retention_days,
    ),
    now=clock.now,
    count_metric=_metric,
)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    task = parse(event=event, model=Task)
    logger.set_correlation_id(task.application_id)
    logger.append_keys(action=task.action, stage=task.stage.value if task.stage else None)
    if task.action == "start":
        return screening.start(task.application_id)
    if task.stage is None:
        raise ValueError(f"{task.action} needs a stage")
    if task.action == "open_step":
        if not task.task_token:
            raise ValueError("open_step needs the task token")
        screening.open_step(task.application_id, task.stage, task.task_token)
        return {"opened": task.stage.value}
    if task.action == "remind":
        return screening.remind(task.application_id, task.stage)
    screening.finish(task.application_id, task.stage)
    return {"stage": task.stage.value}
