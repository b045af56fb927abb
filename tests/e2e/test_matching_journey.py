"""Referral → confirmed → matched with a ready volunteer → introduction → both answer, on the
real definitions. Each test lives in its own corner of Denmark, so the shared stack's other
volunteers (in Aarhus and Copenhagen) are out of reach and cannot be proposed."""

import json
import time

import pytest
import requests

from backup.domain.stages import HUMAN_STEPS, Stage
from local_stack.client import SAMPLE_APPLICATION, SAMPLE_REFERRAL, approval_fields, hidden_fields

pytestmark = pytest.mark.e2e


def ready_volunteer(stack, postcode, city, email):
    application_id = stack.client.apply({**SAMPLE_APPLICATION, "postcode": postcode, "city": city, "email": email})
    for stage in HUMAN_STEPS:
        message = stack.client.wait_for_email(None, f"{stage.label} venter på dig (ansøgning {application_id})")
        answer = stack.client.open_and_decide(stack.client.link_in(message), "approve", approval_fields(stage.value))
        assert answer.status_code == 200, answer.text[:300]
    # ready, or already proposed: a young person waiting nearby is proposed to them at once
    deadline = time.time() + 30
    while stack.client.volunteer(application_id)["stage"] not in {"READY_FOR_MATCH", "MATCH_PROPOSED"}:
        assert time.time() < deadline, f"{application_id} never reached READY_FOR_MATCH"
        time.sleep(0.2)
    return application_id


def confirmed_young_person(stack, postcode, email, contact):
    youth_id = stack.client.refer(
        {**SAMPLE_REFERRAL, "postcode": postcode, "email": email, "contact_adult_email": contact}
    )
    stack.client.wait_for_email(contact, "Tak for henvisningen")
    message = stack.client.wait_for_email(None, f"{Stage.REFERRAL_CHECK.label} venter på dig (henvisning {youth_id})")
    answer = stack.client.open_and_decide(stack.client.link_in(message), "approve", {})
    assert answer.status_code == 200, answer.text[:300]
    return youth_id


def proposal_for(stack, youth_id):
    stack.client.wait_for_stage(youth_id, "MATCH_PROPOSED", kind="YOUTH")
    return stack.client.volunteer(youth_id, "YOUTH")["proposal_id"]


def introduce(stack, proposal_id):
    choose = stack.client.wait_for_email(None, f"(forslag {proposal_id})")
    page = requests.get(stack.client.link_in(choose), timeout=10)
    assert page.status_code == 200 and "Forslaget" in page.text
    answer = stack.client.open_and_decide(stack.client.link_in(choose), "keep-default", {})
    assert answer.status_code == 422  # an unknown choice is refused and nothing moves
    chosen = stack.client.volunteer(proposal_id, "MATCH")["details"]["chosen"]["volunteer_id"]
    answer = stack.client.open_and_decide(stack.client.link_in(choose), f"chosen:{chosen}", {})
    assert answer.status_code == 200, answer.text[:300]
    intro = stack.client.wait_for_email(None, f"registrér introduktionsmødet (forslag {proposal_id})")
    answer = stack.client.open_and_decide(stack.client.link_in(intro), "held", {"intro_date": "2026-01-10"})
    assert answer.status_code == 200, answer.text[:300]
    return chosen


def answer(stack, to, decision):
    question = stack.client.wait_for_email(to, "Vil du fortsætte i BackUp?")
    response = stack.client.open_and_decide(stack.client.link_in(question), decision, {})
    assert response.status_code == 200, response.text[:300]


