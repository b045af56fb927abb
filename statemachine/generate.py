"""Writes statemachine/{volunteer,youth,match}.asl.json from the stage list in backup.domain.stages
and the task contract in backup.usecases.tasks.

The screening steps share one shape (wait for the consultant, remind, decide), and every task
shares one way of failing (retry what is worth retrying, then ask ops), so the definitions are
generated instead of copied by hand. Each task's payload is built from its action's input model
and each result selector from its output model: a field the functions do not know cannot be
written here. Run `make asl` after changing the stages or the contract; a test fails when a
committed definition is stale.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "functions" / "shared"))

from backup.domain.kinds import RecordKind  # noqa: E402
from backup.domain.match_choices import INTRO_ENDED, INTRO_HELD, INTRO_RESCHEDULED  # noqa: E402
from backup.domain.stages import HUMAN_STEPS, STATE_NAMES, YOUTH_STEPS, Stage, step_after  # noqa: E402
from backup.usecases.gathering_tasks import GATHERING_ACTIONS  # noqa: E402
from backup.usecases.support_tasks import SUPPORT_ACTIONS  # noqa: E402
from backup.usecases.tasks import MATCHING_ACTIONS, WORKFLOW_ACTIONS, Action  # noqa: E402

State = dict[str, Any]
WORKFLOW = "${WorkflowFunctionArn}"
MATCHING = "${MatchingFunctionArn}"
GATHERINGS = "${GatheringsFunctionArn}"
SUPPORT = "${SupportFunctionArn}"
# Which function's contract each placeholder stands for.
CONTRACTS: dict[str, dict[str, Action]] = {
    WORKFLOW: WORKFLOW_ACTIONS,
    MATCHING: MATCHING_ACTIONS,
    GATHERINGS: GATHERING_ACTIONS,
    SUPPORT: SUPPORT_ACTIONS,
}

# Lambda errors worth trying again: the service's own faults and throttling (SES throttling
# surfaces from our handler as SesThrottled). Full jitter spreads retries of many executions.
RETRY = [
    {
        "ErrorEquals": [
            "Lambda.ServiceException",
            "Lambda.AWSLambdaException",
            "Lambda.SdkClientException",
            "Lambda.TooManyRequestsException",
            "Lambda.ClientExecutionTimeoutException",
            # the function ran out of time (a burst, a slow dependency): the task is safe to run again
            "Sandbox.Timedout",
            "Lambda.Unknown",
            # what botocore's own retries could not absorb within the function
            "ProvisionedThroughputExceededException",
            "ThrottlingException",
            "RequestLimitExceeded",
            "TransactionConflictException",
            "SesThrottled",
        ],
        "IntervalSeconds": 2,
        "MaxAttempts": 4,
        "BackoffRate": 2.0,
        "MaxDelaySeconds": 60,
        "JitterStrategy": "FULL",
    }
]
WITHDRAWN = {"ErrorEquals": ["Withdrawn"], "ResultPath": "$.error", "Next": "Withdrawn"}
READY = "Ready for match"
ENDED_BY_OPS = "Ended by ops"
# In a proposal: one of the two withdrew, so the other goes back to the pool.
SOMEONE_LEFT = "Someone left: back to the pool"
PERSON_GONE = {"ErrorEquals": ["PersonGone"], "ResultPath": "$.error", "Next": SOMEONE_LEFT}
POOL_WAIT = "How long may this run wait?"
CONTINUE = "Carry on in a new run"
CONTINUED = "Carried on in a new run"
START = "New or carried on?"


@dataclass(frozen=True)
class Machine:
    """The definition being built: whom its executions are about (carried in every task), where
    their id is in the execution's input, and whether its person can withdraw."""

    kind: RecordKind
    id_path: str
    withdrawable: bool


VOLUNTEER = Machine(RecordKind.VOLUNTEER, "$.person_id", withdrawable=True)
YOUTH = Machine(RecordKind.YOUTH, "$.person_id", withdrawable=True)
MATCH = Machine(RecordKind.MATCH, "$.proposal_id", withdrawable=False)
RENEWAL = Machine(RecordKind.VOLUNTEER, "$.person_id", withdrawable=True)
ID_FIELDS = ("person_id", "proposal_id", "record_id")


