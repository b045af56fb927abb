"""After the match, on the real definitions: the support run starts with the match, the consultant
records the roles and the contact adult confirms them, and check-ins fall due on their schedule,
remind the consultant with the same link, and are recorded. A stack of its own, whose check-ins
fall due after seconds (in AWS: 14 and 30 days; a check-in link lives until the next falls due)."""

import time

import boto3
import pytest
import requests

from backup.domain.support import support_execution
from tests.conftest import start_stack, stop_stack
from tests.ops.test_e2e_cli import ops, ops_json

from .test_matching_journey import answer, confirmed_young_person, introduce, proposal_for, ready_volunteer

pytestmark = pytest.mark.e2e

ROLES = {"volunteer_role": "Hverdagsstøtte og fritid", "professional_role": "Bolig og økonomi", "contact": "SMS"}


@pytest.fixture(scope="module")
def support_stack(tmp_path_factory):
    running = start_stack(
        tmp_path_factory.mktemp("support"),
        "support",
        {"ReminderDelaySeconds": "4", "MaxReminders": "1", "CheckInFirstSeconds": "20", "CheckInMonthlySeconds": "90"},
    )
    yield running
    stop_stack(running)


def eventually(read, timeout=30):
    """What `read` gives once it gives something (the run acts a moment after the page answers)."""
    deadline = time.time() + timeout
    while not (found := read()) and time.time() < deadline:
        time.sleep(0.2)
    return found


