"""A consultant follows the emailed links in the browser: headless Chromium against the local stack.

The phone-screening page shows the applicant; approving without answering the questions gives a
message beside each question; the consultant answers them with the keyboard only (Tab to the
group, Space on "Ja") and approves; the same link then says the step is already decided (409).
The home-visit link's page asks for the date of the visit.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from backup.domain.eligibility import age_on
from local_stack.client import SAMPLE_APPLICATION, SAMPLE_REFERRAL
from tests.browser.page_checks import axe_violations, horizontal_overflow, labelless_controls

pytestmark = [pytest.mark.browser, pytest.mark.timeout(180)]

QUESTIONS = {
    "motivation_ok": "Er ansøgeren motiveret for at være en stabil voksen for en ung?",
    "understands_broken_relations": "Forstår ansøgeren, at de unge bærer på mange brudte relationer?",
    "has_time_for_a_year": "Har ansøgeren tid til cirka et års forløb?",
    "references_contacted": "Er begge referencer kontaktet?",
}
ONLY_YES = "Kan kun godkendes, når svaret er ja"


@pytest.fixture
def consultant(page: Any) -> Any:
    """The browser page a consultant works in (decisions are posted exactly as the page sends them)."""
    return page


def apply(stack: Any) -> tuple[str, dict[str, Any]]:
    """A new application (a unique address, so it is new to the stack); returns its id and details."""
    application = {**SAMPLE_APPLICATION, "email": f"mette.{uuid.uuid4().hex[:8]}@example.org"}
    return stack.client.apply(application), application


def step_link(stack: Any, application_id: str, stage_label: str) -> str:
    email = stack.client.wait_for_email(stack.consultant, f"{stage_label} venter på dig (ansøgning {application_id})")
    return stack.client.link_in(email)


def active(page: Any, attribute: str = "id") -> str:
    return str(page.evaluate(f"() => document.activeElement && document.activeElement.getAttribute('{attribute}')"))


def test_a_consultant_approves_the_phone_screening_with_the_keyboard(
    stack: Any, consultant: Any, tmp_path: Path
) -> None:
    page = consultant
    application_id, application = apply(stack)
    url = step_link(stack, application_id, "Telefonsamtale")

    response = page.goto(url)
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "da"
    assert page.get_by_role("heading", level=1).inner_text() == "Telefonsamtale: Mette Hansen"
    assert application_id in page.locator("main").inner_text()
    # the applicant's details, as the consultant needs them for the call (the number grouped for reading out)
    details = page.locator("dl").first.inner_text()
    born = date.fromisoformat(application["birth_date"])
    for shown in (
        application["email"],
        "+45 12 34 56 78",
        f"{born:%d.%m.%Y} ({age_on(born, date.today())} år)",
        "Vestergade 1, 8000 Aarhus C",
        "Fodbold",
        "Madlavning",
        "brætspil",
        application["motivation"],
        application["experience"],
        "Anne Jensen, 87 65 43 21",
    ):
        assert shown in details, shown
    for label in QUESTIONS.values():
        assert page.get_by_role("group", name=label).is_visible(), label
    # tap to call, click to write
    assert page.get_by_role("link", name="+45 12 34 56 78").get_attribute("href") == "tel:+4512345678"
    assert page.get_by_role("link", name=application["email"]).get_attribute("href") == f"mailto:{application['email']}"
    assert "(valgfrit)" not in page.locator("label[for=reason]").inner_text()
    assert labelless_controls(page) == []
    assert axe_violations(page) == []

    # Approve without answering: a message beside each question, nothing decided.
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Godkend telefonsamtale").click()
    assert navigation.value.status == 422
    summary = page.locator("#error-summary")
    assert summary.is_visible()
    assert active(page) == "error-summary"
    links = summary.get_by_role("link")
    assert [links.nth(i).get_attribute("href") for i in range(links.count())] == [f"#{f}" for f in QUESTIONS]
    for field, label in QUESTIONS.items():
        group = page.get_by_role("group", name=label)
        message = group.locator(f"#{field}-error")
        assert ONLY_YES in message.inner_text(), field
        assert f"{field}-error" in (group.get_attribute("aria-describedby") or "").split()
        # beside the question: below its legend, above its "Ja"
        legend_box = group.locator("legend").bounding_box()
        message_box = message.bounding_box()
        yes_box = group.get_by_label("Ja", exact=True).bounding_box()
        assert legend_box["y"] < message_box["y"] < yes_box["y"] < message_box["y"] + 150, field
    assert page.locator("input[type=radio]:checked").count() == 0
    assert stack.client.volunteer(application_id)["stage"] == "PHONE_SCREENING"
    assert labelless_controls(page) == []
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "decision-with-errors.png"), full_page=True)

    # With the keyboard only: the first link in the summary leads to the first question; Space
    # answers "Ja", Tab goes on to the next question's group.
    page.keyboard.press("Tab")
    assert active(page, "href") == "#motivation_ok"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'motivation_ok'")
    for index, field in enumerate(QUESTIONS):
        if index:
            page.keyboard.press("Tab")
        assert active(page, "name") == field
        assert active(page, "value") == "yes"
        page.keyboard.press("Space")
        assert page.locator(f"input[name={field}][value=yes]").is_checked(), field
        assert not page.locator(f"input[name={field}][value=no]").is_checked(), field
    page.keyboard.press("Tab")
    assert active(page) == "notes"
    page.keyboard.type("God samtale; begge referencer ringet op.")
    page.keyboard.press("Tab")
    assert active(page) == "reason"
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Godkend telefonsamtale"
    with page.expect_navigation() as navigation:
        page.keyboard.press("Enter")
    assert navigation.value.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Telefonsamtale er godkendt"
    assert application_id in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "decided.png"), full_page=True)
    stack.client.wait_for_stage(application_id, "HOME_VISIT")
    approved = [e for e in stack.client.history(application_id) if e["kind"] == "APPROVED"]
    assert [e["event_stage"] for e in approved] == ["PHONE_SCREENING"]

    # The same link again: the step is decided, by the consultant reading it, when, and nothing to press.
    response = page.goto(url)
    assert response.status == 409
    assert page.get_by_role("heading", level=1).inner_text() == "Trinnet er allerede afgjort"
    assert "allerede afgjort" in page.title()
    assert "Trinnet blev afgjort af dig den" in page.locator("main").inner_text()
    assert "Du skal ikke gøre mere" in page.locator("main").inner_text()
    assert page.locator("form, button").count() == 0
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "used-link.png"), full_page=True)

    # The next step's link asks for the date of the home visit.
    home_visit = step_link(stack, application_id, "Hjemmebesøg")
    response = page.goto(home_visit)
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Hjemmebesøg: Mette Hansen"
    visit_date = page.get_by_label("Dato for hjemmebesøget", exact=True)
    assert visit_date.get_attribute("type") == "date"
    assert visit_date.get_attribute("name") == "visit_date"
    assert page.get_by_label("Din vurdering efter besøget", exact=True).evaluate("el => el.tagName") == "TEXTAREA"
    assert page.get_by_role("button", name="Godkend hjemmebesøg").is_visible()
    # what the phone screening recorded, and when, in Danish time
    earlier = page.locator("main").inner_text()
    assert "Tidligere trin" in earlier and "Godkendt" in earlier
    assert "Noter: God samtale; begge referencer ringet op." in earlier
    assert labelless_controls(page) == []
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / "home-visit.png"), full_page=True)


@pytest.mark.parametrize("page", ["phone"], indirect=True)
def test_the_decision_page_fits_a_phone(stack: Any, consultant: Any, tmp_path: Path) -> None:
    page = consultant
    application_id, _ = apply(stack)
    page.goto(step_link(stack, application_id, "Telefonsamtale"))
    assert horizontal_overflow(page) <= 0
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Godkend telefonsamtale").click()
    assert navigation.value.status == 422
    assert horizontal_overflow(page) <= 0
    for name in ("Godkend telefonsamtale", "Afvis ansøgningen"):
        assert page.get_by_role("button", name=name).bounding_box()["height"] >= 40
    page.screenshot(path=str(tmp_path / "decision-phone-with-errors.png"), full_page=True)


def test_a_decision_posted_from_the_page_as_served_is_accepted(stack: Any, page: Any) -> None:
    """No workaround: the form as the browser sends it must pass the cross-site check."""
    application_id, _ = apply(stack)
    page.goto(step_link(stack, application_id, "Telefonsamtale"))
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Godkend telefonsamtale").click()
    # the questions are unanswered: 422 with the messages, not 403 "Siden skal hentes igen"
    assert navigation.value.status == 422, page.get_by_role("heading", level=1).inner_text()


# --- the referral check, a rejection asked once more, and the emails themselves ---------------------


def refer(stack: Any, **changes: Any) -> tuple[str, dict[str, Any]]:
    referral = {**SAMPLE_REFERRAL, "contact_adult_email": f"lone.{uuid.uuid4().hex[:8]}@example.org", **changes}
    return stack.client.refer(referral), referral


@pytest.mark.parametrize("width", [None, 390], ids=["desktop", "phone-390"])
def test_the_consultant_checking_a_referral_sees_the_young_person_and_whom_to_call(
    stack: Any, new_page: Callable[..., Any], width: int | None, tmp_path: Path
) -> None:
    page = new_page(phone=width is not None, width=width)
    youth_id, referral = refer(stack, phone="22 33 44 55")
    email = stack.client.wait_for_email(stack.consultant, f"Samtale med den unge venter på dig (henvisning {youth_id})")
    assert "frivillig ansøger" not in email["text"]
    response = page.goto(stack.client.link_in(email))
    assert response.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == f"Samtale med den unge: {referral['first_name']}"
    main = page.locator("main").inner_text()
    born = date.fromisoformat(referral["birth_date"])
    for shown in (
        f"{born:%d.%m.%Y} ({age_on(born, date.today())} år)",
        "8200 Aarhus N",
        "Plejefamilie",
        referral["wishes"],
        referral["contact_adult_name"],
        referral["contact_adult_organisation"],
    ):
        assert shown in main, shown
    for volunteer_wording in ("Ansøgeren", "Motivation", "Referencer", "Adresse"):
        assert volunteer_wording not in main, volunteer_wording
    contact = page.get_by_role("link", name=referral["contact_adult_email"])
    assert contact.get_attribute("href") == f"mailto:{referral['contact_adult_email']}"
    assert page.get_by_role("link", name="+45 22 33 44 55").get_attribute("href") == "tel:+4522334455"
    assert page.get_by_role("button", name="Godkend henvisningen").is_visible()
    assert page.get_by_role("button", name="Afvis henvisningen").is_visible()
    assert labelless_controls(page) == []
    assert horizontal_overflow(page) <= 0
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / f"referral-check-{width or 'desktop'}.png"), full_page=True)


@pytest.mark.parametrize("width", [None, 390], ids=["desktop", "phone-390"])
def test_a_rejection_is_not_recorded_until_the_consultant_confirms_it(
    stack: Any, new_page: Callable[..., Any], width: int | None, tmp_path: Path
) -> None:
    page = new_page(phone=width is not None, width=width)
    application_id, _ = apply(stack)
    page.goto(step_link(stack, application_id, "Telefonsamtale"))
    page.get_by_label("Begrundelse (skal udfyldes, hvis du afviser)").fill("Ikke klar til et helt års forløb.")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Afvis ansøgningen").click()
    assert navigation.value.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Vil du afvise ansøgningen?"
    assert "Ikke klar til et helt års forløb." in page.locator("main").inner_text()
    assert stack.client.volunteer(application_id)["stage"] == "PHONE_SCREENING"
    assert not [e for e in stack.client.history(application_id) if e["kind"] == "REJECTED"]
    assert horizontal_overflow(page) <= 0
    assert axe_violations(page) == []
    page.screenshot(path=str(tmp_path / f"confirm-rejection-{width or 'desktop'}.png"), full_page=True)

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Ja, afvis").click()
    assert navigation.value.status == 200
    assert page.get_by_role("heading", level=1).inner_text() == "Telefonsamtale er afvist"
    stack.client.wait_for_stage(application_id, "REJECTED")
    reasons = [
        e.get("details", {}).get("reason") for e in stack.client.history(application_id) if e["kind"] == "REJECTED"
    ]
    assert reasons.count("Ikke klar til et helt års forløb.") == 1
    assert axe_violations(page) == []


def test_the_emails_read_as_accessible_pages(stack: Any, page: Any) -> None:
    application_id, application = apply(stack)
    step = stack.client.wait_for_email(stack.consultant, f"Telefonsamtale venter på dig (ansøgning {application_id})")
    received = stack.client.wait_for_email(application["email"], "Tak for din ansøgning")
    for email in (step, received):
        assert "Kære" in email["text"] or "Hej" in email["text"]
        assert "\ufffd" not in email["text"]
        page.set_content(email["html"])
        assert page.title() == email["subject"]
        assert page.get_by_role("main").count() == 1
        assert page.get_by_role("heading", level=1).inner_text() == email["subject"]
        assert axe_violations(page) == []
    page.set_content(step["html"])
    assert page.get_by_role("link", name="Se ansøgningen og afgør").get_attribute("href") == stack.client.link_in(step)


@pytest.mark.parametrize("width", [None, 390], ids=["desktop", "phone-390"])
def test_the_introduction_page_offers_held_moved_or_called_off_accessibly(
    new_page: Callable[..., Any], width: int | None
) -> None:
    from backup.domain.links import LinkKind
    from backup.domain.regions import Contact
    from backup.web.html import name_in_footer
    from backup.web.match_pages import intro_page
    from tests.factories import link

    name_in_footer(Contact("konsulent@rodekors.example", "Karen Konsulent", "+4535259200"))
    errors = {"reason": "Skriv kort, hvorfor mødet ikke bliver til noget (kun til internt brug)."}
    page = new_page(phone=width is not None, width=width)
    for values, shown in (({}, {}), ({"decision": "ended"}, errors)):
        page.set_content(intro_page(link("i1", LinkKind.INTRO), "Sara", "Mette", "tok", values, shown))
        assert axe_violations(page) == [] and labelless_controls(page) == []
        assert horizontal_overflow(page) <= 0
        for name in (
            "Mødet er holdt",
            "Mødet blev ikke holdt, men er flyttet til en ny dato",
            "Mødet bliver ikke til noget",
        ):
            assert page.get_by_role("radio", name=name).count() == 1
    # the error summary leads to the reason's box
    page.get_by_role("link", name=errors["reason"]).click()
    assert active(page) == "reason"
    assert page.get_by_role("link", name="+45 35 25 92 00").get_attribute("href") == "tel:+4535259200"