def payload(machine: Machine, function: str, action_name: str, **params: Any) -> dict[str, Any]:
    """A task's Payload for `action_name` of `function`'s contract: the record's id and kind, the
    task token of a waiting task, and `params`; fails here if the contract does not fit."""
    action = CONTRACTS[function][action_name]
    fields = action.input.model_fields
    unknown = set(params) - set(fields)
    if unknown:
        raise ValueError(f"{action_name} has no field(s) {', '.join(sorted(unknown))}")
    built: dict[str, Any] = {"action": action_name}
    for name in fields:
        if name in ID_FIELDS:
            built[f"{name}.$"] = machine.id_path
        elif name == "kind":
            built["kind"] = machine.kind.value
        elif name == "task_token":
            built["task_token.$"] = "$$.Task.Token"
        elif name == "execution":  # who asked, for the audit trail
            built["execution.$"] = "$$.Execution.Name"
    for name, value in params.items():
        built.pop(name, None)
        built.pop(f"{name}.$", None)
        key = name if not isinstance(value, str) or not value.startswith("$") else f"{name}.$"
        built[key] = value.value if isinstance(value, Stage) else value
    given = {key.removesuffix(".$") for key in built}
    missing = [name for name, field in fields.items() if field.is_required() and name not in given]
    if missing:
        raise ValueError(f"{action_name} needs {', '.join(missing)}")
    return built


def _lambda(machine: Machine, action_name: str, function: str = WORKFLOW, **params: Any) -> State:
    action = CONTRACTS[function][action_name]
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke" + (".waitForTaskToken" if action.waits else ""),
        "Parameters": {"FunctionName": function, "Payload": payload(machine, function, action_name, **params)},
        "Retry": RETRY,
    }


def _result(state: State, function: str, path: str | None) -> None:
    """Keep the task's whole output (its contract's output model) at `path`, or nothing."""
    if path is None:
        state["ResultPath"] = None
        return
    action = CONTRACTS[function][state["Parameters"]["Payload"]["action"]]
    state["ResultSelector"] = {f"{name}.$": f"$.Payload.{name}" for name in action.output.model_fields}
    state["ResultPath"] = path


def _ask_ops(machine: Machine, name: str, retry_target: str, withdrawable: bool = True) -> dict[str, State]:
    """What failed after its retries waits here for ops to choose: try the step again, or end.
    A failure while recording an outcome (withdrawn, rejected) cannot be withdrawn from: the
    outcome is what ops must get recorded, so only ops end that wait."""
    withdrawable = withdrawable and machine.withdrawable
    # the whole failure object: a failure without a Cause must not break the way to ops
    ask = _lambda(machine, "ops_attention", failed_state=name, failure="$.failure", withdrawable=withdrawable)
    ask["Comment"] = "Something failed for good: ops are sent a link to retry the step or end the journey."
    ask["ResultPath"] = "$.ops"
    if withdrawable:
        ask["Catch"] = [WITHDRAWN]
    ask["Next"] = f"{name}: ops decided?"
    ask["Retry"] = [{**RETRY[0], "MaxAttempts": 8}]
    decided = {
        "Type": "Choice",
        "Choices": [rule("$.ops.choice", "StringEquals", "retry", retry_target)],
        "Default": ENDED_BY_OPS,
    }
    return {f"{name}: needs ops": ask, f"{name}: ops decided?": decided}


