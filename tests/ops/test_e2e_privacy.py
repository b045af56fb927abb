"""Personal data from first form to last erasure, on the local stack with the real definitions and
backup-ops as ops run it: the retention schedule holds for every item written, a person's data is
exported, an erasure leaves none of their values anywhere, and a young person leaves by the link in
every letter about them."""

import json
import time
import uuid

import boto3
import pytest
import requests

from backup.domain.stages import Stage
from local_stack.client import SAMPLE_APPLICATION, SAMPLE_REFERRAL
from local_stack.template import REGION
from tests.e2e.test_matching_journey import answer, confirmed_young_person, introduce, proposal_for, ready_volunteer
from tests.e2e.test_volunteer_journey import approve, step_link

from .test_e2e_cli import ops, ops_json

pytestmark = pytest.mark.e2e


def table(stack):
    return boto3.resource(
        "dynamodb", endpoint_url=stack.endpoint, region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x"
    ).Table(stack.table)


def every_item(stack):
    items, scan = [], {}
    while True:
        page = table(stack).scan(**scan)
        items.extend(page["Items"])
        if "LastEvaluatedKey" not in page:
            return items
        scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def kept_while_active(item, records):
    """What the retention schedule keeps without an expiry (docs/privacy/retention.md): a person
    still in the programme (in progress or matched) with their history and their own link to leave,
    and a proposal or match still open, with its history. Everything else carries an expiry."""
    pk = str(item["pk"])
    kind, _, record_id = pk.partition("#")
    if kind in {"VOLUNTEER", "YOUTH", "MATCH"}:
        stage = records.get(pk)
        return stage is not None and stage not in {"REJECTED", "WITHDRAWN", "CLOSED"}
    if kind == "LINK" and item.get("link_kind") == "WITHDRAW":
        stage = records.get(f"{item['person_kind']}#{item['application_id']}")
        return stage is not None and stage not in {"REJECTED", "WITHDRAWN", "CLOSED"}
    return False


def test_every_item_a_whole_programme_wrote_carries_an_expiry_unless_the_schedule_keeps_it(stack):
    # a full journey to a match, one that ends in a rejection, and everything other tests wrote
    volunteer_id = ready_volunteer(stack, "4900", "Nakskov", f"v-{uuid.uuid4().hex[:8]}@example.org")
    youth_id = confirmed_young_person(stack, "4930", f"y-{uuid.uuid4().hex[:8]}@example.org", "k.lolland@example.org")
    proposal_id = proposal_for(stack, youth_id)
    introduce(stack, proposal_id)
    answer(stack, stack.client.volunteer(youth_id, "YOUTH")["details"]["email"], "yes")
    answer(stack, stack.client.volunteer(volunteer_id)["details"]["email"], "yes")
    stack.client.wait_for_stage(volunteer_id, "MATCHED")
    rejected = stack.client.apply({**SAMPLE_APPLICATION, "email": f"r-{uuid.uuid4().hex[:8]}@example.org"})
    response = stack.client.open_and_decide(
        step_link(stack, rejected, Stage.PHONE_SCREENING), "reject", {"reason": "Passer ikke"}
    )
    assert response.status_code == 200
    stack.client.wait_for_execution(stack.volunteer_machine, rejected)
    items = every_item(stack)
    records = {str(i["pk"]): str(i["stage"]) for i in items if i["sk"] == "PROFILE" and "stage" in i}
    unexplained = [(i["pk"], i["sk"]) for i in items if "expires_at" not in i and not kept_while_active(i, records)]
    assert unexplained == []
    # the rejected applicant: every item of theirs goes after about six months
    theirs = [i for i in items if rejected in str(i["pk"]) or i.get("application_id") == rejected]
    assert len(theirs) > 5 and all("expires_at" in i for i in theirs)
    six_months = {int(i["expires_at"]) - int(time.time()) for i in theirs if str(i["pk"]).startswith("VOLUNTEER#")}
    assert all(182 * 86400 < left <= 183 * 86400 for left in six_months)


