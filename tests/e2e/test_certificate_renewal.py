"""A certificate about to run out, on the real renewal state machine: the hourly watch starts the run,
the consultant records the new certificate from the emailed link, and the volunteer stays cleared."""

import json
import time
from datetime import UTC, date, datetime, timedelta

import boto3
import pytest
import requests

from backup.domain.stages import HUMAN_STEPS, Stage
from local_stack.client import approval_fields
from local_stack.template import REGION

from .test_volunteer_journey import apply, approve

pytestmark = pytest.mark.e2e


def aws(stack, service):
    return boto3.client(
        service, endpoint_url=stack.endpoint, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    )


def ready_volunteer_whose_certificate_runs_out_in(stack, days):
    person_id, _ = apply(stack)
    for stage in HUMAN_STEPS:
        approve(stack, person_id, stage)
    stack.client.wait_for_stage(person_id, "READY_FOR_MATCH")
    until = datetime.now(UTC).date() + timedelta(days=days)
    stack.client._table().update_item(
        Key={"pk": f"VOLUNTEER#{person_id}", "sk": "PROFILE"},
        UpdateExpression="SET cleared_until = :until",
        ExpressionAttributeValues={":until": until.isoformat()},
    )
    return person_id, until


def run_the_watch(stack):
    response = aws(stack, "lambda").invoke(FunctionName=stack.functions["WatchFunction"], Payload=b"{}")
    assert not response.get("FunctionError"), response["Payload"].read()
    return json.loads(response["Payload"].read())


def renewal_link(stack, person_id):
    email = stack.client.wait_for_email(stack.consultant, f"skal fornyes (frivillig {person_id})")
    return stack.client.link_in(email)


def test_a_renewed_certificate_keeps_the_volunteer_in_the_pool_for_another_period(stack):
    person_id, until = ready_volunteer_whose_certificate_runs_out_in(stack, 10)
    assert run_the_watch(stack)["certificates"]["renewals_due"] >= 1
    url = renewal_link(stack, person_id)
    form = requests.get(url, timeout=30).text
    assert "Fornyet børneattest" in form and f"gælder til og med {until:%d.%m.%Y}" in form
    page = stack.client.open_and_decide(url, "approve", approval_fields("CHILD_CERTIFICATE"))
    assert page.status_code == 200, page.text[:400]
    assert "Den nye børneattest er registreret" in page.text
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    person = stack.client.volunteer(person_id)
    while datetime.now(UTC) < deadline and date.fromisoformat(person["cleared_until"]) <= until:
        time.sleep(0.2)
        person = stack.client.volunteer(person_id)
    assert date.fromisoformat(person["cleared_until"]) == datetime.now(UTC).date() + timedelta(days=730)
    assert person["stage"] == Stage.READY_FOR_MATCH.value
    assert "CERTIFICATE_RENEWED" in [e["kind"] for e in stack.client.history(person_id)]
    run_the_watch(stack)  # the next hour: nothing more for this volunteer
    renewals = [m for m in stack.client.outbox() if f"skal fornyes (frivillig {person_id})" in m["subject"]]
    assert len(renewals) == 1


def test_a_renewal_that_is_not_clean_suspends_the_volunteer_and_alarms_ops(stack):
    person_id, _ = ready_volunteer_whose_certificate_runs_out_in(stack, 10)
    run_the_watch(stack)
    fields = {"reason": "Anmærkning på den nye attest"}
    page = stack.client.open_and_decide(renewal_link(stack, person_id), "reject", fields)
    assert page.status_code == 200, page.text[:400]
    assert "suspenderet" in page.text
    stack.client.wait_for_email(stack.parameters["OpsEmail"], f"Sikkerhedsalarm: {person_id}")
    assert stack.client.volunteer(person_id)["suspended"]["by"] == stack.consultant


def test_a_certificate_that_ran_out_is_recorded_and_the_consultant_told(stack):
    person_id, _ = ready_volunteer_whose_certificate_runs_out_in(stack, 0)
    run_the_watch(stack)
    expired = stack.client.wait_for_email(stack.consultant, f"er udløbet (frivillig {person_id})")
    assert "bliver ikke foreslået" in expired["text"]
    assert "CERTIFICATE_EXPIRED" in [e["kind"] for e in stack.client.history(person_id)]