def _catch_all(name: str) -> State:
    return {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": f"{name}: needs ops"}


def _task(
    machine: Machine,
    name: str,
    action: str,
    next_state: str,
    result: str | None,
    withdrawable: bool = True,
    function: str = WORKFLOW,
    **params: Any,
) -> dict[str, State]:
    """A Lambda task plus the ops-attention states that catch its failures."""
    state = _lambda(machine, action, function, **params)
    person_gone = [PERSON_GONE] if machine.kind is RecordKind.MATCH and name != SOMEONE_LEFT else []
    state["Catch"] = ([WITHDRAWN] if withdrawable and machine.withdrawable else []) + person_gone + [_catch_all(name)]
    state["Next"] = next_state
    _result(state, function, result)
    return {name: state, **_ask_ops(machine, name, retry_target=name, withdrawable=withdrawable)}


def fresh(waiting: str) -> str:
    """The state that starts a consultant's step with a full reminder period."""
    return f"{waiting}: reminders from now"


def _reminding(
    machine: Machine,
    waiting: str,
    remind: State,
    remind_name: str,
    first_wait: str,
    expired: str,
    withdrawable: bool,
    function: str,
) -> dict[str, State]:
    """A consultant's wait that reminds (human_steps): it starts with a full reminder period (the
    Pass state every way in goes through), times out into `remind_name`, and waits again for as
    long as that task says (after ops are told: the link's remaining life, so the loop stays short
    whatever the period); once the link has expired the step goes to `expired`."""
    states = {
        fresh(waiting): {
            "Type": "Pass",
            "Parameters": {"seconds.$": first_wait, "expired": False, "reminders_sent": 0},
            "ResultPath": "$.step_wait",
            "Next": waiting,
        }
    }
    remind["Catch"] = (
        ([WITHDRAWN] if withdrawable and machine.withdrawable else [])
        + ([PERSON_GONE] if machine.kind is RecordKind.MATCH else [])
        + [_catch_all(remind_name)]
    )
    remind["Next"] = f"{waiting}: expired?"
    _result(remind, function, "$.step_wait")
    states[remind_name] = remind
    # ops who retry a reminder that failed run that reminder again
    states.update(_ask_ops(machine, remind_name, retry_target=remind_name, withdrawable=withdrawable))
    states.update(_choice(f"{waiting}: expired?", "$.step_wait.expired", True, expired, waiting))
    return states


def _human_step(
    machine: Machine, stage: Stage, done: str, rejected: str = "Rejected", withdrawable: bool = True
) -> dict[str, State]:
    name = STATE_NAMES[stage]
    after = step_after(stage)
    next_name = fresh(STATE_NAMES[after]) if after in STATE_NAMES else done
    wait = _lambda(machine, "open_step", stage=stage)
    wait["Comment"] = f"Waits for the consultant's decision on {stage.value} (a link sent to them)."
    wait["TimeoutSecondsPath"] = "$.step_wait.seconds"
    wait["ResultPath"] = "$.claimed"  # what the task result says: the next state checks it against the link
    wait["Catch"] = [
        {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": f"{name}: remind"},
        *([WITHDRAWN] if withdrawable and machine.withdrawable else []),
        _catch_all(name),
    ]
    wait["Next"] = f"{name}: confirmed"
    confirmed = _task(
        machine,
        f"{name}: confirmed",
        "confirm_step",
        f"{name}: decided?",
        "$.decision",
        withdrawable,
        stage=stage,
        claimed="$.claimed",
    )
    confirmed[f"{name}: confirmed"]["Comment"] = (
        "The decision as the step's used link recorded it (who, when, what); a result no used link backs "
        "raises the safeguarding alarm and the step waits again."
    )
    decided = _choose(
        f"{name}: decided?", "$.decision.outcome", {"approve": next_name, "reject": rejected}, fresh(name)
    )
    remind = _lambda(machine, "remind", stage=stage)
    remind["Comment"] = (
        "Nobody decided in time: remind the consultant, tell ops after the last reminder, "
        "and when the step's link has expired ask ops what to do."
    )
    timed_out = {
        "Type": "Pass",
        "Result": {"Error": "StepTimedOut", "Cause": f"{stage.value} waited past its link's expiry"},
        "ResultPath": "$.failure",
        "Next": f"{name}: needs ops",
    }
    return {
        name: wait,
        # a step that failed or timed out is opened afresh (a new link) when ops retry it
        **_ask_ops(machine, name, retry_target=fresh(name), withdrawable=withdrawable),
        **confirmed,
        **decided,
        **_reminding(
            machine,
            name,
            remind,
            f"{name}: remind",
            "$.settings.reminder_delay_seconds",
            f"{name}: timed out",
            withdrawable,
            WORKFLOW,
        ),
        f"{name}: timed out": timed_out,
    }


def _wait_for_match(machine: Machine, done: str, withdrawable: bool) -> dict[str, State]:
    """In the pool: run matching (a new person may complete a pair), then wait until matched.
    A Standard execution stops after a year, so a long wait carries on in a new run (the
    "continue as new" pattern): the next execution starts straight at the pool's wait."""
    states = _task(machine, "Find a match", "run", POOL_WAIT, None, withdrawable, function=MATCHING)
    states.update(
        _task(
            machine,
            POOL_WAIT,
            "pool_wait",
            "New run due?",
            "$.pool",
            withdrawable,
            run_started="$$.Execution.StartTime",
        )
    )
    states.update(_choice("New run due?", "$.pool.renew", True, CONTINUE, "Waiting for a match"))
    states.update(_task(machine, "Waiting for a match", "await_match", "Matched: confirmed", None, withdrawable))
    waiting = states["Waiting for a match"]
    waiting["ResultSelector"] = {"outcome.$": "$.outcome"}  # what the match resumes the wait with
    waiting["ResultPath"] = "$.claimed"
    waiting["TimeoutSecondsPath"] = "$.pool.seconds"
    waiting["Catch"].insert(0, {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": CONTINUE})
    # the pool's wait ends only for a match the records show; a forged result raises the alarm
    states.update(_task(machine, "Matched: confirmed", "confirm_match", "Matched?", "$.match", withdrawable))
    states.update(_choice("Matched?", "$.match.outcome", "matched", done, POOL_WAIT))
    states[done] = {"Type": "Succeed"}
    # the task records the next run and starts it: this same machine, straight at the pool's wait
    states.update(
        _task(
            machine,
            CONTINUE,
            "continue_run",
            CONTINUED,
            None,
            withdrawable,
            execution="$$.Execution.Name",
            state_machine="$$.StateMachine.Id",
            settings="$.settings",
        )
    )
    states[CONTINUED] = {"Type": "Succeed"}
    return states


def _start(first: str) -> dict[str, State]:
    """A run that carries on from an earlier one starts at the pool's wait; a new one at the start."""
    return {
        START: {
            "Type": "Choice",
            "Choices": [rule("$.resume", "StringEquals", "pool", POOL_WAIT)],
            "Default": first,
        }
    }


def _ended_by_ops(machine: Machine, state: State) -> dict[str, State]:
    state["Comment"] = "Ops chose to end this journey after a failure."
    state["ResultPath"] = None
    state["Next"] = "Journey ended by ops"
    return {ENDED_BY_OPS: state, "Journey ended by ops": {"Type": "Succeed"}}


def _person(
    machine: Machine, steps: tuple[Stage, ...], first: str, done: str, rejected: str, matched: str, withdrawn: str
) -> dict[str, State]:
    """A person's journey: their first task, the consultant's steps, the pool, and a match."""
    states: dict[str, State] = {}
    states.update(_start(first))
    states.update(_task(machine, first, "start", fresh(STATE_NAMES[steps[0]]), "$.settings"))
    for stage in steps:
        states.update(_human_step(machine, stage, done, rejected=rejected))
    states.update(_task(machine, done, "finish", "Find a match", None, stage=step_after(steps[-1])))
    states.update(_wait_for_match(machine, matched, withdrawable=True))
    states.update(_ended_by_ops(machine, _lambda(machine, "finish", stage=Stage.CLOSED)))
    # the person withdrew, was closed after a long silence, or their data is being erased: final,
    # so a late withdrawal request changes nothing
    states.update(_task(machine, "Withdrawn", "finish", withdrawn, None, withdrawable=False, stage=Stage.WITHDRAWN))
    states[withdrawn] = {"Type": "Succeed"}
    return states


def definition() -> State:
    """A volunteer: application, four screening steps, ready for match, matched."""
    states = _person(
        VOLUNTEER, HUMAN_STEPS, "Application received", READY, "Rejected", "Volunteer matched", "Application withdrawn"
    )
    # a rejection is final: a late withdrawal request changes nothing
    states.update(
        _task(VOLUNTEER, "Rejected", "finish", "Application rejected", None, withdrawable=False, stage=Stage.REJECTED)
    )
    states["Application rejected"] = {"Type": "Succeed"}
    return {
        "Comment": "BackUp: one volunteer from application through screening to a match. "
        "Generated by statemachine/generate.py from backup.domain.stages and backup.usecases.tasks.",
        "StartAt": START,
        "States": states,
    }


def youth_definition() -> State:
    """A young person: referral, a consultant's talk with them, waiting for a volunteer, matched."""
    states = _person(
        YOUTH,
        YOUTH_STEPS,
        "Referral received",
        "Referral confirmed",
        "Referral declined",
        "Young person matched",
        "Referral withdrawn",
    )
    declined = _task(YOUTH, "Referral declined", "finish", "Referral not taken on", None, False, stage=Stage.REJECTED)
    states.update(declined)
    states["Referral not taken on"] = {"Type": "Succeed"}
    return {
        "Comment": "BackUp: one young person from referral to a match. Generated by statemachine/generate.py.",
        "StartAt": START,
        "States": states,
    }


def rule(variable: str, test: str, value: str | bool, next_state: str) -> State:
    """One Choice rule that first checks its field is there: on AWS a rule on a missing field fails
    the execution (moto falls through to Default), so a missing field goes to Default everywhere."""
    return {"And": [{"Variable": variable, "IsPresent": True}, {"Variable": variable, test: value}], "Next": next_state}


def _choose(name: str, variable: str, outcomes: dict[str, str], otherwise: str) -> dict[str, State]:
    """A Choice on a confirmed outcome: each known one to its state, anything else (forged) back."""
    choices = [rule(variable, "StringEquals", value, target) for value, target in outcomes.items()]
    return {name: {"Type": "Choice", "Choices": choices, "Default": otherwise}}


def _choice(name: str, variable: str, equals: str | bool, yes: str, no: str) -> dict[str, State]:
    test = "BooleanEquals" if isinstance(equals, bool) else "StringEquals"
    return {name: {"Type": "Choice", "Choices": [rule(variable, test, equals, yes)], "Default": no}}


def match_definition() -> State:
    """A proposal: the consultant chooses, the two meet, both are asked, and a match or the pool."""
    m = MATCH
    states: dict[str, State] = {}
    # each wait's result is checked against the proposal's used links before anyone moves
    for waiting, action, step, path in (
        ("Consultant chooses", "open_proposal", "PROPOSAL", "$.choice"),
        ("Introduction meeting", "open_intro", "INTRO", "$.intro"),
        ("Both asked: continue?", "ask_both", "CONTINUE", "$.answers"),
    ):
        states.update(_task(m, waiting, action, f"{waiting}: confirmed", None, False, MATCHING))
        states[waiting]["ResultPath"] = "$.claimed"
        states.update(
            _task(
                m,
                f"{waiting}: confirmed",
                "confirm_step",
                f"{waiting}: what now?",
                path,
                False,
                MATCHING,
                step=step,
                claimed="$.claimed",
            )
        )
    states.update(
        _choose(
            "Consultant chooses: what now?",
            "$.choice.outcome",
            {"chosen": "Record the choice", "none": "No match: back to the pool"},
            fresh("Consultant chooses"),
        )
    )
    states.update(
        _task(
            m,
            "Record the choice",
            "choose",
            "Still free?",
            "$.check",
            False,
            MATCHING,
            volunteer_id="$.choice.volunteer_id",
        )
    )
    states.update(
        _choice("Still free?", "$.check.ok", True, "Both still in the programme?", fresh("Consultant chooses"))
    )
    states.update(_task(m, "Both still in the programme?", "still_on", "Both here?", "$.check", False, MATCHING))
    states.update(_choice("Both here?", "$.check.ok", True, fresh("Introduction meeting"), SOMEONE_LEFT))
    # held: both are asked; moved to a new date: the step again with a new link and full reminder
    # periods; not going to happen: both back to the pool, the pair apart, both told alike
    states.update(
        _choose(
            "Introduction meeting: what now?",
            "$.intro.outcome",
            {
                INTRO_HELD: fresh("Both asked: continue?"),
                INTRO_RESCHEDULED: fresh("Introduction meeting"),
                INTRO_ENDED: "Introduction called off",
            },
            fresh("Introduction meeting"),
        )
    )
    states.update(
        _choose(
            "Both asked: continue?: what now?",
            "$.answers.outcome",
            {"both_yes": "Matched", "declined": "Not continuing"},
            fresh("Both asked: continue?"),
        )
    )
    states.update(_task(m, "Matched", "matched", "Start support", None, False, MATCHING))
    # the match's support (check-ins, for years) runs in its own machine, started once
    states.update(_task(m, "Start support", "begin", "Match confirmed", None, False, SUPPORT))
    states["Match confirmed"] = {"Type": "Succeed"}
    for name, exclude, tell in (
        ("No match: back to the pool", True, False),
        ("Not continuing", True, True),
        ("Introduction called off", True, True),
        (SOMEONE_LEFT, False, False),
    ):
        states.update(
            _task(m, name, "release", "Look for new matches", None, False, MATCHING, exclude=exclude, tell=tell)
        )
    states.update(_task(m, "Look for new matches", "run", "Proposal ended", None, False, MATCHING))
    # the consultant's waits remind them (then ops) and wait again on the same link; after the
    # two people were asked, the consultant hears who has not answered (nudge). Once the links have
    # expired, both go back to the pool.
    for waiting, action, then in (
        ("Consultant chooses", "remind", "remind"),
        ("Introduction meeting", "remind", "remind"),
        ("Both asked: continue?", "nudge", "nudge the consultant"),
    ):
        wait = states[waiting]
        wait["TimeoutSecondsPath"] = "$.step_wait.seconds"
        wait["Catch"].insert(
            0, {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": f"{waiting}: {then}"}
        )
        states.update(
            _reminding(
                m,
                waiting,
                _lambda(m, action, MATCHING),
                f"{waiting}: {then}",
                "$.remind_after_seconds",
                "Proposal expired",
                False,
                MATCHING,
            )
        )
    states.update(
        _task(
            m, "Proposal expired", "release", "Look for new matches", None, False, MATCHING, exclude=False, tell=False
        )
    )
    states["Proposal ended"] = {"Type": "Succeed"}
    states.update(_ended_by_ops(m, _lambda(m, "release", MATCHING, exclude=False, tell=False)))
    return {
        "Comment": "BackUp: one match proposal, from the consultant's choice to a confirmed match or back to "
        "the pool. Generated by statemachine/generate.py.",
        "StartAt": fresh("Consultant chooses"),
        "States": states,
    }


def renewal_definition() -> State:
    """A volunteer's certificate renewal: the consultant records the new certificate, like a
    screening step (reminders, ops), beside the volunteer's journey."""
    m = RENEWAL
    name = "Certificate renewal"
    wait = _lambda(m, "open_renewal")
    wait["Comment"] = "Waits for the consultant to record the renewed child-protection certificate."
    wait["TimeoutSecondsPath"] = "$.step_wait.seconds"
    wait["ResultPath"] = "$.claimed"
    wait["Catch"] = [
        {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": f"{name}: remind"},
        WITHDRAWN,
        _catch_all(name),
    ]
    wait["Next"] = f"{name}: confirmed"
    states: dict[str, State] = {name: wait, **_ask_ops(m, name, retry_target=fresh(name))}
    states.update(
        _task(m, f"{name}: confirmed", "confirm_renewal", f"{name}: decided?", "$.decision", claimed="$.claimed")
    )
    states.update(
        _choose(
            f"{name}: decided?",
            "$.decision.outcome",
            {"approve": "Certificate renewed", "reject": "Certificate not clean"},
            fresh(name),
        )
    )
    for state, outcome in (("Certificate renewed", "approve"), ("Certificate not clean", "reject")):
        states.update(_task(m, state, "record_renewal", "Renewal done", None, outcome=outcome))
    states["Renewal done"] = {"Type": "Succeed"}
    states.update(
        _reminding(
            m,
            name,
            _lambda(m, "remind_renewal"),
            f"{name}: remind",
            "$.settings.reminder_delay_seconds",
            f"{name}: timed out",
            True,
            WORKFLOW,
        )
    )
    states[f"{name}: timed out"] = {
        "Type": "Pass",
        "Result": {"Error": "StepTimedOut", "Cause": "the renewal waited past its link's expiry"},
        "ResultPath": "$.failure",
        "Next": f"{name}: needs ops",
    }
    # the volunteer withdrew (their own run ends the journey), or ops ended the renewal after a failure
    states["Withdrawn"] = {"Type": "Succeed"}
    states[ENDED_BY_OPS] = {"Type": "Succeed"}
    return {
        "Comment": "BackUp: one volunteer's certificate renewal. Generated by statemachine/generate.py.",
        "StartAt": fresh(name),
        "States": states,
    }


def gathering_definition() -> State:
    """A network day or a supervision session: invite the target group, wait, remind those with a
    seat, wait until it has ended, close it for attendance. Each task says how long the next wait
    is and whether its step happened, so a start moved by an edit is waited for again; a cancelled
    gathering ends its run at the next task."""
    # the gathering contract has no record kind: the machine's kind is never written into a payload
    m = Machine(RecordKind.MATCH, "$.gathering_id", withdrawable=False)
    cancelled, held = "Cancelled", "Held: attendance can be recorded"

    def task(name: str, action: str, next_state: str, comment: str) -> dict[str, State]:
        state = _lambda(m, action, GATHERINGS, gathering_id="$.gathering_id")
        state["Comment"] = comment
        state["Next"] = next_state
        _result(state, GATHERINGS, "$.schedule")
        return {name: state}

    def wait(name: str, next_state: str) -> dict[str, State]:
        return {name: {"Type": "Wait", "SecondsPath": "$.schedule.seconds", "Next": next_state}}

    states: dict[str, State] = {
        **task("Invite the target group", "invite", "Still on?", "Everyone in the target group gets an invitation."),
        **_choice("Still on?", "$.schedule.status", "OPEN", "Wait for the reminder", cancelled),
        **wait("Wait for the reminder", "Remind those signed up"),
        **task("Remind those signed up", "remind", "Reminded?", "Those with a seat are reminded (once)."),
        "Reminded?": {
            "Type": "Choice",
            "Choices": [
                rule("$.schedule.status", "StringEquals", "CANCELLED", cancelled),
                rule("$.schedule.done", "BooleanEquals", False, "Wait for the reminder"),
            ],
            "Default": "Wait for the end",
        },
        **wait("Wait for the end", "Close for attendance"),
        **task("Close for attendance", "close", "Closed?", "Answers end; the organiser records who came."),
        "Closed?": {
            "Type": "Choice",
            "Choices": [
                rule("$.schedule.done", "BooleanEquals", False, "Wait for the end"),
                rule("$.schedule.status", "StringEquals", "CANCELLED", cancelled),
            ],
            "Default": held,
        },
        cancelled: {"Type": "Succeed"},
        held: {"Type": "Succeed"},
    }
    return {
        "Comment": "BackUp: one network day or supervision session. Generated by statemachine/generate.py.",
        "StartAt": "Invite the target group",
        "States": states,
    }


SUPPORT_MACHINE = Machine(RecordKind.MATCH, "$.proposal_id", withdrawable=False)
SUPPORT_ENDED = "Support ended"
CONCERN_RAISED = "Concern raised"
NEXT_CHECK_IN = "Next check-in"
ROLES_INTERRUPTED = "Concern during the roles agreement"
AFTER_CONCERN = "After the concern"


def _support_step(
    name: str, step: str, recorded: str, expired: str, closing: str | None = None, concern: str = CONCERN_RAISED
) -> dict[str, State]:
    """A consultant's support step on the match (human_steps): the wait, the check of its result
    against the used link, and the reminding loop; expired goes to `expired`."""
    m = SUPPORT_MACHINE
    wait = _lambda(m, "open_support", SUPPORT, step=step)
    wait["Comment"] = f"Waits for the consultant to record the {step.lower().replace('_', '-')} (a link sent to them)."
    wait["TimeoutSecondsPath"] = "$.step_wait.seconds"
    wait["ResultPath"] = "$.claimed"
    wait["Catch"] = [
        {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": f"{name}: remind"},
        PERSON_GONE,
        _catch_all(name),
    ]
    wait["Next"] = f"{name}: confirmed"
    states: dict[str, State] = {name: wait, **_ask_ops(m, name, retry_target=fresh(name), withdrawable=False)}
    states.update(
        _task(
            m,
            f"{name}: confirmed",
            "confirm_support",
            f"{name}: recorded?",
            "$.decision",
            False,
            SUPPORT,
            step=step,
            claimed="$.claimed",
        )
    )
    # a concern wakes any of the support's waits: the consultant and ops hear at once
    outcomes = {"recorded": recorded, **({"close": closing} if closing else {}), "concern": concern}
    states.update(_choose(f"{name}: recorded?", "$.decision.outcome", outcomes, fresh(name)))
    states.update(
        _reminding(
            m,
            name,
            _lambda(m, "remind_support", SUPPORT, step=step),
            f"{name}: remind",
            "$.settings.reminder_delay_seconds",
            expired,
            False,
            SUPPORT,
        )
    )
    return states


def support_definition() -> State:
    """A match's support: the roles agreed with the contact adult, then check-ins on their schedule
    (twice in the first month, then monthly), each with reminders and ops; for years, carried on in
    a new run before a Standard execution's year is up."""
    m = SUPPORT_MACHINE
    states: dict[str, State] = {
        START: {
            "Type": "Choice",
            "Choices": [rule("$.resume", "StringEquals", "check_ins", "Settings of a carried-on run")],
            "Default": "Support begins",
        }
    }
    states.update(_task(m, "Support begins", "start_support", fresh("Roles agreement"), "$.settings", False, SUPPORT))
    states.update(
        _task(m, "Settings of a carried-on run", "start_support", NEXT_CHECK_IN, "$.settings", False, SUPPORT)
    )
    # a roles step that ran out without a record was escalated already: the check-ins go on
    # a concern while the roles are being agreed comes first; the roles step is taken up again after it
    states.update(_support_step("Roles agreement", "ROLES", NEXT_CHECK_IN, NEXT_CHECK_IN, concern=ROLES_INTERRUPTED))
    states[ROLES_INTERRUPTED] = {
        "Type": "Pass",
        "Comment": "Remembers that the roles are still to be agreed once the concern is decided.",
        "Result": True,
        "ResultPath": "$.roles_interrupted",
        "Next": CONCERN_RAISED,
    }
    states.update(
        _task(
            m,
            NEXT_CHECK_IN,
            "next_check_in",
            "What next?",
            "$.next",
            False,
            SUPPORT,
            run_started="$$.Execution.StartTime",
        )
    )
    states["What next?"] = {
        "Type": "Choice",
        "Choices": [
            rule("$.next.ended", "BooleanEquals", True, SUPPORT_ENDED),
            rule("$.next.renew", "BooleanEquals", True, CONTINUE),
        ],
        "Default": "Until the check-in",
    }
    # the schedule's wait holds a token on the match, so a concern wakes it at once
    states.update(_task(m, "Until the check-in", "await_check_in", "Check-in due?", None, False, SUPPORT))
    until = states["Until the check-in"]
    until["TimeoutSecondsPath"] = "$.next.seconds"
    until["Catch"].insert(0, {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": "Check-in due?"})
    states.update(_task(m, "Check-in due?", "check_in_due", "Open the check-in?", "$.due", False, SUPPORT))
    states["Open the check-in?"] = {
        "Type": "Choice",
        "Choices": [
            rule("$.due.ended", "BooleanEquals", True, SUPPORT_ENDED),
            rule("$.due.concern", "BooleanEquals", True, CONCERN_RAISED),
            rule("$.due.close", "BooleanEquals", True, fresh("Closure")),  # the young person turned 25
            rule("$.due.open", "BooleanEquals", True, fresh("Check-in")),
        ],
        # paused: no check-in now; the schedule looks again after the next interval
        "Default": NEXT_CHECK_IN,
    }
    # a check-in may end the match: the consultant then records the closure (a step of its own)
    states.update(_support_step("Check-in", "CHECK_IN", NEXT_CHECK_IN, "Check-in missed", fresh("Closure")))
    # a closure nobody records in time was escalated: the match carries on until one is recorded
    states.update(_support_step("Closure", "CLOSURE", "Close the match", NEXT_CHECK_IN))
    # a concern: the consultant and ops are told at once, then the consultant decides (continue and
    # pause go on with the schedule, which stops while paused; end records the closure)
    states.update(_task(m, CONCERN_RAISED, "concern_raised", fresh("Concern decision"), None, False, SUPPORT))
    states.update(_support_step("Concern decision", "CONCERN", AFTER_CONCERN, AFTER_CONCERN, fresh("Closure")))
    states[AFTER_CONCERN] = {
        "Type": "Choice",
        "Choices": [rule("$.roles_interrupted", "BooleanEquals", True, "Back to the roles agreement")],
        "Default": NEXT_CHECK_IN,
    }
    states["Back to the roles agreement"] = {
        "Type": "Pass",
        "Result": False,
        "ResultPath": "$.roles_interrupted",
        "Next": fresh("Roles agreement"),
    }
    states.update(_task(m, "Close the match", "close_match", "Look for new matches", None, False, SUPPORT))
    states.update(_task(m, "Look for new matches", "run", SUPPORT_ENDED, None, False, MATCHING))
    states.update(_task(m, "Check-in missed", "check_in_missed", NEXT_CHECK_IN, None, False, SUPPORT))
    states.update(
        _task(m, CONTINUE, "continue_support", CONTINUED, None, False, SUPPORT, execution="$$.Execution.Name")
    )
    states[CONTINUED] = {"Type": "Succeed"}
    # the match ended (closed), someone in it left, or ops ended the run after a failure
    states[SOMEONE_LEFT] = {
        "Type": "Pass",
        "Comment": "Someone in the match left: its support ends.",
        "Next": SUPPORT_ENDED,
    }
    states[ENDED_BY_OPS] = {"Type": "Pass", "Comment": "Ops chose to end this support run.", "Next": SUPPORT_ENDED}
    states[SUPPORT_ENDED] = {"Type": "Succeed"}
    return {
        "Comment": "BackUp: one match's support after MATCHED: the roles agreement, check-ins with reminders, and a "
        "new run before the year is up. Generated by statemachine/generate.py.",
        "StartAt": START,
        "States": states,
    }


DEFINITIONS = {
    "volunteer": definition,
    "youth": youth_definition,
    "match": match_definition,
    "renewal": renewal_definition,
    "gathering": gathering_definition,
    "support": support_definition,
}


def render(name: str = "volunteer") -> str:
    return json.dumps(DEFINITIONS[name](), indent=2, ensure_ascii=False) + "\n"


def target(name: str) -> Path:
    return ROOT / "statemachine" / f"{name}.asl.json"


if __name__ == "__main__":
    for machine in DEFINITIONS:
        target(machine).write_text(render(machine), encoding="utf-8")
        print(f"wrote {target(machine).relative_to(ROOT)}")