def support_status(stack, proposal_id, timeout=30):
    """The support run's status once it has ended (or RUNNING after `timeout`)."""
    sfn = boto3.client(
        "stepfunctions",
        endpoint_url=stack.endpoint,
        region_name="eu-west-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    arn = stack.state_machines["SupportStateMachine"].replace(":stateMachine:", ":execution:")
    deadline = time.time() + timeout
    status = "RUNNING"
    while status == "RUNNING" and time.time() < deadline:
        status = sfn.describe_execution(executionArn=f"{arn}:{support_execution(proposal_id)}")["status"]
        time.sleep(0.2)
    return status


def matched_pair(stack, place, postcode, youth_postcode):
    volunteer_email, youth_email, contact = (f"{who}.{place}@example.org" for who in ("frivillig", "ung", "kontakt"))
    ready_volunteer(stack, postcode, place.title(), volunteer_email)
    youth_id = confirmed_young_person(stack, youth_postcode, youth_email, contact)
    proposal_id = proposal_for(stack, youth_id)
    introduce(stack, proposal_id)
    answer(stack, youth_email, "yes")
    answer(stack, volunteer_email, "yes")
    stack.client.wait_for_stage(youth_id, "MATCHED", kind="YOUTH")
    return proposal_id, contact


def test_a_match_gets_its_roles_agreed_and_confirmed_then_check_ins_with_reminders(support_stack):
    stack = support_stack
    proposal_id, contact = matched_pair(stack, "bornholm", "3720", "3700")
    stack.client.wait_for_execution(stack.state_machines["MatchStateMachine"], proposal_id, prefix="match")
    assert stack.client.volunteer(proposal_id, "MATCH")["support_run"] == 1

    roles = stack.client.wait_for_email(None, f"aftal rollerne for Sara og Mette (match {proposal_id})")
    url = stack.client.link_in(roles)
    empty = stack.client.open_and_decide(url, "recorded", {})
    assert empty.status_code == 422 and "Skriv, hvad den frivillige gør." in empty.text
    recorded = stack.client.open_and_decide(url, "recorded", ROLES)
    assert recorded.status_code == 200, recorded.text[:300]
    confirm = stack.client.wait_for_email(contact, "Bekræft rollefordelingen")
    assert "Jeg er bekymret" in confirm["text"]  # every letter after MATCHED carries it
    page = requests.get(stack.client.link_in(confirm), timeout=10)
    assert page.status_code == 200 and "Bolig og økonomi" in page.text
    confirmed = stack.client.open_and_decide(stack.client.link_in(confirm), "confirmed", {})
    assert confirmed.status_code == 200, confirmed.text[:300]
    assert "roles_confirmed" in stack.client.volunteer(proposal_id, "MATCH")

    first = stack.client.wait_for_email(None, "opfølgning nr. 1 med", timeout=60)
    assert f"(match {proposal_id})" in first["subject"]
    reminder = stack.client.wait_for_email(None, "Påmindelse 1: opfølgningssamtalen", timeout=60)
    assert stack.client.link_in(reminder) == stack.client.link_in(first)  # the same link
    bad = stack.client.open_and_decide(stack.client.link_in(first), "recorded", {"how": "fantastisk"})
    assert bad.status_code == 422 and "Vælg, hvordan det går" in bad.text and "Skriv datoen" in bad.text
    fields = {
        "check_in_date": "2026-01-20",
        "with_whom": ["volunteer", "youth"],
        "how": "godt",
        "activities": "Fodbold og madlavning",
        "frequency": "Hver anden uge",
    }
    done = stack.client.open_and_decide(stack.client.link_in(first), "recorded", fields, notes="Godt i gang")
    assert done.status_code == 200, done.text[:300]
    (check_in,) = stack.client.volunteer(proposal_id, "MATCH")["check_ins"].values()
    assert check_in["fields"]["how"] == "godt" and check_in["fields"]["with_whom"] == "volunteer,youth"
    second = stack.client.wait_for_email(None, "opfølgning nr. 2 med", timeout=60)
    assert stack.client.link_in(second) != stack.client.link_in(first)


CLOSURE = {
    "closure_kind": "unplanned",
    "closure_reason": "no_contact",
    "exit_youth_date": "2026-01-20",
    "exit_volunteer_date": "2026-01-21",
    "youth_next": "new_volunteer",
    "volunteer_next": "continue",
}


def test_an_unplanned_closure_from_a_check_in_then_each_side_is_matched_again_never_with_each_other(support_stack):
    stack = support_stack
    proposal_id, contact = matched_pair(stack, "skagen", "9982", "9990")
    match = stack.client.volunteer(proposal_id, "MATCH")
    youth_id, volunteer_id = match["details"]["youth_id"], match["details"]["volunteer_id"]
    roles = stack.client.wait_for_email(None, f"aftal rollerne for Sara og Mette (match {proposal_id})")
    assert stack.client.open_and_decide(stack.client.link_in(roles), "recorded", ROLES).status_code == 200
    check_in = stack.client.wait_for_email(None, f"opfølgning nr. 1 med Sara og den frivillige (match {proposal_id})")
    closing = stack.client.open_and_decide(stack.client.link_in(check_in), "close", {})  # no check-in fields needed
    assert closing.status_code == 200 and "Afslutningen er sat i gang" in closing.text
    closure = stack.client.wait_for_email(None, f"registrér afslutningen af matchet med Sara (match {proposal_id})")
    refused = stack.client.open_and_decide(
        stack.client.link_in(closure), "close", {**CLOSURE, "closure_kind": "planned"}
    )
    assert refused.status_code == 422 and "Årsagen passer ikke" in refused.text
    assert stack.client.volunteer(proposal_id, "MATCH")["stage"] == "MATCHED"  # nothing recorded
    done = stack.client.open_and_decide(stack.client.link_in(closure), "close", CLOSURE, notes="Kontakten gled ud")
    assert done.status_code == 200, done.text[:300]

    youth = stack.client.wait_for_stage(youth_id, "WAITING_FOR_MATCH", kind="YOUTH")
    stack.client.wait_for_stage(volunteer_id, "READY_FOR_MATCH")
    assert stack.client.volunteer(proposal_id, "MATCH")["stage"] == "CLOSED"
    assert volunteer_id in youth["excluded_volunteers"]
    for to in ("ung.skagen@example.org", "frivillig.skagen@example.org", contact):
        letter = stack.client.wait_for_email(to, "afsluttet")
        assert "Røde Kors BackUp" in letter["text"]
    assert support_status(stack, proposal_id) == "SUCCEEDED"  # the support run ended with the match
    # each waits in the pool in a new run of their journey
    assert stack.client.volunteer(youth_id, "YOUTH")["run"] == 2
    stack.client.wait_for_state(stack.state_machines["YouthStateMachine"], youth_id, "Waiting for a match", "youth")

    # a new volunteer nearby: the young person is proposed to them, never to the old volunteer
    second_volunteer = ready_volunteer(stack, "9982", "Ålbæk", "frivillig2.skagen@example.org")
    new_proposal = proposal_for(stack, youth_id)
    assert new_proposal != proposal_id
    assert stack.client.volunteer(new_proposal, "MATCH")["details"]["volunteer_id"] == second_volunteer
    # a new young person nearby: the old volunteer is proposed again
    other_youth = confirmed_young_person(stack, "9990", "ung2.skagen@example.org", "kontakt2.skagen@example.org")
    other_proposal = proposal_for(stack, other_youth)
    assert stack.client.volunteer(other_proposal, "MATCH")["details"]["volunteer_id"] == volunteer_id


def test_a_concern_pauses_the_match_then_a_safeguarding_concern_suspends_the_volunteer_and_ends_it(support_stack):
    stack = support_stack
    proposal_id, contact = matched_pair(stack, "aarhus", "8000", "8210")
    match = stack.client.volunteer(proposal_id, "MATCH")
    volunteer_id = match["details"]["volunteer_id"]
    roles = stack.client.wait_for_email(None, f"aftal rollerne for Sara og Mette (match {proposal_id})")
    assert stack.client.open_and_decide(stack.client.link_in(roles), "recorded", ROLES).status_code == 200

    letter = stack.client.wait_for_email("frivillig.aarhus@example.org", "Hvis du bliver bekymret")
    url = stack.client.link_in(letter)
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "Jeg er bekymret" in page.text
    empty = stack.client.open_and_decide(url, "concern", {"concern": " "})
    assert empty.status_code == 422 and "Skriv kort, hvad du er bekymret for." in empty.text
    sent = stack.client.open_and_decide(url, "concern", {"concern": "Vi har svært ved at finde tid"})
    assert sent.status_code == 200 and "Konsulenten har fået besked nu" in sent.text
    for to in (stack.consultant, stack.parameters["OpsEmail"]):
        stack.client.wait_for_email(to, f"bekymring i match {proposal_id} (fra den frivillige)")
    decide = stack.client.wait_for_email(None, f"tag stilling til en bekymring om Sara (match {proposal_id})")
    paused = stack.client.open_and_decide(stack.client.link_in(decide), "pause", {}, notes="En pause")
    assert paused.status_code == 200, paused.text[:300]
    assert eventually(lambda: stack.client.volunteer(proposal_id, "MATCH").get("support_paused")) is True

    # the contact adult worries about safety: the volunteer is suspended at once, and the match ends
    from_contact = stack.client.wait_for_email(contact, "Hvis du bliver bekymret")
    worried = {"concern": "Noget alvorligt", "safeguarding": "yes"}
    assert stack.client.open_and_decide(stack.client.link_in(from_contact), "concern", worried).status_code == 200
    stack.client.wait_for_email(stack.consultant, f"bekymring i match {proposal_id} (fra kontaktpersonen) - sikkerhed")
    assert eventually(lambda: stack.client.volunteer(volunteer_id).get("suspended"))["reason"]
    second = stack.client.wait_for_email(
        None,
        f"tag stilling til en bekymring om Sara (match {proposal_id})",
        after=stack.client.outbox().index(decide) + 1,
    )
    ended = stack.client.open_and_decide(stack.client.link_in(second), "end", {})
    assert ended.status_code == 200, ended.text[:300]
    closure = stack.client.wait_for_email(None, f"registrér afslutningen af matchet med Sara (match {proposal_id})")
    fields = {**CLOSURE, "youth_next": "out", "closure_reason": "other"}
    assert stack.client.open_and_decide(stack.client.link_in(closure), "close", fields).status_code == 200
    stack.client.wait_for_stage(volunteer_id, "CLOSED")  # suspended: not back to the pool, whatever they wanted
    assert stack.client.volunteer(proposal_id, "MATCH")["stage"] == "CLOSED"


def test_a_planned_closure_lets_both_go_and_ops_follow_the_match_and_its_check_ins(support_stack):
    stack = support_stack
    proposal_id, contact = matched_pair(stack, "odense", "5000", "5200")
    match = stack.client.volunteer(proposal_id, "MATCH")
    youth_id, volunteer_id = match["details"]["youth_id"], match["details"]["volunteer_id"]
    roles = stack.client.wait_for_email(None, f"aftal rollerne for Sara og Mette (match {proposal_id})")
    assert stack.client.open_and_decide(stack.client.link_in(roles), "recorded", ROLES).status_code == 200
    first = stack.client.wait_for_email(None, f"opfølgning nr. 1 med Sara og den frivillige (match {proposal_id})")
    fields = {
        "check_in_date": "2026-01-20",
        "with_whom": ["volunteer", "youth", "contact_adult"],
        "how": "okay",
        "activities": "Svømning",
        "frequency": "Hver uge",
    }
    assert stack.client.open_and_decide(stack.client.link_in(first), "recorded", fields).status_code == 200

    listed = ops_json(stack, "list", "--stage", "MATCHED")
    assert proposal_id in {row["application_id"] for row in listed}
    shown = ops(stack, "show", proposal_id, "--kind", "match")
    assert shown.returncode == 0, shown.stderr
    assert "1 recorded, 0 missed" in shown.stdout and "volunteer,youth,contact_adult" in shown.stdout
    assert f"support-{proposal_id}" in shown.stdout

    second = stack.client.wait_for_email(None, f"opfølgning nr. 2 med Sara og den frivillige (match {proposal_id})")
    assert stack.client.open_and_decide(stack.client.link_in(second), "close", {}).status_code == 200
    closure = stack.client.wait_for_email(None, f"registrér afslutningen af matchet med Sara (match {proposal_id})")
    planned = {
        **CLOSURE,
        "closure_kind": "planned",
        "closure_reason": "agreed",
        "youth_next": "out",
        "volunteer_next": "out",
    }
    assert stack.client.open_and_decide(stack.client.link_in(closure), "close", planned).status_code == 200
    stack.client.wait_for_stage(youth_id, "CLOSED", kind="YOUTH")
    stack.client.wait_for_stage(volunteer_id, "CLOSED")
    letter = stack.client.wait_for_email("frivillig.odense@example.org", "afsluttet")
    assert "Tak for din indsats" in letter["text"]
    stack.client.wait_for_email(contact, "afsluttet")
    shown = ops(stack, "show", proposal_id, "--kind", "match")
    assert "planned: De to er enige om at afslutte" in shown.stdout


def test_a_concern_while_the_roles_are_being_agreed_comes_first_then_the_roles_are_asked_for_again(support_stack):
    stack = support_stack
    proposal_id, contact = matched_pair(stack, "esbjerg", "6700", "6705")
    subject = f"aftal rollerne for Sara og Mette (match {proposal_id})"
    first = stack.client.wait_for_email(None, subject)
    letter = stack.client.wait_for_email("frivillig.esbjerg@example.org", "Hvis du bliver bekymret")
    sent = stack.client.open_and_decide(stack.client.link_in(letter), "concern", {"concern": "Vi er usikre på aftalen"})
    assert sent.status_code == 200, sent.text[:300]
    decide = stack.client.wait_for_email(None, f"tag stilling til en bekymring om Sara (match {proposal_id})")
    assert stack.client.open_and_decide(stack.client.link_in(decide), "continue", {}).status_code == 200
    # the run goes back to the roles: a new request, and the contact adult is asked to confirm them
    again = stack.client.wait_for_email(None, subject, after=stack.client.outbox().index(first) + 1)
    assert stack.client.open_and_decide(stack.client.link_in(again), "recorded", ROLES).status_code == 200
    stack.client.wait_for_email(contact, "Bekræft rollefordelingen")
    assert stack.client.volunteer(proposal_id, "MATCH")["roles"]["fields"]["contact"] == "SMS"
