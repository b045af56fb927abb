"""A staff member signs in at /staff in the browser and gets their open steps, then the recruitment
page; the pages themselves, opened without signing in, are refused by the API (401). Headless
Chromium against the local stack, on a desktop and on a phone."""

from __future__ import annotations

from typing import Any

import pytest

from local_stack.client import SAMPLE_APPLICATION
from tests.browser.page_checks import axe_violations, horizontal_overflow, labelless_controls

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


@pytest.mark.parametrize("page", ["desktop", "phone"], indirect=True)
def test_a_consultant_signs_in_and_sees_their_open_steps_then_the_recruitment_needs(stack: Any, page: Any) -> None:
    # someone applied: the consultant has at least one open step, so the overview shows its table
    application_id = stack.client.apply({**SAMPLE_APPLICATION, "email": f"{page.viewport_size['width']}@example.org"})
    stack.client.wait_for_email(stack.consultant, f"venter på dig (ansøgning {application_id})")
    for staff_page in ("/konsulent", "/recruitment"):
        refused = page.goto(f"{stack.web}{staff_page}")
        assert refused is not None and refused.status == 401

    page.goto(f"{stack.web}/staff")
    assert page.locator("html").get_attribute("lang") == "da"
    assert labelless_controls(page) == []
    page.get_by_label("E-mail", exact=True).fill(stack.consultant)
    page.get_by_label("Adgangskode", exact=True).fill("Forkert-kode-123!")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("status").get_by_text("Forkert e-mail eller adgangskode").wait_for(timeout=15_000)

    page.get_by_label("Adgangskode", exact=True).fill(stack.staff_users[stack.consultant])
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("heading", level=1, name="Mine åbne trin").wait_for(timeout=15_000)
    assert "Mine åbne trin" in page.title()
    assert page.get_by_role("table").count() == 1
    assert horizontal_overflow(page) == 0  # a wide table scrolls in its own box, not the page
    assert axe_violations(page) == []

    page.goto(f"{stack.web}/staff?side=/recruitment")  # signed in for the tab: no password again
    page.get_by_role("heading", level=1, name="Rekrutteringsbehov").wait_for(timeout=15_000)
    assert "Rekrutteringsbehov" in page.title()
    assert axe_violations(page) == []
