"""Status pages speak to whoever opens the link, in plain Danish: what happened, and what they can
do now. Headless Chromium against the local stack, on a desktop and at 390 px, with axe-core."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from local_stack.client import SAMPLE_APPLICATION
from tests.browser.page_checks import axe_violations, horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]
WIDTHS = pytest.mark.parametrize("width", [None, 390], ids=["desktop", "phone-390"])


@WIDTHS
def test_a_link_we_cannot_find_says_what_to_try_and_where_to_write(
    stack: Any, new_page: Callable[..., Any], width: int | None
) -> None:
    page = new_page(phone=width is not None, width=width)
    response = page.goto(f"{stack.web}/decisions/{uuid.uuid4().hex}")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Vi kan ikke finde linket"
    main = page.locator("main").inner_text()
    assert "tryk på linket i e-mailen igen" in main and "skriv til Røde Kors" in main
    assert page.get_by_role("link", name="Sådan behandler Røde Kors dine oplysninger").is_visible()
    assert horizontal_overflow(page) <= 0
    assert axe_violations(page) == []


@WIDTHS
def test_the_applicant_reopening_their_withdrawal_link_is_spoken_to_and_sees_no_staff_address(
    stack: Any, new_page: Callable[..., Any], width: int | None
) -> None:
    page = new_page(phone=width is not None, width=width)
    email = f"mette.{uuid.uuid4().hex[:8]}@example.org"
    application_id = stack.client.apply({**SAMPLE_APPLICATION, "email": email})
    withdraw_url = stack.client.link_in(stack.client.wait_for_email(email, "Tak for din ansøgning"), "withdraw")
    page.goto(withdraw_url)
    with page.expect_navigation():
        page.get_by_role("button", name="Ja, træk min ansøgning tilbage").click()
    stack.client.wait_for_stage(application_id, "WITHDRAWN")

    response = page.goto(withdraw_url)
    assert response.status == 410
    assert page.get_by_role("heading", level=1).inner_text() in {"Du har sagt fra", "Forløbet er afsluttet"}
    main = page.locator("main").inner_text()
    assert "skal ikke gøre mere" in main and "velkommen igen" in main
    assert "Ansøgeren" not in main and "@" not in main
    assert page.locator("form, button").count() == 0
    assert horizontal_overflow(page) <= 0
    assert axe_violations(page) == []
