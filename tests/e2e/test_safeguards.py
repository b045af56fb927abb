"""The attacks, on the real state machine and handlers: a replayed task token, a direct invoke of the
workflow function, and Step Functions refusing a decision's delivery for a while."""

import json

import boto3
import pytest
import requests

from backup.domain.stages import Stage
from local_stack.template import REGION

from .test_volunteer_journey import apply, approve, step_link

pytestmark = pytest.mark.e2e


def aws(stack, service):
    return boto3.client(
        service, endpoint_url=stack.endpoint, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )


def kinds(stack, person_id):
    return [e["kind"] for e in stack.client.history(person_id)]


def token_from_history(stack, person_id, state):
    """What someone with states:GetExecutionHistory can read: the task token a waiting step was given."""
    arn = stack.client.execution_arn(stack.volunteer_machine, person_id)
    for event in aws(stack, "stepfunctions").get_execution_history(executionArn=arn)["events"]:
        details = event.get("taskScheduledEventDetails") or {}
        parameters = json.loads(details.get("parameters") or "{}")
        payload = parameters.get("Payload") or {}
        if payload.get("action") == "open_step" and payload.get("stage") == state:
            return payload["task_token"]
    raise AssertionError("no open_step task in the history")


def test_a_task_token_replayed_from_the_history_moves_nobody_and_raises_the_alarm(stack):
    person_id, _ = apply(stack)
    step_link(stack, person_id, Stage.PHONE_SCREENING)  # the step is open and waits
    token = token_from_history(stack, person_id, "PHONE_SCREENING")
    aws(stack, "stepfunctions").send_task_success(taskToken=token, output=json.dumps({"outcome": "approve"}))
    alarm = stack.client.wait_for_email(stack.parameters["OpsEmail"], f"Sikkerhedsalarm: {person_id}")
    assert "outcome=approve" in alarm["text"]
    assert "SAFEGUARDING_ALARM" in kinds(stack, person_id)
    stack.client.wait_for_state(stack.volunteer_machine, person_id, "Phone screening")  # it waits again
    person = stack.client.volunteer(person_id)
    assert person["stage"] == "PHONE_SCREENING" and "PHONE_SCREENING" not in person.get("evidence", {})
    # the consultant's own decision still moves the volunteer on, from the same link
    approve(stack, person_id, Stage.PHONE_SCREENING)
    stack.client.wait_for_stage(person_id, "HOME_VISIT")


def test_a_direct_invoke_asking_for_ready_for_match_is_refused_recorded_and_alarmed(stack):
    person_id, _ = apply(stack)
    step_link(stack, person_id, Stage.PHONE_SCREENING)
    response = aws(stack, "lambda").invoke(
        FunctionName=stack.functions["WorkflowFunction"],
        Payload=json.dumps(
            {"action": "finish", "stage": "READY_FOR_MATCH", "person_id": person_id, "kind": "VOLUNTEER"}
        ).encode(),
    )
    answer = json.loads(response["Payload"].read())
    assert response.get("FunctionError") and answer["errorType"] == "TransitionRefused"
    assert stack.client.volunteer(person_id)["stage"] == "PHONE_SCREENING"
    refused = [e for e in stack.client.history(person_id) if e["kind"] == "TRANSITION_REFUSED"]
    assert refused and refused[0]["by"] == "a direct invoke that named no execution"
    assert refused[0]["details"]["to"] == "READY_FOR_MATCH"
    stack.client.wait_for_email(stack.parameters["OpsEmail"], f"Sikkerhedsalarm: {person_id}")


def test_a_decision_step_functions_refuses_for_a_while_still_moves_the_run_on_within_seconds(stack):
    person_id, _ = apply(stack)
    url = step_link(stack, person_id, Stage.PHONE_SCREENING)
    # more refusals than the request's own quick retries: the rest is the scheduled delivery's
    fault = requests.post(
        f"{stack.web}/_local/faults", timeout=10, json={"function": "states", "action": "SendTaskSuccess", "times": 4}
    )
    assert fault.status_code == 201
    from local_stack.client import approval_fields

    answer = stack.client.open_and_decide(url, "approve", approval_fields("PHONE_SCREENING"))
    assert answer.status_code == 200 and "godkendt" in answer.text  # recorded, not a 500
    stack.client.wait_for_stage(person_id, "HOME_VISIT", timeout=30)  # within seconds, not the step's days
    # every refusal was used up: the request's own tries failed, and the schedule delivered what was owed
    assert requests.get(f"{stack.web}/_local/faults", timeout=10).json() == []
    assert "DECISION_UNDELIVERED" not in kinds(stack, person_id)
