"""/konsulent: a signed-in consultant sees the steps waiting for them, with the link each email
has; another staff member does not see them, and nobody gets the page without signing in."""

import pytest
import requests

from backup.domain.stages import Stage
from local_stack.client import SAMPLE_APPLICATION

from .test_volunteer_journey import apply, step_link

pytestmark = pytest.mark.e2e


def overview(stack, headers):
    return requests.get(f"{stack.web}/konsulent", headers={**headers, "Accept": "text/html"}, timeout=30)


def test_a_new_applicants_phone_screening_waits_on_the_consultants_overview_with_its_link(stack):
    application_id, _ = apply(stack)
    emailed = step_link(stack, application_id, Stage.PHONE_SCREENING)
    link_path = "/decisions/" + emailed.rsplit("/decisions/", 1)[1]
    page = overview(stack, stack.staff_headers())
    assert page.status_code == 200 and "<h1>Mine åbne trin</h1>" in page.text
    assert f'href="{link_path}"' in page.text
    row = page.text[page.text.rindex("<tr>", 0, page.text.index(link_path)) :]
    assert f"frivillig {SAMPLE_APPLICATION['first_name']}" in row and "Telefonsamtale" in row
    for personal in (SAMPLE_APPLICATION["last_name"], SAMPLE_APPLICATION["phone"], SAMPLE_APPLICATION["address"]):
        assert personal not in page.text  # first names only: the link's page has the rest


def test_another_staff_member_does_not_see_the_consultants_steps(stack):
    application_id, _ = apply(stack)
    emailed = step_link(stack, application_id, Stage.PHONE_SCREENING)
    ops = stack.parameters["OpsEmail"]
    signed_in = stack.sign_in(ops)
    assert signed_in.status_code == 200, signed_in.text
    page = overview(stack, {"Authorization": f"Bearer {signed_in.json()['id_token']}"})
    assert page.status_code == 200 and emailed.rsplit("/", 1)[1] not in page.text


def test_the_overview_without_signing_in_is_refused_by_the_api(stack):
    assert overview(stack, {}).status_code == 401