def test_ops_export_everything_held_about_a_person_without_secrets(stack):
    person_id = stack.client.apply({**SAMPLE_APPLICATION, "email": f"e-{uuid.uuid4().hex[:8]}@example.org"})
    step_link(stack, person_id, Stage.PHONE_SCREENING)
    exported = ops_json(stack, "export", person_id)
    assert exported["record"]["details"]["first_name"] == SAMPLE_APPLICATION["first_name"]
    assert exported["record"]["consents"]["consent_child_certificate"]["version"]
    assert {e["subject"] for e in exported["emails"]} >= {"Tak for din ansøgning til BackUp"}
    assert [link["kind"] for link in exported["links"]].count("WITHDRAW") == 1
    text = json.dumps(exported)
    assert "task_token" not in text and "withdraw_link_id" not in text
    readable = ops(stack, "export", person_id)
    assert readable.returncode == 0 and "Emails sent" in readable.stdout
    assert "DATA_EXPORTED" in [e["kind"] for e in stack.client.history(person_id)]


def test_an_erasure_ends_the_journey_and_leaves_none_of_their_values_anywhere(stack):
    marker = uuid.uuid4().hex[:8]
    application = {
        **SAMPLE_APPLICATION,
        "first_name": f"Zorba{marker}",
        "last_name": f"Quix{marker}",
        "email": f"zorba.{marker}@example.org",
        "address": f"Markørvej {marker[:2]} {marker}",
        "motivation": f"Jeg vil gerne hjælpe, skrev Zorba{marker} i sin motivation.",
        "references": [f"Ref{marker} Hansen, 22334455", f"Bo{marker} Holm, bo.{marker}@example.org"],
    }
    person_id = stack.client.apply(application)
    approve(stack, person_id, Stage.PHONE_SCREENING)
    decision = step_link(stack, person_id, Stage.HOME_VISIT)  # the home visit's step waits
    withdraw = stack.client.link_in(
        stack.client.wait_for_email(application["email"], "Tak for din ansøgning"), "withdraw"
    )

    refused = ops(stack, "erase", person_id)
    assert refused.returncode == 1 and "--yes" in refused.stderr and "cannot be undone" in refused.stderr
    assert stack.client.volunteer(person_id)["stage"] == "HOME_VISIT"  # nothing happened

    done = ops_json(stack, "erase", person_id, "--yes")
    assert done["anonymous_id"].startswith("slettet-") and done["deleted"] > 5
    execution = stack.client.wait_for_execution(stack.volunteer_machine, person_id)
    assert execution["status"] == "SUCCEEDED"
    assert stack.client.current_state(stack.volunteer_machine, person_id) == "Application withdrawn"

    stored = json.dumps(every_item(stack), default=str)
    for value in (marker, person_id, application["email"]):
        assert value not in stored, value
    receipts = [i for i in every_item(stack) if str(i["pk"]).startswith("ERASURE#")]
    assert any(r["pk"] == f"ERASURE#{done['anonymous_id']}" and "expires_at" in r for r in receipts)
    for url in (decision, withdraw):
        assert requests.get(url, timeout=10).status_code in (404, 410)
    gone = ops(stack, "show", person_id)
    assert gone.returncode == 1 and "no volunteer" in gone.stderr.lower()


def test_a_young_person_leaves_by_the_link_in_the_contact_adults_letter(stack):
    contact = f"k-{uuid.uuid4().hex[:8]}@example.org"
    youth_id = stack.client.refer({**SAMPLE_REFERRAL, "postcode": "7900", "contact_adult_email": contact})
    letter = stack.client.wait_for_email(contact, "Tak for henvisningen")
    assert "/privatliv" in letter["text"]
    link = stack.client.link_in(letter, "withdraw")
    page = requests.get(link, timeout=10)
    assert page.status_code == 200 and "ikke længere være med" in page.text
    session = requests.Session()
    form = session.get(link, timeout=10)
    from local_stack.client import hidden_fields

    done = session.post(link, data=hidden_fields(form.text), timeout=10)
    assert done.status_code == 200 and "Forløbet er stoppet" in done.text
    stack.client.wait_for_stage(youth_id, "WITHDRAWN", kind="YOUTH")
    stack.client.wait_for_execution(stack.state_machines["YouthStateMachine"], youth_id, prefix="youth")
    assert stack.client.current_state(stack.state_machines["YouthStateMachine"], youth_id, prefix="youth") == (
        "Referral withdrawn"
    )
    stack.client.wait_for_email(contact, "ikke længere med i BackUp")
