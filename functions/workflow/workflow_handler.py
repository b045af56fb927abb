"""Workflow: the tasks of the volunteers' and the young people's state machines, and nothing else
(the machines alone may invoke it; ops' commands go to the ops function). Each task carries ids
only; people's details stay in the table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup.adapters.stepfunctions import StepFunctionsExecutions
from backup.adapters.telemetry import faults_counted
from backup.adapters.wiring import ProgrammeConfig, Wiring
from backup.domain import clock
from backup.domain.errors import Conflict, NotFound, Withdrawn
from backup.domain.executions import execution_name
from backup.domain.kinds import RecordKind
from backup.domain.stages import Stage
from backup.usecases import tasks
from backup.usecases.journeys import Journeys
from backup.usecases.referral import YoungPersonJourney
from backup.usecases.renewal import CertificateRenewals
from backup.usecases.screening import VolunteerJourney
from backup.usecases.withdrawal import WithdrawLinks


class Config(ProgrammeConfig):
    run_lifetime_seconds: int  # the template always gives it here


config = Config.from_env()
logger = Logger()
tracer = Tracer()
wiring = Wiring.from_config(config)
repository, letters, steps, settings = wiring.repository, wiring.letters, wiring.steps, wiring.settings
withdraw_links = WithdrawLinks(repository, steps, settings, clock.now)
journeys = Journeys(
    repository,
    letters,
    steps,
    wiring.outbox,
    settings,
    clock.now,
    wiring.metrics,
    safeguards=wiring.safeguards,
    kinds={
        RecordKind.VOLUNTEER: VolunteerJourney(letters, withdraw_links),
        RecordKind.YOUTH: YoungPersonJourney(letters, withdraw_links),
    },
)


def start(task: tasks.PersonTask) -> tasks.Started:
    return tasks.Started(reminder_delay_seconds=journeys.start(task.kind, task.person_id))


def open_step(task: tasks.StepWait) -> tasks.Done:
    journeys.open_step(task.kind, task.person_id, task.stage, task.task_token, task.requested_by)
    return tasks.Done()


def confirm_step(task: tasks.ConfirmStep) -> tasks.Confirmed:
    outcome = journeys.confirm_step(task.kind, task.person_id, task.stage, task.claimed, task.requested_by)
    return tasks.Confirmed(outcome=outcome)


def confirm_match(task: tasks.PersonTask) -> tasks.Confirmed:
    return tasks.Confirmed(outcome=journeys.confirm_match(task.kind, task.person_id, task.requested_by))


def remind(task: tasks.StepTask) -> tasks.Reminder:
    reminded = journeys.remind(task.kind, task.person_id, task.stage)
    return tasks.Reminder(reminders_sent=reminded.reminders_sent, expired=reminded.expired, seconds=reminded.seconds)


def finish(task: tasks.StepTask) -> tasks.Finished:
    journeys.finish(task.kind, task.person_id, task.stage, task.requested_by)
    return tasks.Finished(stage=task.stage)


def ops_attention(task: tasks.OpsAttention) -> tasks.Done:
    journeys.ask_ops(
        task.kind,
        task.record_id,
        task.failed_state,
        str(task.failure.get("Error", "unknown")),
        str(task.failure.get("Cause", "")),
        task.task_token,
        task.withdrawable,
    )
    return tasks.Done()


def await_match(task: tasks.PersonWait) -> tasks.Done:
    journeys.await_match(task.kind, task.person_id, task.task_token)
    return tasks.Done()


def pool_wait(task: tasks.PoolWaitTask) -> tasks.PoolWait:
    seconds, renew = journeys.pool_wait(task.run_started)
    return tasks.PoolWait(seconds=seconds, renew=renew)


def continue_run(task: tasks.ContinueRun) -> tasks.Continued:
    # the same machine again, straight to the pool's wait; a retry finds it started already
    machine = StepFunctionsExecutions(task.state_machine, task.kind)
    run = journeys.continue_run(
        task.kind,
        task.person_id,
        task.execution,
        lambda number: machine.start(
            task.person_id, {"person_id": task.person_id, "settings": task.settings, "resume": "pool"}, run=number
        ),
    )
    logger.info("carried on in a new run", extra={"run": run})
    return tasks.Continued(run=run, execution=execution_name(task.person_id, task.kind, run))


renewals = CertificateRenewals(repository, steps, wiring.safeguards, settings, clock.now)


def open_renewal(task: tasks.PersonWait) -> tasks.Done:
    renewals.open(task.person_id, task.task_token)
    return tasks.Done()


def remind_renewal(task: tasks.PersonTask) -> tasks.Reminder:
    reminded = renewals.remind(task.person_id)
    return tasks.Reminder(reminders_sent=reminded.reminders_sent, expired=reminded.expired, seconds=reminded.seconds)


def confirm_renewal(task: tasks.ConfirmRenewal) -> tasks.Confirmed:
    return tasks.Confirmed(outcome=renewals.confirm(task.person_id, task.claimed, task.requested_by))


def record_renewal(task: tasks.RenewalOutcome) -> tasks.Done:
    renewals.record(task.person_id, task.outcome, task.requested_by)
    return tasks.Done()


HANDLERS: dict[str, Callable[[Any], tasks.TaskOutput]] = {
    "open_renewal": open_renewal,
    "remind_renewal": remind_renewal,
    "confirm_renewal": confirm_renewal,
    "record_renewal": record_renewal,
    "start": start,
    "open_step": open_step,
    "remind": remind,
    "finish": finish,
    "confirm_step": confirm_step,
    "confirm_match": confirm_match,
    "ops_attention": ops_attention,
    "await_match": await_match,
    "pool_wait": pool_wait,
    "continue_run": continue_run,
}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@faults_counted
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    action, task = tasks.parse_task(tasks.WORKFLOW_ACTIONS, event)
    logger.set_correlation_id(getattr(task, "person_id", None) or getattr(task, "record_id", None))
    stage = getattr(task, "stage", None)
    logger.append_keys(action=action.name, stage=stage.value if stage else None)
    try:
        return HANDLERS[action.name](task).model_dump(mode="json")
    except (NotFound, Conflict):
        person_id, kind = getattr(task, "person_id", None), getattr(task, "kind", None)
        if not (person_id and kind in (RecordKind.VOLUNTEER, RecordKind.YOUTH) and journeys.is_gone(kind, person_id)):
            raise
        # their data was erased while the run went on: it ends through its Withdrawn branch, whose
        # last task has nothing left to record
        if isinstance(task, tasks.StepTask) and action.name == "finish" and task.stage is Stage.WITHDRAWN:
            return tasks.Finished(stage=Stage.WITHDRAWN).model_dump(mode="json")
        raise Withdrawn(person_id) from None