def test_referral_to_match_when_both_say_yes(stack):
    volunteer_id = ready_volunteer(stack, "3720", "Aakirkeby", "frivillig.bornholm@example.org")
    youth_id = confirmed_young_person(stack, "3700", "ung.bornholm@example.org", "kontakt.bornholm@example.org")
    proposal_id = proposal_for(stack, youth_id)
    reason = stack.client.volunteer(proposal_id, "MATCH")["details"]["chosen"]["reason"]
    assert "km fra hinanden" in reason and "fodbold" in reason
    assert introduce(stack, proposal_id) == volunteer_id
    answer(stack, "ung.bornholm@example.org", "yes")
    assert stack.client.volunteer(youth_id, "YOUTH")["stage"] == "INTRO_MEETING"  # one yes is not enough
    answer(stack, "frivillig.bornholm@example.org", "yes")
    stack.client.wait_for_stage(youth_id, "MATCHED", kind="YOUTH")
    stack.client.wait_for_stage(volunteer_id, "MATCHED")
    stack.client.wait_for_execution(stack.volunteer_machine, volunteer_id)
    stack.client.wait_for_execution(stack.state_machines["YouthStateMachine"], youth_id, prefix="youth")
    stack.client.wait_for_execution(stack.state_machines["MatchStateMachine"], proposal_id, prefix="match")
    for to in ("ung.bornholm@example.org", "frivillig.bornholm@example.org"):
        stack.client.wait_for_email(to, "I er matchet i BackUp")
    stack.client.wait_for_email("kontakt.bornholm@example.org", "er matchet med en frivillig")


def test_when_one_says_no_both_return_to_the_pool_and_the_pair_is_never_proposed_again(stack):
    volunteer_id = ready_volunteer(stack, "9982", "Ålbæk", "frivillig.skagen@example.org")
    youth_id = confirmed_young_person(stack, "9990", "ung.skagen@example.org", "kontakt.skagen@example.org")
    proposal_id = proposal_for(stack, youth_id)
    introduce(stack, proposal_id)
    # a "Nej tak" tapped once is asked again and counts for nothing until it is confirmed
    youth_question = stack.client.wait_for_email("ung.skagen@example.org", "Vil du fortsætte i BackUp?")
    session = requests.Session()
    url = stack.client.link_in(youth_question)
    asked = session.get(url, timeout=10)
    once = session.post(url, data={**hidden_fields(asked.text), "decision": "no"}, timeout=10)
    assert once.status_code == 200 and "Er du sikker" in once.text and "ikke sendt endnu" in once.text
    assert not stack.client.volunteer(proposal_id, "MATCH").get("answers")
    back = session.post(url, data={**hidden_fields(once.text), "decision": "back"}, timeout=10)
    assert back.status_code == 200 and "Vil du fortsætte" in back.text
    answer(stack, "ung.skagen@example.org", "no")
    assert stack.client.volunteer(proposal_id, "MATCH")["answers"] == {"youth": "no"}
    # the volunteer can tell nothing yet: their question still opens, and nobody has a letter
    question = stack.client.wait_for_email("frivillig.skagen@example.org", "Vil du fortsætte i BackUp?")
    still_asking = requests.get(stack.client.link_in(question), timeout=10)
    assert still_asking.status_code == 200 and "Vil du fortsætte" in still_asking.text
    assert stack.client.volunteer(volunteer_id)["stage"] == "INTRO_MEETING"
    assert "outcome" not in stack.client.volunteer(proposal_id, "MATCH")  # the run was not resumed with a no
    pair = {"ung.skagen@example.org", "kontakt.skagen@example.org", "frivillig.skagen@example.org"}
    assert not [m for m in stack.client.outbox() if m["to"] in pair and m["subject"] == "Om jeres match i BackUp"]
    answer(stack, "frivillig.skagen@example.org", "yes")
    stack.client.wait_for_execution(stack.state_machines["MatchStateMachine"], proposal_id, prefix="match")
    youth = stack.client.wait_for_stage(youth_id, "WAITING_FOR_MATCH", kind="YOUTH")
    stack.client.wait_for_stage(volunteer_id, "READY_FOR_MATCH")
    assert volunteer_id in youth["excluded_volunteers"]
    for to in ("ung.skagen@example.org", "frivillig.skagen@example.org"):
        letter = stack.client.wait_for_email(to, "Om jeres match i BackUp")
        assert "sagde nej" not in letter["text"] and "fortsætter ikke" in letter["text"]
    # the matching ran again: the only volunteer nearby is excluded, so nobody is proposed
    assert stack.client.volunteer(youth_id, "YOUTH").get("proposal_id") is None
    assert stack.client.volunteer(youth_id, "YOUTH")["stage"] == "WAITING_FOR_MATCH"


