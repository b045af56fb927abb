"""The real state machine, the real handlers in their workers, real HTTP: a volunteer's journey."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
import requests

from backup.domain.stages import HUMAN_STEPS, Stage
from local_stack.client import SAMPLE_APPLICATION, approval_fields, hidden_fields

pytestmark = pytest.mark.e2e


def apply(stack, **changes):
    email = changes.pop("email", None) or f"applicant-{uuid.uuid4().hex[:12]}@example.org"
    return stack.client.apply({**SAMPLE_APPLICATION, "email": email, **changes}), email


def step_link(stack, application_id, stage):
    email = stack.client.wait_for_email(stack.consultant, f"{stage.label} venter på dig (ansøgning {application_id})")
    return stack.client.link_in(email)


def approve(stack, application_id, stage):
    response = stack.client.open_and_decide(
        step_link(stack, application_id, stage), "approve", approval_fields(stage.value), notes="ok"
    )
    assert response.status_code == 200, response.text[:400]


def test_approving_all_four_steps_makes_the_volunteer_ready_for_match(stack):
    application_id, email = apply(stack)
    for stage in HUMAN_STEPS:
        approve(stack, application_id, stage)
    stack.client.wait_for_stage(application_id, "READY_FOR_MATCH")
    # in the pool now: the run waits for a match (see test_matching_journey for the rest)
    stack.client.wait_for_state(stack.volunteer_machine, application_id, "Waiting for a match")
    history = stack.client.history(application_id)
    approvals = [(e["event_stage"], e["by"]) for e in history if e["kind"] == "APPROVED"]
    assert approvals == [(s.value, stack.consultant) for s in HUMAN_STEPS]
    stack.client.wait_for_email(email, "klar til at blive matchet")


def test_rejecting_the_home_visit_ends_in_rejected_with_a_kind_email_without_the_reason(stack):
    application_id, email = apply(stack)
    approve(stack, application_id, Stage.PHONE_SCREENING)
    url = step_link(stack, application_id, Stage.HOME_VISIT)
    answer = stack.client.open_and_decide(url, "reject", {"reason": "Hjemmet er ikke egnet lige nu"})
    assert answer.status_code == 200 and "afvist" in answer.text
    stack.client.wait_for_stage(application_id, "REJECTED")
    stack.client.wait_for_execution(stack.volunteer_machine, application_id)
    letter = stack.client.wait_for_email(email, "Svar på din ansøgning")
    assert "ikke egnet" not in letter["text"] and "desværre" in letter["text"]
    rejected = [e for e in stack.client.history(application_id) if e["kind"] == "REJECTED"]
    assert rejected[0]["details"]["reason"] == "Hjemmet er ikke egnet lige nu"


def test_a_mail_scanner_fetching_the_link_many_times_decides_nothing(stack):
    application_id, _ = apply(stack)
    url = step_link(stack, application_id, Stage.PHONE_SCREENING)
    for _ in range(10):
        assert requests.get(url, timeout=10).status_code == 200
        assert requests.head(url, timeout=10).status_code in {200, 404, 405}
    assert stack.client.volunteer(application_id)["stage"] == "PHONE_SCREENING"
    assert [e["kind"] for e in stack.client.history(application_id)].count("APPROVED") == 0
    approve(stack, application_id, Stage.PHONE_SCREENING)  # and the link still works for the consultant


def test_a_second_post_on_a_used_link_tells_the_consultant_they_decided_it_and_when(stack):
    application_id, _ = apply(stack)
    url = step_link(stack, application_id, Stage.PHONE_SCREENING)
    first = stack.client.open_and_decide(url, "approve", approval_fields("PHONE_SCREENING"))
    assert first.status_code == 200
    again = requests.get(url, timeout=10)
    assert again.status_code == 409
    assert "Trinnet blev afgjort af dig den" in again.text and "Du skal ikke gøre mere" in again.text


def test_two_posts_at_the_same_moment_resume_the_run_once(stack):
    application_id, _ = apply(stack)
    url = step_link(stack, application_id, Stage.PHONE_SCREENING)
    sessions = []
    for _ in range(4):
        session = requests.Session()
        page = session.get(url, timeout=10)
        sessions.append(
            (session, {**hidden_fields(page.text), **approval_fields("PHONE_SCREENING"), "decision": "approve"})
        )
    with ThreadPoolExecutor(4) as pool:
        statuses = sorted(pool.map(lambda s: s[0].post(url, data=s[1], timeout=30).status_code, sessions))
    assert statuses == [200, 409, 409, 409]
    stack.client.wait_for_email(stack.consultant, f"Hjemmebesøg venter på dig (ansøgning {application_id})")
    history = stack.client.history(application_id)
    assert [e["kind"] for e in history].count("APPROVED") == 1
    assert [e.get("event_stage") for e in history if e["kind"] == "STEP_OPENED"] == ["PHONE_SCREENING", "HOME_VISIT"]


def test_unknown_links_get_a_danish_404_page(stack):
    response = requests.get(f"{stack.web}/decisions/does-not-exist", timeout=10)
    assert response.status_code == 404
    assert "Vi kan ikke finde linket" in response.text and "Traceback" not in response.text
    assert (
        requests.post(f"{stack.web}/decisions/does-not-exist", data={"decision": "approve"}, timeout=10).status_code
        == 404
    )


def test_a_post_without_the_pages_token_is_refused_as_forgery(stack):
    application_id, _ = apply(stack)
    url = step_link(stack, application_id, Stage.PHONE_SCREENING)
    forged = requests.post(url, data={**approval_fields("PHONE_SCREENING"), "decision": "approve"}, timeout=10)
    assert forged.status_code == 403
    session = requests.Session()
    fields = hidden_fields(session.get(url, timeout=10).text)
    cross_site = session.post(
        url,
        data={**fields, **approval_fields("PHONE_SCREENING"), "decision": "approve"},
        headers={"Origin": "https://evil.example"},
        timeout=10,
    )
    assert cross_site.status_code == 403
    assert stack.client.volunteer(application_id)["stage"] == "PHONE_SCREENING"


def test_training_with_too_few_hours_is_refused_and_the_step_keeps_waiting(stack):
    application_id, _ = apply(stack)
    for stage in HUMAN_STEPS[:3]:
        approve(stack, application_id, stage)
    url = step_link(stack, application_id, Stage.TRAINING)
    answer = stack.client.open_and_decide(url, "approve", {"completed_date": "2026-01-05", "hours": "1"})
    assert answer.status_code == 422 and "Mindst 2 timers" in answer.text
    assert stack.client.volunteer(application_id)["stage"] == "TRAINING"
    approve(stack, application_id, Stage.TRAINING)
    stack.client.wait_for_stage(application_id, "READY_FOR_MATCH")


def test_withdrawing_in_the_middle_of_a_step_ends_the_run_in_withdrawn_and_kills_the_link(stack):
    application_id, email = apply(stack)
    approve(stack, application_id, Stage.PHONE_SCREENING)
    decision_url = step_link(stack, application_id, Stage.HOME_VISIT)
    confirmation = stack.client.wait_for_email(email, "Tak for din ansøgning")
    withdraw_url = stack.client.link_in(confirmation, "withdraw")
    session = requests.Session()
    page = session.get(withdraw_url, timeout=10)
    assert page.status_code == 200 and "trække din ansøgning tilbage" in page.text
    done = session.post(withdraw_url, data=hidden_fields(page.text), timeout=10)
    assert done.status_code == 200
    stack.client.wait_for_stage(application_id, "WITHDRAWN")
    execution = stack.client.wait_for_execution(stack.volunteer_machine, application_id)
    assert execution["status"] == "SUCCEEDED"  # withdrawal is the applicant's right, not a fault
    stack.client.wait_for_email(email, "trukket tilbage")
    dead = requests.get(decision_url, timeout=10)
    assert dead.status_code == 410 and "trukket sin ansøgning tilbage" in dead.text
    assert requests.get(withdraw_url, timeout=10).status_code == 410


def test_the_execution_is_visible_by_name_through_the_aws_endpoint(stack):
    application_id, _ = apply(stack)
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=stack.endpoint,
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    names = [e["name"] for e in sfn.list_executions(stateMachineArn=stack.volunteer_machine)["executions"]]
    assert f"volunteer-{application_id}" in names


def test_reminders_reach_the_consultant_then_ops_and_the_same_link_still_works(fast_stack):
    stack = fast_stack
    application_id, _ = apply(stack)
    url = step_link(stack, application_id, Stage.PHONE_SCREENING)
    reminder = stack.client.wait_for_email(
        stack.consultant, f"Påmindelse 1: Telefonsamtale venter stadig (ansøgning {application_id})", timeout=20
    )
    assert url in reminder["text"]
    stack.client.wait_for_email(
        stack.consultant, f"Påmindelse 2: Telefonsamtale venter stadig (ansøgning {application_id})", timeout=20
    )
    escalation = stack.client.wait_for_email(stack.parameters["OpsEmail"], f"ansøgning {application_id}", timeout=20)
    assert "Eskalering" in escalation["subject"]
    approve(stack, application_id, Stage.PHONE_SCREENING)
    stack.client.wait_for_email(stack.consultant, f"Hjemmebesøg venter på dig (ansøgning {application_id})")
    # the phone screening's own: the home visit has begun reminding on its 3 s clock by now
    kinds = [e["kind"] for e in stack.client.history(application_id) if e.get("event_stage") == "PHONE_SCREENING"]
    assert kinds.count("REMINDER_SENT") == 2 and kinds.count("ESCALATED") == 1


def test_a_task_that_fails_for_good_reaches_ops_and_a_retry_completes_the_journey(stack):
    application_id, email = apply(stack)
    for stage in HUMAN_STEPS[:3]:
        approve(stack, application_id, stage)
    fault = requests.post(
        f"{stack.web}/_local/faults",
        timeout=10,
        json={"function": "WorkflowFunction", "action": "finish", "application_id": application_id, "times": 1},
    )
    assert fault.status_code == 201
    approve(stack, application_id, Stage.TRAINING)
    alert = stack.client.wait_for_email(stack.parameters["OpsEmail"], f"fejlede for ansøgning {application_id}")
    assert "Ready for match" in alert["subject"] and "InjectedFault" in alert["text"]
    assert stack.client.volunteer(application_id)["needs_ops"] == "Ready for match"
    execution = stack.client.execution(stack.volunteer_machine, application_id)
    assert execution["status"] == "RUNNING"  # nobody is lost: the journey waits for ops
    answer = stack.client.open_and_decide(stack.client.link_in(alert), "retry", notes="SES var nede; prøv igen")
    assert answer.status_code == 200 and "prøves igen" in answer.text
    stack.client.wait_for_stage(application_id, "READY_FOR_MATCH")
    stack.client.wait_for_state(stack.volunteer_machine, application_id, "Waiting for a match")
    kinds = [e["kind"] for e in stack.client.history(application_id)]
    assert "NEEDS_OPS" in kinds and "OPS_RETRIED" in kinds
    assert "needs_ops" not in stack.client.volunteer(application_id)


def test_ops_can_end_a_journey_that_failed(stack):
    application_id, email = apply(stack)
    step_link(stack, application_id, Stage.PHONE_SCREENING)
    # aimed at this journey only: other journeys on the stack open steps (reminders) meanwhile
    requests.post(
        f"{stack.web}/_local/faults",
        timeout=10,
        json={"function": "WorkflowFunction", "action": "open_step", "application_id": application_id, "times": 1},
    )
    approve(stack, application_id, Stage.PHONE_SCREENING)
    alert = stack.client.wait_for_email(stack.parameters["OpsEmail"], f"fejlede for ansøgning {application_id}")
    answer = stack.client.open_and_decide(stack.client.link_in(alert), "end", notes="Ansøgeren er kontaktet")
    assert answer.status_code == 200
    stack.client.wait_for_stage(application_id, "CLOSED")
    stack.client.wait_for_execution(stack.volunteer_machine, application_id)


def test_a_step_nobody_decides_times_out_its_link_dies_and_ops_can_reopen_it(fast_stack):
    stack = fast_stack
    application_id, _ = apply(stack)
    first_link = step_link(stack, application_id, Stage.PHONE_SCREENING)
    alert = stack.client.wait_for_email(
        stack.parameters["OpsEmail"], f"fejlede for ansøgning {application_id}", timeout=40
    )
    assert "StepTimedOut" in alert["text"]
    dead = requests.get(first_link, timeout=10)
    assert dead.status_code == 410 and "ventede for længe" in dead.text
    before = len(stack.client.outbox())
    stack.client.open_and_decide(stack.client.link_in(alert), "retry")
    fresh = stack.client.wait_for_email(
        stack.consultant, f"Telefonsamtale venter på dig (ansøgning {application_id})", after=before
    )
    assert stack.client.link_in(fresh) != first_link
    approve_url = stack.client.link_in(fresh)
    answer = stack.client.open_and_decide(approve_url, "approve", approval_fields("PHONE_SCREENING"))
    assert answer.status_code == 200
    stack.client.wait_for_stage(application_id, "HOME_VISIT")


def test_an_applicant_in_the_capital_region_goes_to_that_regions_consultant(stack):
    application_id, _ = apply(stack, postcode="2100", city="København Ø")
    regional = "konsulent.hovedstaden@rodekors.example"
    email = stack.client.wait_for_email(regional, f"Telefonsamtale venter på dig (ansøgning {application_id})")
    assert "/decisions/" in email["text"]
    assert stack.client.volunteer(application_id)["consultant"] == regional


def test_personal_data_stays_out_of_the_logs_and_the_execution_history(stack):
    unique = "Xyzzy-Personsen"
    application_id, email = apply(stack, last_name=unique, phone="+45 61 23 45 67")
    approve(stack, application_id, Stage.PHONE_SCREENING)
    step_link(stack, application_id, Stage.HOME_VISIT)
    log = stack.log_path.read_text(errors="replace")
    assert application_id in log  # the correlation id is there ...
    for personal in (unique, email, "61234567", "Vestergade"):
        assert personal not in log  # ... the person is not
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=stack.endpoint,
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    arn = stack.volunteer_machine.replace(":stateMachine:", ":execution:") + f":volunteer-{application_id}"
    history = str(sfn.get_execution_history(executionArn=arn)["events"])
    for personal in (unique, email, "61234567"):
        assert personal not in history
