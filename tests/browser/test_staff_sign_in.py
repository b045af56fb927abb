"""A staff member signs in at /staff in the browser and gets the recruitment page; the page itself,
opened without signing in, is refused by the API (401). Headless Chromium against the local stack."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.page_checks import labelless_controls

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]


def test_a_consultant_signs_in_and_sees_the_recruitment_needs(stack: Any, page: Any) -> None:
    refused = page.goto(f"{stack.web}/recruitment")
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
    page.get_by_role("heading", level=1, name="Rekrutteringsbehov").wait_for(timeout=15_000)
    assert "Rekrutteringsbehov" in page.title()
