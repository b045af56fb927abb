"""Network days in the browser: staff sign in, open "Netværksdage og supervision", get a clear
message for a form with mistakes, create one and see it in the list; an invited volunteer opens
their link, says yes with one tap and can change it. Headless Chromium against the local stack,
checked with axe, on a desktop and on a phone."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.page_checks import axe_violations, horizontal_overflow, labelless_controls
from tests.e2e.test_gatherings import create, invitation_link, matched_volunteers

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]
DANISH = ZoneInfo("Europe/Copenhagen")


def box_time(days: float) -> str:
    return (datetime.now(DANISH) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M")


def sign_in_to_gatherings(stack: Any, page: Any) -> None:
    page.goto(f"{stack.web}/staff")
    page.get_by_label("E-mail", exact=True).fill(stack.consultant)
    page.get_by_label("Adgangskode", exact=True).fill(stack.staff_users[stack.consultant])
    page.get_by_label("Side").select_option("/arrangementer")
    page.get_by_role("button", name="Log ind").click()
    page.get_by_role("heading", level=1, name="Netværksdage og supervision").wait_for(timeout=15_000)


@pytest.mark.parametrize("page", ["desktop", "phone"], indirect=True)
def test_staff_create_a_network_day_on_the_page_and_see_it_listed(stack: Any, page: Any) -> None:
    refused = page.goto(f"{stack.web}/arrangementer")
    assert refused is not None and refused.status == 401  # only through the sign-in
    sign_in_to_gatherings(stack, page)
    assert labelless_controls(page) == []
    assert axe_violations(page) == []
    assert horizontal_overflow(page) == 0

    # a form with mistakes: each is said, the values stay
    page.get_by_label("Tema").fill("Bolig")
    page.get_by_label("Antal pladser").fill("0")
    page.get_by_role("button", name="Opret og send invitationer").click()
    page.locator(".summary").wait_for(timeout=15_000)
    assert page.get_by_label("Tema").input_value() == "Bolig"
    assert axe_violations(page) == []

    theme = f"Din første bolig {uuid.uuid4().hex[:6]}"
    page.get_by_label("Tema").fill(theme)
    page.get_by_label("Begynder").fill(box_time(20))
    page.get_by_label("Slutter").fill(box_time(20.1))
    page.get_by_label("Sted", exact=True).fill("Røde Kors, Aalborg")
    page.get_by_label("Region", exact=True).select_option("Nordjylland")
    page.get_by_label("Antal pladser").fill("12")
    page.get_by_label("Matchede par").uncheck()
    page.get_by_label("Frivillige").check()
    page.get_by_role("button", name="Opret og send invitationer").click()
    page.get_by_role("heading", level=1, name=theme).wait_for(timeout=15_000)
    assert "invitationerne bliver sendt" in page.get_by_role("status").inner_text()
    assert axe_violations(page) == []
    assert horizontal_overflow(page) == 0

    page.get_by_role("link", name="Alle arrangementer").click()
    page.get_by_role("heading", level=1, name="Netværksdage og supervision").wait_for(timeout=15_000)
    row = page.get_by_role("row").filter(has_text=theme)
    assert "Nordjylland" in row.inner_text() and "Åben" in row.inner_text()


@pytest.mark.parametrize("page", ["desktop", "phone"], indirect=True)
def test_an_invited_volunteer_says_yes_with_one_tap_and_can_change_it(stack: Any, page: Any) -> None:
    ((person_id, email),) = matched_volunteers(stack, 1)
    theme = f"Penge og budget {uuid.uuid4().hex[:6]}"
    create(stack, starts_in=3600, deadline_in=3000, theme=theme)
    link, _ = invitation_link(stack, email, theme)

    page.goto(link + "?svar=ja")
    assert page.locator("html").get_attribute("lang") == "da"
    assert "Du har ikke svaret endnu" in page.get_by_role("status").inner_text()
    assert axe_violations(page) == []
    assert horizontal_overflow(page) == 0
    page.get_by_role("button", name="Ja, jeg kommer").click()
    page.get_by_role("heading", level=1, name="Du er tilmeldt").wait_for(timeout=15_000)
    assert axe_violations(page) == []

    page.get_by_role("link", name="Ændr dit svar").click()
    assert "Du er tilmeldt" in page.get_by_role("status").inner_text()
    page.get_by_role("button", name="Nej, jeg kommer ikke").click()
    page.get_by_role("heading", level=1, name="Du har meldt fra").wait_for(timeout=15_000)
    assert axe_violations(page) == []


def test_staff_cancel_a_network_day_after_being_asked_once_more(stack: Any, page: Any) -> None:
    theme = f"Uddannelse og job {uuid.uuid4().hex[:6]}"
    create(stack, starts_in=7200, deadline_in=7000, theme=theme)
    sign_in_to_gatherings(stack, page)
    page.get_by_role("link", name=theme).click()
    page.get_by_role("heading", level=1, name=theme).wait_for(timeout=15_000)
    assert axe_violations(page) == []
    page.get_by_label("Grund (står i e-mailen)").fill("Underviseren er syg")
    page.get_by_role("button", name="Aflys arrangementet").click()
    page.get_by_role("heading", level=1, name=f"Vil du aflyse {theme}?").wait_for(timeout=15_000)
    assert axe_violations(page) == []
    page.get_by_role("button", name="Ja, aflys og send besked").click()
    page.get_by_role("heading", level=1, name=theme).wait_for(timeout=15_000)
    assert "Arrangementet er aflyst" in page.get_by_role("status").inner_text()
    assert "Aflyst (Underviseren er syg)" in page.locator("dl").inner_text()
    assert page.get_by_role("button", name="Aflys arrangementet").count() == 0


def test_staff_record_who_came_once_it_has_begun(stack: Any, page: Any) -> None:
    import time

    import requests

    from local_stack.client import hidden_fields

    tag = uuid.uuid4().hex[:6]
    name = f"Ida{tag}x"  # first names of their own: other tests' volunteers are invited too
    people = matched_volunteers(stack, 2, name=name)
    theme = f"Mad for få penge {tag}"
    create(stack, starts_in=25, deadline_in=20, theme=theme)
    for person_id, email in people:
        link, _ = invitation_link(stack, email, theme)
        session = requests.Session()
        fields = hidden_fields(session.get(link, timeout=30).text)
        assert "Du er tilmeldt" in session.post(link, data={**fields, "svar": "ja"}, timeout=30).text
    sign_in_to_gatherings(stack, page)
    page.get_by_role("link", name=theme).click()
    page.get_by_role("heading", level=1, name=theme).wait_for(timeout=15_000)
    deadline = time.monotonic() + 60
    while page.get_by_role("heading", name="Fremmøde").count() == 0 and time.monotonic() < deadline:
        time.sleep(3)  # it has not begun: the page offers no attendance yet
        page.get_by_role("link", name="Alle arrangementer").click()
        page.get_by_role("link", name=theme).click()
        page.get_by_role("heading", level=1, name=theme).wait_for(timeout=15_000)
    assert axe_violations(page) == []
    page.get_by_label(f"{name}0 (frivillig)").check()
    page.get_by_role("button", name="Gem fremmøde").click()
    page.get_by_role("status").get_by_text("Fremmøde gemt: 1 mødte op").wait_for(timeout=15_000)
    came = page.get_by_role("row").filter(has_text=f"{name}0")
    assert "Ja" in came.inner_text()
    assert axe_violations(page) == []