def test_a_volunteer_who_withdraws_during_a_proposal_lets_the_young_person_return_to_the_pool(stack):
    volunteer_email = "frivillig.laesoe@example.org"
    volunteer_id = ready_volunteer(stack, "9940", "Læsø", volunteer_email)
    youth_id = confirmed_young_person(stack, "9940", "ung.laesoe@example.org", "kontakt.laesoe@example.org")
    proposal_id = proposal_for(stack, youth_id)
    confirmation = stack.client.wait_for_email(volunteer_email, "Tak for din ansøgning")
    withdraw_url = stack.client.link_in(confirmation, "withdraw")
    session = requests.Session()
    page = session.get(withdraw_url, timeout=10)
    assert session.post(withdraw_url, data=hidden_fields(page.text), timeout=10).status_code == 200
    stack.client.wait_for_stage(volunteer_id, "WITHDRAWN")
    stack.client.wait_for_stage(youth_id, "WAITING_FOR_MATCH", kind="YOUTH")
    stack.client.wait_for_execution(stack.state_machines["MatchStateMachine"], proposal_id, prefix="match")
    stack.client.wait_for_execution(stack.volunteer_machine, volunteer_id)
    youth = stack.client.volunteer(youth_id, "YOUTH")
    assert volunteer_id not in youth.get("excluded_volunteers", [])  # nobody said no: nothing to hold against
    assert stack.client.volunteer(proposal_id, "MATCH")["stage"] == "CLOSED"


def test_a_long_wait_in_the_pool_carries_on_in_new_runs_and_still_ends_in_a_match(fast_stack):
    """Standard executions stop after a year. Here a run lives 5 s: the volunteer's wait carries on
    in run 2, 3 ..., each started by the one before, and the match still finds the current run."""
    stack = fast_stack
    volunteer_id = ready_volunteer(stack, "5970", "Ærøskøbing", "frivillig.aeroe@example.org")
    deadline = time.time() + 40
    while stack.client.volunteer(volunteer_id).get("run", 1) < 3 and time.time() < deadline:
        time.sleep(0.3)
    volunteer = stack.client.volunteer(volunteer_id)
    assert volunteer["run"] >= 3 and volunteer["stage"] == "READY_FOR_MATCH"
    machine = stack.volunteer_machine
    first = stack.client.wait_for_execution(machine, volunteer_id, run=1)
    assert first["name"] == f"volunteer-{volunteer_id}"
    assert stack.client.current_state(machine, volunteer_id, run=1) == "Carried on in a new run"
    second = stack.client.wait_for_execution(machine, volunteer_id, run=2)  # run 2 started run 3 and ended
    assert json.loads(second["input"])["resume"] == "pool"
    assert stack.client.execution(machine, volunteer_id)["status"] == "RUNNING"
    continued = [e for e in stack.client.history(volunteer_id) if e["kind"] == "RUN_CONTINUED"]
    assert [e["details"]["run"] for e in continued][:2] == ["2", "3"]

    youth_id = confirmed_young_person(stack, "5960", "ung.aeroe@example.org", "kontakt.aeroe@example.org")
    proposal_id = proposal_for(stack, youth_id)
    assert introduce(stack, proposal_id) == volunteer_id
    answer(stack, "ung.aeroe@example.org", "yes")
    answer(stack, "frivillig.aeroe@example.org", "yes")
    stack.client.wait_for_stage(volunteer_id, "MATCHED")
    # whichever run was current when the match was made ends as matched
    deadline = time.time() + 30
    while not (
        stack.client.execution(machine, volunteer_id)["status"] == "SUCCEEDED"
        and stack.client.current_state(machine, volunteer_id) == "Volunteer matched"
    ):
        assert time.time() < deadline, stack.client.current_state(machine, volunteer_id)
        time.sleep(0.3)
    stack.client.wait_for_execution(stack.state_machines["YouthStateMachine"], youth_id, prefix="youth", timeout=30)
    runs = stack.client.volunteer(volunteer_id)["run"]
    time.sleep(6)  # longer than a run's lifetime: nothing carries on after the match
    assert stack.client.volunteer(volunteer_id)["run"] == runs


