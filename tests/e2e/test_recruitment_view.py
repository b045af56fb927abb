"""A young person in Ribe, far from every volunteer of the shared stack (Aarhus, Copenhagen, Bornholm,
Skagen), is confirmed, found to have nobody within reach, and appears in the recruitment needs of
Syddanmark, on the staff page and in its JSON, without anything that points at them."""

import json
import time

import pytest
import requests

from backup.domain.stages import Stage
from local_stack.client import SAMPLE_REFERRAL

pytestmark = pytest.mark.e2e

POSTCODE = "6760"  # Ribe: no other test uses it


def wait_for_no_candidates(stack, youth_id, timeout=30):
    deadline = time.time() + timeout
    profile = {}
    while time.time() < deadline:
        profile = stack.client.volunteer(youth_id, "YOUTH")
        if profile.get("no_candidates") is True:
            return profile
        time.sleep(0.2)
    raise TimeoutError(f"{youth_id} in {profile.get('stage')} never got no_candidates")


def test_a_young_person_with_nobody_within_reach_is_a_recruitment_need(stack):
    youth_id = stack.client.refer(
        {
            **SAMPLE_REFERRAL,
            "postcode": POSTCODE,
            "email": "ung.ribe@example.org",
            "contact_adult_email": "kontakt.ribe@example.org",
        }
    )
    message = stack.client.wait_for_email(None, f"{Stage.REFERRAL_CHECK.label} venter på dig (henvisning {youth_id})")
    answer = stack.client.open_and_decide(stack.client.link_in(message), "approve", {})
    assert answer.status_code == 200, answer.text[:300]
    profile = wait_for_no_candidates(stack, youth_id)
    assert profile["stage"] == "WAITING_FOR_MATCH"

    staff = stack.staff_headers()  # a staff page: only a signed-in staff member gets it
    page = requests.get(f"{stack.web}/recruitment", headers={**staff, "Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "Rekrutteringsbehov" in page.text and "Syddanmark" in page.text
    for personal in (SAMPLE_REFERRAL["first_name"], SAMPLE_REFERRAL["birth_date"], POSTCODE, "ung.ribe", youth_id):
        assert personal not in page.text

    for response in (
        requests.get(f"{stack.web}/recruitment?format=json", headers=staff, timeout=30),
        requests.get(f"{stack.web}/recruitment", headers={**staff, "Accept": "application/json"}, timeout=30),
    ):
        assert response.status_code == 200 and response.headers["Content-Type"] == "application/json"
        data = response.json()
        south = next(r for r in data["regions"] if r["region"] == "Syddanmark")
        # other tests may have put more young people here: a count is at least 3, or "færre end 3"
        assert south["without_candidates"] == "færre end 3" or south["without_candidates"] >= 3
        assert {"key": "football", "label": "Fodbold"}.items() <= next(
            i for i in south["interests"] if i["key"] == "football"
        ).items()
        people_free = json.dumps({k: v for k, v in data.items() if k != "generated_at"})  # its microseconds vary
        assert SAMPLE_REFERRAL["first_name"] not in people_free and POSTCODE not in people_free
