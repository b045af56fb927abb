"""A person applies through the browser: headless Chromium against the local stack.

The form is filled in the way a person fills it in (by the visible labels), sent with one
mistake, corrected from the message beside the field, and sent again; then the two emails are
in the outbox. Keyboard use, labels and a phone-sized screen are checked on the same form.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from backup.domain.consent import STATEMENTS, VOLUNTEER_CONSENTS
from tests.browser.date_boxes import date_group, date_typed, fill_date
from tests.browser.page_checks import axe_violations, horizontal_overflow, labelless_controls, years_ago

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

AGE_MESSAGE = "Frivillige i BackUp skal være fyldt 25 år"


def person() -> dict[str, str]:
    """One applicant; the address is unique so that the application is new to the stack."""
    tag = uuid.uuid4().hex[:8]
    return {
        "Fornavn": "Søren",
        "Efternavn": "Ærø-Østergård",
        "E-mail": f"soeren.{tag}@example.org",
        "Telefon": "12 34 56 78",
        "Adresse": "Nørregade 7, 2. tv.",
        "Postnummer": "8000",
        "By": "Aarhus C",
        "Andre interesser (valgfrit)": "brætspil, klatring",
        "Hvorfor vil du være frivillig i BackUp?": "Jeg vil gerne være en voksen, som en ung kan regne med – også "
        "når det er svært, og i mange år.",
        "Erfaring med unge (valgfrit)": "Spejderleder i ti år & lektiehjælp <i>hver</i> tirsdag.",
        "Reference 1": "Anne Jensen, 87 65 43 21",
        "Reference 2": "Bo Holm, bo.holm@example.org",
    }


CHECKED = ["Fodbold", "Madlavning", "Cirka hver anden uge"]
CONSENTS = [STATEMENTS[key].text for key in VOLUNTEER_CONSENTS]  # the wordings, as stored with their versions


def fill_in(page: Any, texts: dict[str, str], birth_date: str) -> None:
    for label, value in texts.items():
        page.get_by_label(label, exact=True).fill(value)
    fill_date(page, "Fødselsdato", birth_date)
    for label in CHECKED + CONSENTS:
        page.get_by_label(label, exact=True).check()


def send(page: Any) -> Any:
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send ansøgning").click()
    return navigation.value


def test_a_person_applies_corrects_a_mistake_and_gets_a_receipt(stack: Any, page: Any, tmp_path: Path) -> None:
    texts = person()
    outbox_before = len(stack.client.outbox())
    page.goto(f"{stack.web}/apply")
    assert page.title().startswith("Bliv frivillig i BackUp")
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.locator("#error-summary").count() == 0

    # One mistake: 20 years old, under the programme's minimum age.
    too_young = years_ago(20)
    fill_in(page, texts, too_young)
    response = send(page)
    assert response.status == 422

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("link").count() == 1, summary.inner_text()
    assert AGE_MESSAGE in summary.inner_text()
    assert page.title().startswith("Ret venligst ansøgningen")
    group = date_group(page, "Fødselsdato")
    birth = group.get_by_label("Dag", exact=True)  # the error summary's link lands on the day box
    assert birth.get_attribute("id") == "birth_date" and birth.get_attribute("aria-invalid") == "true"
    beside = page.locator("#birth_date-error")
    assert AGE_MESSAGE in beside.inner_text()
    assert "birth_date-error" in (group.get_attribute("aria-describedby") or "").split()
    # the message sits beside its field: just above the boxes, below the question
    legend_box = group.locator("legend").bounding_box()
    message_box = beside.bounding_box()
    input_box = birth.bounding_box()
    assert legend_box["y"] < message_box["y"] < input_box["y"] < message_box["y"] + 150
    # everything else the person wrote is still there
    assert date_typed(page, "Fødselsdato") == too_young
    for label, value in texts.items():
        assert page.get_by_label(label, exact=True).input_value() == value, label
    for label in CHECKED + CONSENTS:
        assert page.get_by_label(label, exact=True).is_checked(), label
    assert not page.get_by_label("Musik", exact=True).is_checked()
    assert page.locator("[aria-invalid=true]").count() == 3  # the date's three boxes, nothing else
    page.screenshot(path=str(tmp_path / "form-with-errors.png"), full_page=True)

    # Correct the date and send again: the answers are read back first, in words.
    fill_date(page, "Fødselsdato", "1984-02-29")
    response = send(page)
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Tjek din ansøgning"
    assert page.locator("dd", has_text="29.02.1984").count() == 1
    assert axe_violations(page) == []
    # "Ret svarene" goes back to the form as it was left; nothing is stored yet
    with page.expect_navigation():
        page.get_by_role("button", name="Ret svarene").click()
    assert date_typed(page, "Fødselsdato") == "1984-02-29"
    for label, value in texts.items():
        assert page.get_by_label(label, exact=True).input_value() == value, label
    # (the shared stack's other runs send emails meanwhile: only this applicant's inbox says nothing was stored)
    assert not [m for m in stack.client.outbox()[outbox_before:] if m["to"] == texts["E-mail"]]
    send(page)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send ansøgningen").click()
    response = navigation.value
    assert response.status == 201
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Tak for din ansøgning, Søren"
    status = page.get_by_role("status")
    application_id = status.locator("strong").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{12}", application_id), application_id
    page.screenshot(path=str(tmp_path / "receipt.png"), full_page=True)

    # The applicant's confirmation and the consultant's phone-screening link.
    client = stack.client
    confirmation = client.wait_for_email(texts["E-mail"], "Tak for din ansøgning", after=outbox_before)
    assert application_id in confirmation["text"]
    assert "Kære Søren" in confirmation["text"]
    assert "/withdraw/" in confirmation["text"]
    screening = next_email(
        client, outbox_before, lambda m: application_id in m["subject"] and "Telefonsamtale" in m["subject"]
    )
    assert screening["to"] != texts["E-mail"]
    assert screening["to"] in str(stack.parameters), screening["to"]
    assert "/decisions/" in screening["text"]
    # stored, and no email carries the typed markup unescaped
    volunteer = client.volunteer(application_id)
    assert volunteer["stage"] in {"APPLIED", "PHONE_SCREENING"}
    assert not [m for m in client.outbox()[outbox_before:] if "<i>" in m["html"]]


def next_email(
    client: Any, after: int, wanted: Callable[[dict[str, Any]], bool], timeout: float = 30
) -> dict[str, Any]:
    deadline = time.time() + timeout
    while time.time() < deadline:
        for message in client.outbox()[after:]:
            if wanted(message):
                return message
        time.sleep(0.2)
    raise TimeoutError("the expected email did not arrive")


def test_the_error_summary_takes_focus_and_its_links_lead_to_the_fields(stack: Any, page: Any) -> None:
    page.goto(f"{stack.web}/apply")
    # Send the empty form with the keyboard only.
    page.get_by_role("button", name="Send ansøgning").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    summary = page.locator("#error-summary")
    assert summary.get_attribute("role") == "alert"
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    links = summary.get_by_role("link")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert "#birth_date" in targets and "#consent_data" in targets and "#references" in targets
    for index, target in enumerate(targets):
        field = target.lstrip("#")
        page.evaluate("() => document.getElementById('error-summary').focus()")
        page.keyboard.press("Tab")  # the first link
        for _ in range(index):
            page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.getAttribute('href')") == target
        page.keyboard.press("Enter")
        page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=field)
        focused = page.locator(f"#{field}")
        assert focused.is_visible()
        # a screen reader hears the field's message with it
        described = focused.get_attribute("aria-describedby") or page.locator(f"#{field}").evaluate(
            "el => (el.closest('fieldset') || el).getAttribute('aria-describedby') || ''"
        )
        assert f"{field}-error" in described.split(), field
    assert labelless_controls(page) == []


def test_every_control_has_a_label(stack: Any, page: Any) -> None:
    page.goto(f"{stack.web}/apply")
    assert labelless_controls(page) == []
    # the honeypot is out of reach: not focusable with Tab, hidden from screen readers
    honeypot = page.locator("input[name=website]")
    assert honeypot.get_attribute("tabindex") == "-1"
    assert honeypot.evaluate("el => !!el.closest('[aria-hidden=true]')")
    # the headings give the page an outline a screen reader can jump through
    assert page.get_by_role("heading", level=1).count() == 1
    assert page.get_by_role("heading", level=2).count() >= 3


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_the_form_fits_a_phone(stack: Any, page: Any, tmp_path: Path) -> None:
    page.goto(f"{stack.web}/apply")
    assert page.viewport_size["width"] == 375
    assert horizontal_overflow(page) <= 0
    send(page)  # empty: every message shown, the widest version of the page
    assert page.locator("#error-summary").is_visible()
    assert horizontal_overflow(page) <= 0
    # touch targets: the button is big enough for a finger
    box = page.get_by_role("button", name="Send ansøgning").bounding_box()
    assert box["height"] >= 40
    page.screenshot(path=str(tmp_path / "phone-with-errors.png"), full_page=True)