def test_a_consultant_who_does_not_choose_is_reminded_then_ops_are_told_and_the_same_link_still_works(fast_stack):
    """Reminders every 3 s here (3 days in AWS), escalation after two."""
    stack = fast_stack
    volunteer_id = ready_volunteer(stack, "6720", "Fanø", "frivillig.fanoe@example.org")
    youth_id = confirmed_young_person(stack, "6720", "ung.fanoe@example.org", "kontakt.fanoe@example.org")
    proposal_id = proposal_for(stack, youth_id)
    request = stack.client.wait_for_email(None, f"(forslag {proposal_id})")
    for number in (1, 2):
        reminder = stack.client.wait_for_email(request["to"], f"Påmindelse {number}: forslag {proposal_id}")
        assert stack.client.link_in(reminder) == stack.client.link_in(request)
    escalation = stack.client.wait_for_email(stack.parameters["OpsEmail"], f"Eskalering: forslag {proposal_id}")
    assert f"backup-ops show {proposal_id} --kind match" in escalation["text"]
    answer = stack.client.open_and_decide(stack.client.link_in(request), f"chosen:{volunteer_id}", {})
    assert answer.status_code == 200, answer.text[:300]
    stack.client.wait_for_email(None, f"registrér introduktionsmødet (forslag {proposal_id})")
    assert stack.client.volunteer(youth_id, "YOUTH")["stage"] == "INTRO_MEETING"
    # the choice's own: the introduction has begun reminding on its 3 s clock by now
    history = stack.client.history(proposal_id, "MATCH")
    kinds = [e["kind"] for e in history if e.get("event_stage") == "MATCH_PROPOSED"]
    assert kinds.count("REMINDER_SENT") == 2 and kinds.count("ESCALATED") == 1
    assert "DECISION_UNDELIVERED" not in [e["kind"] for e in history]


def test_an_introduction_moved_to_a_new_date_then_called_off_sends_both_back_alike(stack):
    volunteer_id = ready_volunteer(stack, "8305", "Samsø", "frivillig.samsoe@example.org")
    youth_id = confirmed_young_person(stack, "8305", "ung.samsoe@example.org", "kontakt.samsoe@example.org")
    proposal_id = proposal_for(stack, youth_id)
    choose = stack.client.wait_for_email(None, f"(forslag {proposal_id})")
    answer = stack.client.open_and_decide(stack.client.link_in(choose), f"chosen:{volunteer_id}", {})
    assert answer.status_code == 200, answer.text[:300]
    subject = f"registrér introduktionsmødet (forslag {proposal_id})"
    first = stack.client.wait_for_email(None, subject)
    moved = stack.client.open_and_decide(stack.client.link_in(first), "rescheduled", {"new_date": "2099-01-10"})
    assert moved.status_code == 200 and "Den nye dato er gemt" in moved.text
    # the run comes back to the introduction with a new link; the old one says it was used
    second = stack.client.wait_for_email(None, subject, after=stack.client.outbox().index(first) + 1)
    assert stack.client.link_in(second) != stack.client.link_in(first)
    assert stack.client.volunteer(youth_id, "YOUTH")["stage"] == "INTRO_MEETING"
    off = stack.client.open_and_decide(stack.client.link_in(second), "ended", {"reason": "Den unge er flyttet"})
    assert off.status_code == 200, off.text[:300]
    stack.client.wait_for_stage(youth_id, "WAITING_FOR_MATCH", kind="YOUTH")
    stack.client.wait_for_stage(volunteer_id, "READY_FOR_MATCH")
    letters = [
        stack.client.wait_for_email(to, "Om jeres match i BackUp")
        for to in ("ung.samsoe@example.org", "frivillig.samsoe@example.org")
    ]
    assert all("bliver ikke til noget" in letter["text"] and "flyttet" not in letter["text"] for letter in letters)
    assert volunteer_id in stack.client.volunteer(youth_id, "YOUTH")["excluded_volunteers"]
