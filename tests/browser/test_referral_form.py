"""A contact adult refers a young person through the browser: headless Chromium against the local stack.

The referral is filled in by the visible labels (text fields, radios, checkboxes, the two
`preferences` selects and the four confirmations), sent with one mistake (a 12-year-old), corrected
from the message beside the field and sent again; then the contact adult's confirmation and the
consultant's request are in the outbox, and the stored preferences are the ones chosen. Labels and
a phone-sized screen are checked on the same form.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from backup.domain.consent import ELIGIBILITY, STATEMENTS
from tests.browser.date_boxes import date_group, date_typed, fill_date
from tests.browser.page_checks import axe_violations, horizontal_overflow, labelless_controls, years_ago

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

AGE_MESSAGE = "BackUp er for unge mellem 14 og 24 år"
# the message for someone too young, not the one for someone too old
TOO_YOUNG = "velkommen til at blive henvist, når hun eller han er fyldt 14"


def referral() -> dict[str, str]:
    """One referral's text fields by label; the contact adult's address is unique to this test run."""
    tag = uuid.uuid4().hex[:8]
    return {
        "Den unges fornavn": "Åse",
        "Den unges postnummer": "8200",
        "Den unges e-mail (valgfrit)": f"aase.{tag}@example.org",
        "Den unges telefon (valgfrit)": "23 45 67 89",
        "Andre interesser (valgfrit)": "skateboard",
        "Hvilken voksen ønsker den unge sig, og hvad kunne de lave sammen?": (
            "En rolig voksen, der kan lide at gå ture & lave mad – og som bliver ved."
        ),
        "Dit navn": "Lone Bærentsen",
        "Din e-mail": f"lone.{tag}@example.org",
        "Dit telefonnummer": "86 12 34 56",
        "Din arbejdsplads eller forvaltning": "Opholdsstedet Søhuset, Aarhus Kommune",
        # she is 16: the placing municipality's consent, who gave it and when
        "Navn på den, der gav samtykke (når den unge er under 18)": "Jens Berg, Aarhus Kommune",
        "Dato for samtykket (når den unge er under 18)": (date.today() - timedelta(days=3)).isoformat(),
    }


CHECKED = ["Opholdssted", "Fodbold", "Madlavning", "Cirka hver anden uge", "Den anbringende kommune", "Skriftligt"]
SELECTS = {"Den frivilliges køn": ("Kvinde", "gender:female"), "Den frivilliges alder": ("25-35 år", "age:25-35")}
CONFIRMATIONS = [*ELIGIBILITY.values(), STATEMENTS["consent"].text]  # the wordings, as stored with their versions


def fill_in(page: Any, texts: dict[str, str], birth_date: str) -> None:
    for label, value in texts.items():
        page.get_by_label(label, exact=True).fill(value)
    fill_date(page, "Den unges fødselsdato", birth_date)
    for label, (option, _) in SELECTS.items():
        page.get_by_label(label, exact=True).select_option(label=option)
    for label in CHECKED + CONFIRMATIONS:
        page.get_by_label(label, exact=True).check()


def send(page: Any) -> Any:
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send henvisning").click()
    return navigation.value


def assert_everything_kept(page: Any, texts: dict[str, str], birth_date: str) -> None:
    assert date_typed(page, "Den unges fødselsdato") == birth_date
    for label, value in texts.items():
        assert page.get_by_label(label, exact=True).input_value() == value, label
    for label, (_, token) in SELECTS.items():
        assert page.get_by_label(label, exact=True).input_value() == token, label
    for label in CHECKED + CONFIRMATIONS:
        assert page.get_by_label(label, exact=True).is_checked(), label
    assert not page.get_by_label("Plejefamilie", exact=True).is_checked()
    assert not page.get_by_label("Musik", exact=True).is_checked()


def test_a_contact_adult_refers_corrects_the_age_and_gets_a_receipt(stack: Any, page: Any, tmp_path: Path) -> None:
    texts = referral()
    contact_email = texts["Din e-mail"]
    outbox_before = len(stack.client.outbox())
    page.goto(f"{stack.web}/refer")
    assert page.title().startswith("Henvis en ung til BackUp")
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.locator("#error-summary").count() == 0
    assert labelless_controls(page) == []
    assert page.locator("#guardian-why").inner_text().startswith("Når den unge er under 18 år")

    # One mistake: the young person is 12, under the programme's minimum age of 14.
    too_young = years_ago(12)
    fill_in(page, texts, too_young)
    response = send(page)
    assert response.status == 422

    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("link").count() == 1, summary.inner_text()
    assert summary.get_by_role("link").get_attribute("href") == "#birth_date"
    assert page.title().startswith("Ret venligst henvisningen")
    group = date_group(page, "Den unges fødselsdato")
    birth = group.get_by_label("Dag", exact=True)  # the summary's link lands on the day box
    assert birth.get_attribute("id") == "birth_date" and birth.get_attribute("aria-invalid") == "true"
    beside = page.locator("#birth_date-error")
    assert AGE_MESSAGE in beside.inner_text() and TOO_YOUNG in beside.inner_text(), beside.inner_text()
    assert "birth_date-error" in (group.get_attribute("aria-describedby") or "").split()
    # the message sits beside its field: below the question, just above the boxes
    label_box = group.locator("legend").bounding_box()
    message_box = beside.bounding_box()
    input_box = birth.bounding_box()
    assert label_box["y"] < message_box["y"] < input_box["y"] < message_box["y"] + 150
    # everything else is still there, the two selects included
    assert_everything_kept(page, texts, too_young)
    assert page.locator("[aria-invalid=true]").count() == 3  # the date's three boxes, nothing else
    assert labelless_controls(page) == []
    page.screenshot(path=str(tmp_path / "referral-with-errors.png"), full_page=True)

    # Correct the date (16 years old) and send again.
    fill_date(page, "Den unges fødselsdato", years_ago(16))
    response = send(page)
    assert response.status == 200  # read back first, with the contact adult's phone
    assert page.get_by_role("heading", level=1).inner_text() == "Tjek henvisningen"
    assert page.locator("dd", has_text="+45 86 12 34 56").count() == 1
    assert axe_violations(page) == [] and horizontal_overflow(page) <= 0
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send henvisningen").click()
    response = navigation.value
    assert response.status == 201
    assert page.title().startswith("Tak for henvisningen")
    assert page.get_by_role("heading", level=1).inner_text() == "Tak for henvisningen af Åse"
    youth_id = page.get_by_role("status").locator("strong").inner_text().strip()
    assert re.fullmatch(r"[0-9a-f]{12}", youth_id), youth_id
    page.screenshot(path=str(tmp_path / "referral-receipt.png"), full_page=True)

    # The contact adult's confirmation and the consultant's request to talk with the young person.
    client = stack.client
    confirmation = client.wait_for_email(contact_email, "Tak for henvisningen", after=outbox_before)
    assert "Kære Lone Bærentsen" in confirmation["text"]
    assert youth_id in confirmation["text"]
    request = client.wait_for_email(
        stack.consultant, f"Samtale med den unge venter på dig (henvisning {youth_id})", after=outbox_before
    )
    assert "/decisions/" in client.link_in(request)
    # the stored young person has the preferences chosen in the two selects
    youth = client.volunteer(youth_id, "YOUTH")
    assert youth["details"]["preferences"] == {"volunteer_gender": "female", "volunteer_age": "25-35"}
    assert youth["details"]["contact_adult_email"] == contact_email
    assert youth["details"]["placement"] == "residential_home"
    assert set(youth["details"]["interests"]) >= {"football", "cooking", "skateboard"}
    assert youth["details"]["wishes"] == texts["Hvilken voksen ønsker den unge sig, og hvad kunne de lave sammen?"]


def test_every_control_of_the_referral_has_a_label(stack: Any, page: Any) -> None:
    page.goto(f"{stack.web}/refer")
    assert labelless_controls(page) == []
    # both preference selects are named by their own label, not only by the fieldset's legend
    for label in SELECTS:
        assert page.get_by_label(label, exact=True).evaluate("el => el.tagName") == "SELECT"
    honeypot = page.locator("input[name=website]")
    assert honeypot.get_attribute("tabindex") == "-1"
    assert honeypot.evaluate("el => !!el.closest('[aria-hidden=true]')")
    assert page.get_by_role("heading", level=1).count() == 1
    assert page.get_by_role("heading", level=2).count() >= 3
    # the empty form: every message shown, and still every control named
    send(page)
    assert page.locator("#error-summary").is_visible()
    assert labelless_controls(page) == []


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_the_referral_fits_a_phone(stack: Any, page: Any, tmp_path: Path) -> None:
    page.goto(f"{stack.web}/refer")
    assert page.viewport_size["width"] == 375
    assert horizontal_overflow(page) <= 0
    response = send(page)  # empty: every message shown, the widest version of the page
    assert response.status == 422
    assert page.locator("#error-summary").is_visible()
    assert horizontal_overflow(page) <= 0
    box = page.get_by_role("button", name="Send henvisning").bounding_box()
    assert box["height"] >= 40
    page.screenshot(path=str(tmp_path / "referral-phone-with-errors.png"), full_page=True)
