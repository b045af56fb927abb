"""Support: the tasks of a match's support run (after MATCHED): the roles agreed with the contact
adult, the check-ins on their schedule with reminders and escalation, and a run carried on before
a Standard execution's year is up."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup.adapters.stepfunctions import StepFunctionsExecutions
from backup.adapters.telemetry import faults_counted
from backup.adapters.wiring import ProgrammeConfig, Wiring
from backup.domain import clock
from backup.domain.kinds import RecordKind
from backup.domain.support import STEP_KINDS, CheckInSchedule, support_execution
from backup.usecases import support_tasks as tasks
from backup.usecases.closure import Closures
from backup.usecases.concerns import Concerns
from backup.usecases.pulse import Pulses
from backup.usecases.support import Support
from backup.usecases.tasks import Confirmed, Continued, Done, Reminder, Started, TaskOutput, parse_task


class Config(ProgrammeConfig):
    support_state_machine_arn: str
    volunteer_state_machine_arn: str  # a volunteer back in the pool waits there in a new run
    youth_state_machine_arn: str
    check_in_first_seconds: int
    check_in_monthly_seconds: int


config = Config.from_env()
logger = Logger()
tracer = Tracer()
wiring = Wiring.from_config(config)
concerns = Concerns(
    wiring.repository, wiring.letters, wiring.steps, wiring.safeguards, wiring.settings, clock.now, wiring.metrics
)
schedule = CheckInSchedule(config.check_in_first_seconds, config.check_in_monthly_seconds)
pulses = Pulses(wiring.repository, wiring.letters, wiring.steps, wiring.settings, schedule, clock.now)
support = Support(
    wiring.repository,
    wiring.letters,
    wiring.steps,
    StepFunctionsExecutions(config.support_state_machine_arn, RecordKind.MATCH),
    wiring.settings,
    schedule,
    clock.now,
    wiring.metrics,
    wiring.safeguards,
    concerns,
)
closures = Closures(
    wiring.repository,
    wiring.letters,
    wiring.safeguards,
    {
        RecordKind.VOLUNTEER: StepFunctionsExecutions(config.volunteer_state_machine_arn, RecordKind.VOLUNTEER),
        RecordKind.YOUTH: StepFunctionsExecutions(config.youth_state_machine_arn, RecordKind.YOUTH),
    },
    wiring.settings,
    clock.now,
    wiring.metrics,
)


def begin(task: tasks.MatchTask) -> Continued:
    run = support.begin(task.proposal_id, task.requested_by)
    return Continued(run=run, execution=support_execution(task.proposal_id, run))


def start_support(task: tasks.MatchTask) -> Started:
    support.start(task.proposal_id)
    return Started(reminder_delay_seconds=wiring.settings.reminder_delay_seconds)


def open_support(task: tasks.SupportStepWait) -> Done:
    support.open(task.proposal_id, STEP_KINDS[task.step], task.task_token)
    return Done()


def remind_support(task: tasks.SupportStepTask) -> Reminder:
    reminded = support.remind(task.proposal_id, STEP_KINDS[task.step])
    return Reminder(reminders_sent=reminded.reminders_sent, expired=reminded.expired, seconds=reminded.seconds)


def confirm_support(task: tasks.ConfirmSupportStep) -> Confirmed:
    return Confirmed(outcome=support.confirm(task.proposal_id, task.step, task.claimed, task.requested_by))


def next_check_in(task: tasks.NextCheckInTask) -> tasks.NextCheckIn:
    seconds, renew, ended = support.next_check_in(task.proposal_id, task.run_started)
    return tasks.NextCheckIn(seconds=seconds, renew=renew, ended=ended)


def check_in_due(task: tasks.MatchTask) -> tasks.Due:
    pulses.tick(task.proposal_id)  # the monthly "hvordan går det?" rides on the same schedule
    opened, ended, concern, close = support.due(task.proposal_id)
    return tasks.Due(open=opened, ended=ended, concern=concern, close=close)


def await_check_in(task: tasks.MatchWait) -> Done:
    support.await_check_in(task.proposal_id, task.task_token)
    return Done()


def concern_raised(task: tasks.MatchTask) -> Done:
    concerns.raised(task.proposal_id)
    return Done()


def check_in_missed(task: tasks.MatchTask) -> Done:
    support.missed(task.proposal_id)
    return Done()


def continue_support(task: tasks.ContinueSupport) -> Continued:
    run = support.continue_run(task.proposal_id, task.execution)
    return Continued(run=run, execution=support_execution(task.proposal_id, run))


def close_match(task: tasks.MatchTask) -> Done:
    closures.close(task.proposal_id, task.requested_by)
    return Done()


HANDLERS: dict[str, Callable[[Any], TaskOutput]] = {
    "close_match": close_match,
    "await_check_in": await_check_in,
    "concern_raised": concern_raised,
    "begin": begin,
    "start_support": start_support,
    "open_support": open_support,
    "remind_support": remind_support,
    "confirm_support": confirm_support,
    "next_check_in": next_check_in,
    "check_in_due": check_in_due,
    "check_in_missed": check_in_missed,
    "continue_support": continue_support,
}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@faults_counted
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    action, task = parse_task(tasks.SUPPORT_ACTIONS, event)
    proposal_id = getattr(task, "proposal_id", None)
    if proposal_id:
        logger.set_correlation_id(proposal_id)
    logger.append_keys(action=action.name)
    return HANDLERS[action.name](task).model_dump(mode="json")
