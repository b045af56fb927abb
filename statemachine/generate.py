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

from backup.stages import HUMAN_STEPS, STATE_NAMES, Stage, step_after  # noqa: E402

TARGET = ROOT / "statemachine" / "volunteer.asl.json"
FUNCTION = "${WorkflowFunctionArn}"

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


def _payload(action: str, stage: Stage | None, **extra: str) -> dict:
    payload: dict = {"action": action, "application_id.$": "$.application_id"}
    if stage is not None:
        payload["stage"] = stage.value
    payload.update(extra)
    return payload


def _lambda(payload: dict, wait: bool = False) -> dict:
    return {
        "Type": "Task",
        "Resource": "arn:aws:states:::lambda:invoke" + (".waitForTaskToken" if wait else ""),
        "Parameters": {"FunctionName": FUNCTION, "Payload": payload},
        "Retry": RETRY,
    }


def _ask_ops(name: str, retry_target: str) -> dict[str, dict]:
    """What failed after its retries waits here for ops to choose: try the step again, or end."""
    ask = _lambda(
        _payload("ops_attention", None, **{"failed_state": name, "error.$": "$.failure.Error",
                                          "cause.$": "$.failure.Cause", "task_token.$": "$$.Task.Token"}),
        wait=True,
    )
    ask["Comment"] = "Something failed for good: ops are sent a link to retry the step or end the journey."
    ask["ResultPath"] = "$.ops"
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


def _task(name: str, action: str, stage: Stage | None, next_state: str, result: dict | None,
          withdrawable: bool = True) -> dict[str, dict]:
    """A Lambda task plus the ops-attention states that catch its failures."""
    state = _lambda(_payload(action, stage))
    state["Catch"] = ([WITHDRAWN] if withdrawable else []) + [_catch_all(name)]
    state["Next"] = next_state
    if result is None:
        state["ResultPath"] = None
    else:
        state["ResultSelector"] = result["select"]
        state["ResultPath"] = result["path"]
    return {name: state, **_ask_ops(name, retry_target=name)}


def _human_step(stage: Stage) -> dict[str, dict]:
    name = STATE_NAMES[stage]
    after = step_after(stage)
    next_name = STATE_NAMES.get(after, READY)
    wait = _lambda(_payload("open_step", stage, **{"task_token.$": "$$.Task.Token"}), wait=True)
    wait["Comment"] = f"Waits for the consultant's decision on {stage.value} (a link sent to them)."
    wait["TimeoutSecondsPath"] = "$.settings.reminder_delay_seconds"
    wait["ResultPath"] = "$.decision"
    wait["Catch"] = [
        {"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout", "Next": f"{name}: remind"},
        WITHDRAWN,
        _catch_all(name),
    ]
    wait["Next"] = f"{name}: decided?"
    decided = {
        "Type": "Choice",
        "Choices": [{"Variable": "$.decision.outcome", "StringEquals": "approve", "Next": next_name}],
        "Default": "Rejected",
    }
    remind = _lambda(_payload("remind", stage))
    remind["Comment"] = ("Nobody decided in time: remind the consultant, escalate to ops after the last "
                         "reminder, and when the step's link expires ask ops (StepTimedOut).")
    remind["ResultSelector"] = {"reminders_sent.$": "$.Payload.reminders_sent"}
    remind["ResultPath"] = "$.reminder"
    remind["Catch"] = [WITHDRAWN, _catch_all(f"{name}: remind")]
    remind["Next"] = name
    return {
        name: wait,
        **_ask_ops(name, retry_target=name),
        f"{name}: decided?": decided,
        f"{name}: remind": remind,
        # a step that failed or timed out is opened afresh (a new link) when ops retry it
        **_ask_ops(f"{name}: remind", retry_target=name),
    }


def definition() -> dict:
    first = STATE_NAMES[HUMAN_STEPS[0]]
    states: dict[str, dict] = {}
    states.update(_task("Application received", "start", None, first, {
        "select": {"reminder_delay_seconds.$": "$.Payload.reminder_delay_seconds"}, "path": "$.settings"}))
    for stage in HUMAN_STEPS:
        states.update(_human_step(stage))
    states.update(_task(READY, "finish", Stage.READY_FOR_MATCH, "Volunteer is ready for match", None))
    states["Volunteer is ready for match"] = {"Type": "Succeed"}
    # a rejection or a withdrawal is final: a late withdrawal request changes nothing
    states.update(_task("Rejected", "finish", Stage.REJECTED, "Application rejected", None, withdrawable=False))
    states["Application rejected"] = {"Type": "Succeed"}
    states.update(_task("Withdrawn", "finish", Stage.WITHDRAWN, "Application withdrawn", None, withdrawable=False))
    states["Application withdrawn"] = {"Type": "Succeed"}
    ended = _lambda(_payload("finish", Stage.CLOSED))
    ended["Comment"] = "Ops chose to end this journey after a failure."
    ended["ResultPath"] = None
    ended["Next"] = "Journey ended by ops"
    states[ENDED_BY_OPS] = ended
    states["Journey ended by ops"] = {"Type": "Succeed"}
    return {
        "Comment": "BackUp: one volunteer from application through screening to ready for match. "
        "Generated by statemachine/generate.py from backup.stages.",
        "StartAt": "Application received",
        "States": states,
    }


def render() -> str:
    return json.dumps(definition(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
