"""Matching: scores every possible pair, assigns the best set for the whole pool, and runs each
proposal's tasks (the consultant's choice, the introduction, both answers, match or pool)."""

from __future__ import annotations

from typing import Any, Literal

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.parser import parse
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel

from backup import clock, telemetry
from backup.config import EnvConfig
from backup.mailer import Mailer
from backup.matchmaking import Matchmaking
from backup.regions import parse_regional_consultants
from backup.repository import Repository
from backup.screening import Settings
from backup.workflow_engine import WorkflowEngine
from pool import run_matching


class Config(EnvConfig):
    table_name: str
    sender_email: str
    ses_configuration_set: str = ""
    consultant_email: str
    regional_consultants: str = ""
    ops_email: str
    public_base_url: str
    match_state_machine_arn: str
    match_max_distance_km: float
    reminder_delay_seconds: int
    max_reminders: int
    retention_days: int


class Task(BaseModel):
    action: Literal["run", "open_proposal", "choose", "still_on", "open_intro", "ask_both", "remind", "nudge",
                    "matched", "release"]
    application_id: str | None = None  # the proposal, for a match's tasks
    kind: str | None = None
    task_token: str | None = None
    volunteer_id: str | None = None
    exclude: bool = False
    tell: bool = False


config = Config.from_env()
logger = Logger()
tracer = Tracer()
repository = Repository(config.table_name)
matchmaking = Matchmaking(
    repository,
    Mailer(config.sender_email, configuration_set=config.ses_configuration_set),
    WorkflowEngine(),
    WorkflowEngine(config.match_state_machine_arn, kind="MATCH"),
    Settings(base_url=config.public_base_url, consultant_email=config.consultant_email, ops_email=config.ops_email,
             max_reminders=config.max_reminders, reminder_delay_seconds=config.reminder_delay_seconds,
             retention_days=config.retention_days,
             regional_consultants=parse_regional_consultants(config.regional_consultants)),
    clock.now,
    telemetry.count,
)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # the daily schedule sends EventBridge's own event: it means "run"
    task = parse(event=event, model=Task) if "action" in event else Task(action="run")
    if task.action == "run":
        result = run_matching(repository, matchmaking, clock.now(), config.match_max_distance_km)
        logger.info("matching ran", extra=result)
        return result
    proposal_id = task.application_id or ""
    logger.set_correlation_id(proposal_id)
    logger.append_keys(action=task.action)
    if task.action in {"open_proposal", "open_intro", "ask_both"}:
        if not task.task_token:
            raise ValueError(f"{task.action} needs the task token")
        getattr(matchmaking, task.action)(proposal_id, task.task_token)
        return {"waiting": task.action}
    if task.action == "choose":
        return matchmaking.choose(proposal_id, task.volunteer_id or "")
    if task.action == "still_on":
        return matchmaking.still_on(proposal_id)
    if task.action == "remind":
        return matchmaking.remind(proposal_id)
    if task.action == "nudge":
        return matchmaking.nudge(proposal_id)
    if task.action == "matched":
        matchmaking.matched(proposal_id)
        return {"matched": proposal_id}
    matchmaking.release(proposal_id, exclude=task.exclude, tell=task.tell)
    return {"released": proposal_id}
