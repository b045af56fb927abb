"""Writes statemachine/volunteer.asl.json from the stage list in backup.stages.

The four screening steps share one shape (wait for the consultant, remind, decide), and every
task shares one way of failing (retry what is worth retrying, then ask ops), so the definition
is generated from the single list of stages instead of being copied by hand. Run `make asl`
after changing the stages; a test fails when the committed file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "functions" / "shared"))

from backup.stages import HUMAN_STEPS, STATE_NAMES, YOUTH_STEPS, Stage, step_after  # noqa: E402

FUNCTION = "${WorkflowFunctionArn}"
MATCHING = "${MatchingFunctionArn}"

# Lambda errors worth trying again: the service's own faults and throttling (SES throttling
# surfaces from our handler as SesThrottled). Full jitter spreads retries of many executions.
RETRY = [
    {
        "ErrorEquals": [
            "Lambda.ServiceException",
            "Lambda.AWSLambdaException",
            "Lambda.SdkClientException",
            "Lambda.TooManyRequestsException",
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


class Machine:
    """The definition being built: the kind it drives (carried in every task's payload) and
    whether its person can withdraw (only volunteers have a withdrawal link)."""

    kind = "VOLUNTEER"
    withdrawable = True

    @classmethod
    def use(cls, kind: str) -> None:
        cls.kind = kind
        cls.withdrawable = kind == "VOLUNTEER"


def _payload(action: str, stage: Stage | None, **extra: object) -> dict:
    payload: dict = {"action": action, "application_id.$": "$.application_id", "kind": Machine.kind}
    if stage is not None:
        payload["stage"] = stage.value
    payload.update(extra)
    return payload


def _lambda(payload: dict, wait: bool = False, function: str = FUNCTION) -> dict:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke" + (".waitForTaskToken" if wait else ""),
        "Parameters": {"FunctionName": function, "Payload": payload},
        "Retry": RETRY,
    }


def _ask_ops(name: str, retry_target: str, withdrawable: bool = True) -> dict[str, dict]:
    """What failed after its retries waits here for ops to choose: try the step again, or end.
    A failure while recording an outcome (withdrawn, rejected) cannot be withdrawn from: the
    outcome is what ops must get recorded, so only ops end that wait."""
    withdrawable = withdrawable and Machine.withdrawable
    # the whole failure object: a failure without a Cause must not break the way to ops
    ask = _lambda(
        _payload("ops_attention", None, **{"failed_state": name, "failure.$": "$.failure",
                                          "task_token.$": "$$.Task.Token", "withdrawable": withdrawable}),
        wait=True,
    )
    ask["Comment"] = "Something failed for good: ops are sent a link to retry the step or end the journey."
    ask["ResultPath"] = "$.ops"
    if withdrawable:
        ask["Catch"] = [WITHDRAWN]
    ask["Next"] = f"{name}: ops decided?"
    ask["Retry"] = [{**RETRY[0], "MaxAttempts": 8}]
    decided = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.ops.choice", "StringEquals": "retry", "Next": retry_target}],
        "Default": ENDED_BY_OPS,
    }
    return {f"{name}: needs ops": ask, f"{name}: ops decided?": decided}


def _catch_all(name: str) -> dict:
    return {"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": f"{name}: needs ops"}


# In a proposal: one of the two withdrew, so the other goes back to the pool.
SOMEONE_LEFT = "Someone left: back to the pool"
PERSON_GONE = {"ErrorEquals": ["PersonGone"], "ResultPath": "$.error", "Next": SOMEONE_LEFT}


def _task(name: str, action: str, stage: Stage | None, next_state: str, result: dict | None,
          withdrawable: bool = True, function: str = FUNCTION, wait: bool = False, **extra: object) -> dict[str, dict]:
    """A Lambda task plus the ops-attention states that catch its failures."""
    if wait:
        extra["task_token.$"] = "$$.Task.Token"
    state = _lambda(_payload(action, stage, **extra), wait=wait, function=function)
    person_gone = [PERSON_GONE] if Machine.kind == "MATCH" and name != SOMEONE_LEFT else []
    state["Catch"] = ([WITHDRAWN] if withdrawable else []) + person_gone + [_catch_all(name)]
    state["Next"] = next_state
    if result is None:
        state["ResultPath"] = None
    else:
        state["ResultSelector"] = result["select"]
        state["ResultPath"] = result["path"]
    return {name: state, **_ask_ops(name, retry_target=name, withdrawable=withdrawable)}


def _human_step(stage: Stage, done: str, rejected: str = "Rejected", withdrawable: bool = True) -> dict[str, dict]:
    name = STATE_NAMES[stage]
    after = step_after(stage)
    next_name = STATE_NAMES.get(after, done)
    wait = _lambda(_payload("open_step", stage, **{"task_token.$": "$$.Task.Token"}), wait=True)
    wait["Comment"] = f"Waits for the consultant's decision on {stage.value} (a link sent to them)."
    wait["TimeoutSecondsPath"] = "$.settings.reminder_delay_seconds"
    wait["ResultPath"] = "$.decision"
    wait["Catch"] = [
        {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": f"{name}: remind"},
        *([WITHDRAWN] if withdrawable else []),
        _catch_all(name),
    ]
    wait["Next"] = f"{name}: decided?"
    decided = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.decision.outcome", "StringEquals": "approve", "Next": next_name}],
        "Default": rejected,
    }
    remind = _lambda(_payload("remind", stage))
    remind["Comment"] = ("Nobody decided in time: remind the consultant, escalate to ops after the last "
                         "reminder, and when the step's link expires ask ops (StepTimedOut).")
    remind["ResultSelector"] = {"reminders_sent.$": "$.Payload.reminders_sent"}
    remind["ResultPath"] = "$.reminder"
    remind["Catch"] = [*([WITHDRAWN] if withdrawable else []), _catch_all(f"{name}: remind")]
    remind["Next"] = name
    return {
        name: wait,
        **_ask_ops(name, retry_target=name, withdrawable=withdrawable),
        f"{name}: decided?": decided,
        f"{name}: remind": remind,
        # a step that failed or timed out is opened afresh (a new link) when ops retry it
        **_ask_ops(f"{name}: remind", retry_target=name, withdrawable=withdrawable),
    }


POOL_WAIT = "How long may this run wait?"
CONTINUE = "Carry on in a new run"
CONTINUED = "Carried on in a new run"
START = "New or carried on?"


def _wait_for_match(done: str, withdrawable: bool) -> dict[str, dict]:
    """In the pool: run matching (a new person may complete a pair), then wait until matched.
    A Standard execution stops after a year, so a long wait carries on in a new run (the
    "continue as new" pattern): the next execution starts straight at the pool's wait."""
    states = _task("Find a match", "run", None, POOL_WAIT, None, withdrawable, function=MATCHING)
    states.update(_task(POOL_WAIT, "pool_wait", None, "New run due?",
                        {"select": {"seconds.$": "$.Payload.seconds", "renew.$": "$.Payload.renew"}, "path": "$.pool"},
                        withdrawable, **{"run_started.$": "$$.Execution.StartTime"}))
    states.update(_choice("New run due?", "$.pool.renew", True, CONTINUE, "Waiting for a match"))
    states.update(_task("Waiting for a match", "await_match", None, "Matched?",
                        {"select": {"outcome.$": "$.outcome"}, "path": "$.match"}, withdrawable, wait=True))
    waiting = states["Waiting for a match"]
    waiting["ResultSelector"] = {"outcome.$": "$.outcome"}
    waiting["TimeoutSecondsPath"] = "$.pool.seconds"
    waiting["Catch"].insert(0, {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": CONTINUE})
    states.update(_choice("Matched?", "$.match.outcome", "matched", done, POOL_WAIT))
    states[done] = {"Type": "Succeed"}
    # the task records the next run and starts it: this same machine, straight at the pool's wait
    states.update(_task(CONTINUE, "continue_run", None, CONTINUED, None, withdrawable, **{
        "execution.$": "$$.Execution.Name", "state_machine.$": "$$.StateMachine.Id", "settings.$": "$.settings"}))
    states[CONTINUED] = {"Type": "Succeed"}
    return states


def _start(first: str) -> dict[str, dict]:
    """A run that carries on from an earlier one starts at the pool's wait; a new one at the start."""
    return {START: {"Type": "Choice", "Choices": [{"And": [
        {"Variable": "$.resume", "IsPresent": True}, {"Variable": "$.resume", "StringEquals": "pool"}],
        "Next": POOL_WAIT}], "Default": first}}


def _ended_by_ops(stage: Stage = Stage.CLOSED) -> dict[str, dict]:
    ended = _lambda(_payload("finish", stage))
    ended["Comment"] = "Ops chose to end this journey after a failure."
    ended["ResultPath"] = None
    ended["Next"] = "Journey ended by ops"
    return {ENDED_BY_OPS: ended, "Journey ended by ops": {"Type": "Succeed"}}


def definition() -> dict:
    """A volunteer: application, four screening steps, ready for match, matched."""
    Machine.use("VOLUNTEER")
    first = STATE_NAMES[HUMAN_STEPS[0]]
    states: dict[str, dict] = {}
    states.update(_start("Application received"))
    states.update(_task("Application received", "start", None, first, {
        "select": {"reminder_delay_seconds.$": "$.Payload.reminder_delay_seconds"}, "path": "$.settings"}))
    for stage in HUMAN_STEPS:
        states.update(_human_step(stage, READY))
    states.update(_task(READY, "finish", Stage.READY_FOR_MATCH, "Find a match", None))
    states.update(_wait_for_match("Volunteer matched", withdrawable=True))
    # a rejection or a withdrawal is final: a late withdrawal request changes nothing
    states.update(_task("Rejected", "finish", Stage.REJECTED, "Application rejected", None, withdrawable=False))
    states["Application rejected"] = {"Type": "Succeed"}
    states.update(_task("Withdrawn", "finish", Stage.WITHDRAWN, "Application withdrawn", None, withdrawable=False))
    states["Application withdrawn"] = {"Type": "Succeed"}
    states.update(_ended_by_ops())
    return {
        "Comment": "BackUp: one volunteer from application through screening to a match. "
        "Generated by statemachine/generate.py from backup.stages.",
        "StartAt": START,
        "States": states,
    }


def youth_definition() -> dict:
    """A young person: referral, a consultant's talk with them, waiting for a volunteer, matched."""
    Machine.use("YOUTH")
    first = STATE_NAMES[YOUTH_STEPS[0]]
    states: dict[str, dict] = {}
    states.update(_start("Referral received"))
    states.update(_task("Referral received", "start", None, first, {
        "select": {"reminder_delay_seconds.$": "$.Payload.reminder_delay_seconds"}, "path": "$.settings"},
        withdrawable=False))
    for stage in YOUTH_STEPS:
        states.update(_human_step(stage, "Referral confirmed", rejected="Referral declined", withdrawable=False))
    states.update(_task("Referral confirmed", "finish", Stage.WAITING_FOR_MATCH, "Find a match", None,
                        withdrawable=False))
    states.update(_wait_for_match("Young person matched", withdrawable=False))
    states.update(_task("Referral declined", "finish", Stage.REJECTED, "Referral not taken on", None,
                        withdrawable=False))
    states["Referral not taken on"] = {"Type": "Succeed"}
    states.update(_ended_by_ops())
    return {
        "Comment": "BackUp: one young person from referral to a match. Generated by statemachine/generate.py.",
        "StartAt": START,
        "States": states,
    }


def _choice(name: str, variable: str, equals: str | bool, yes: str, no: str) -> dict[str, dict]:
    test = "BooleanEquals" if isinstance(equals, bool) else "StringEquals"
    return {name: {"Type": "Choice", "Choices": [{"Variable": variable, test: equals, "Next": yes}], "Default": no}}


def _reminding(wait: dict, waiting: str, action: str, remind: str) -> dict[str, dict]:
    """A proposal's wait that reminds: it starts with a full reminder period (the Pass state every
    way in goes through), times out into `remind`, and waits again for as long as that task says
    (after the escalation: the link's remaining life, so the loop stays short whatever the period)."""
    wait["TimeoutSecondsPath"] = "$.consultant_wait.seconds"
    wait["Catch"].insert(0, {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": remind})
    states = {_fresh(waiting): {
        "Type": "Pass", "Parameters": {"seconds.$": "$.remind_after_seconds", "expired": False},
        "ResultPath": "$.consultant_wait", "Next": waiting}}
    states.update(_task(remind, action, None, f"{waiting}: expired?", {
        "select": {"expired.$": "$.Payload.expired", "seconds.$": "$.Payload.seconds"},
        "path": "$.consultant_wait"}, False, MATCHING))
    states.update(_choice(f"{waiting}: expired?", "$.consultant_wait.expired", True, "Proposal expired", waiting))
    return states


def _fresh(waiting: str) -> str:
    """The state that starts a consultant's step in a proposal with a full reminder period."""
    return f"{waiting}: reminders from now"


def match_definition() -> dict:
    """A proposal: the consultant chooses, the two meet, both are asked, and a match or the pool."""
    Machine.use("MATCH")
    ok = {"select": {"ok.$": "$.Payload.ok"}, "path": "$.check"}
    states: dict[str, dict] = {}
    states.update(_task("Consultant chooses", "open_proposal", None, "Chosen?", None, False, MATCHING, wait=True))
    states["Consultant chooses"]["ResultPath"] = "$.choice"
    states.update(_choice("Chosen?", "$.choice.outcome", "none", "No match: back to the pool", "Record the choice"))
    states.update(_task("Record the choice", "choose", None, "Still free?", ok, False, MATCHING,
                        **{"volunteer_id.$": "$.choice.volunteer_id"}))
    states.update(_choice("Still free?", "$.check.ok", True, "Both still in the programme?",
                          _fresh("Consultant chooses")))
    states.update(_task("Both still in the programme?", "still_on", None, "Both here?", ok, False, MATCHING))
    states.update(_choice("Both here?", "$.check.ok", True, _fresh("Introduction meeting"), SOMEONE_LEFT))
    states.update(_task("Introduction meeting", "open_intro", None, _fresh("Both asked: continue?"), None, False,
                        MATCHING, wait=True))
    states["Introduction meeting"]["ResultPath"] = "$.intro"
    states.update(_task("Both asked: continue?", "ask_both", None, "Both said yes?", None, False, MATCHING, wait=True))
    states["Both asked: continue?"]["ResultPath"] = "$.answers"
    states.update(_choice("Both said yes?", "$.answers.outcome", "both_yes", "Matched", "Not continuing"))
    states.update(_task("Matched", "matched", None, "Match confirmed", None, False, MATCHING))
    states["Match confirmed"] = {"Type": "Succeed"}
    for name, exclude, tell in (("No match: back to the pool", True, False), ("Not continuing", True, True),
                                (SOMEONE_LEFT, False, False)):
        states.update(_task(name, "release", None, "Look for new matches", None, False, MATCHING,
                            exclude=exclude, tell=tell))
    states.update(_task("Look for new matches", "run", None, "Proposal ended", None, False, MATCHING))
    # the consultant's waits remind them (then ops) and wait again on the same link; after the
    # two people were asked, the consultant hears who has not answered (nudge). Once the links have
    # expired, both go back to the pool.
    for waiting, action, then in (("Consultant chooses", "remind", "remind"),
                                  ("Introduction meeting", "remind", "remind"),
                                  ("Both asked: continue?", "nudge", "nudge the consultant")):
        states.update(_reminding(states[waiting], waiting, action, f"{waiting}: {then}"))
    states.update(_task("Proposal expired", "release", None, "Look for new matches", None, False, MATCHING,
                        exclude=False, tell=False))
    states["Proposal ended"] = {"Type": "Succeed"}
    states.update(_ended_by_ops())
    states[ENDED_BY_OPS] = {**states[ENDED_BY_OPS], "Parameters": {
        "FunctionName": MATCHING, "Payload": _payload("release", None, exclude=False, tell=False)}}
    return {
        "Comment": "BackUp: one match proposal, from the consultant's choice to a confirmed match or back to "
        "the pool. Generated by statemachine/generate.py.",
        "StartAt": _fresh("Consultant chooses"),
        "States": states,
    }


DEFINITIONS = {"volunteer": definition, "youth": youth_definition, "match": match_definition}


def render(name: str = "volunteer") -> str:
    return json.dumps(DEFINITIONS[name](), indent=2, ensure_ascii=False) + "\n"


def target(name: str) -> Path:
    return ROOT / "statemachine" / f"{name}.asl.json"


if __name__ == "__main__":
    for machine in DEFINITIONS:
        target(machine).write_text(render(machine), encoding="utf-8")
        print(f"wrote {target(machine).relative_to(ROOT)}")
