"""Matching: scores every possible pair, assigns the best set for the whole pool, and runs each
proposal's tasks (the consultant's choice, the introduction, both answers, match or pool)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup.adapters.stepfunctions import StepFunctionsExecutions
from backup.adapters.telemetry import faults_counted
from backup.adapters.wiring import ProgrammeConfig, Wiring
from backup.domain import clock
from backup.domain.errors import NotFound, PersonGone
from backup.domain.kinds import RecordKind
from backup.domain.links import LinkKind
from backup.usecases import tasks
from backup.usecases.proposals import Proposals


class Config(ProgrammeConfig):
    match_state_machine_arn: str
    match_max_distance_km: float


config = Config.from_env()
logger = Logger()
tracer = Tracer()
wiring = Wiring.from_config(config)
repository = wiring.repository
proposals = Proposals(
    repository,
    wiring.letters,
    wiring.steps,
    wiring.outbox,
    StepFunctionsExecutions(config.match_state_machine_arn, RecordKind.MATCH),
    wiring.settings,
    clock.now,
    wiring.metrics,
    wiring.safeguards,
)


def run(task: tasks.MatchingRun) -> tasks.MatchingResult:
    # numpy and scipy are imported by the hourly run only: a proposal's tasks (most invocations)
    # start without them
    from pool import run_matching

    result = run_matching(repository, proposals, clock.now(), config.match_max_distance_km)
    logger.info("matching ran", extra=result)
    return tasks.MatchingResult(**result)


def _waits(use_case: Callable[[str, str], None]) -> Callable[[tasks.ProposalWait], tasks.Done]:
    def wait(task: tasks.ProposalWait) -> tasks.Done:
        use_case(task.proposal_id, task.task_token)
        return tasks.Done()

    return wait


def _reminds(use_case: Callable[[str], Any]) -> Callable[[tasks.ProposalTask], tasks.Reminder]:
    def reminds(task: tasks.ProposalTask) -> tasks.Reminder:
        reminded = use_case(task.proposal_id)
        return tasks.Reminder(
            reminders_sent=reminded.reminders_sent, expired=reminded.expired, seconds=reminded.seconds
        )

    return reminds


def choose(task: tasks.Choose) -> tasks.Checked:
    return tasks.Checked(ok=proposals.choose(task.proposal_id, task.volunteer_id, task.requested_by))


def confirm_step(task: tasks.ConfirmProposalStep) -> tasks.Confirmed:
    outcome, volunteer_id = proposals.confirm_step(
        task.proposal_id, LinkKind(task.step), task.claimed, task.requested_by
    )
    return tasks.Confirmed(outcome=outcome, volunteer_id=volunteer_id)


def still_on(task: tasks.ProposalTask) -> tasks.Checked:
    return tasks.Checked(ok=proposals.still_on(task.proposal_id))


def matched(task: tasks.ProposalTask) -> tasks.Done:
    proposals.matched(task.proposal_id, task.requested_by)
    return tasks.Done()


def release(task: tasks.Release) -> tasks.Done:
    proposals.release(task.proposal_id, exclude=task.exclude, tell=task.tell)
    return tasks.Done()


HANDLERS: dict[str, Callable[[Any], tasks.TaskOutput]] = {
    "run": run,
    "open_proposal": _waits(proposals.open_proposal),
    "choose": choose,
    "confirm_step": confirm_step,
    "still_on": still_on,
    "open_intro": _waits(proposals.open_intro),
    "ask_both": _waits(proposals.ask_both),
    "remind": _reminds(proposals.remind),
    "nudge": _reminds(proposals.nudge),
    "matched": matched,
    "release": release,
}


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@faults_counted
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    # the daily schedule sends EventBridge's own event: it means "run"
    if not (isinstance(event, dict) and "action" in event):
        event = {"action": "run"}
    action, task = tasks.parse_task(tasks.MATCHING_ACTIONS, event)
    proposal_id = getattr(task, "proposal_id", None)
    if proposal_id:
        logger.set_correlation_id(proposal_id)
    logger.append_keys(action=action.name)
    try:
        return HANDLERS[action.name](task).model_dump(mode="json")
    except NotFound:
        if proposal_id and action.name != "release" and not proposals.still_on(proposal_id):
            # one of the two was erased: the proposal ends like one someone left (back to the pool)
            raise PersonGone(proposal_id) from None
        raise
