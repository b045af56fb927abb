"""The links function on moto: a consultant's rejection is asked once more, with its reason, and
only the confirmed one is recorded; the page shows what earlier steps recorded, notes included."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from backup.adapters.dynamodb import DynamoRepository
from backup.domain.evidence import Evidence
from backup.domain.history import Event, EventKind
from backup.domain.links import LinkKind
from backup.domain.stages import Stage
from local_stack.front_door import http_api_event
from tests.factories import link, volunteer
from tests.integration.conftest import LambdaContext

LINK_ID = "home-visit-link"


@pytest.fixture
def repository(table: str) -> DynamoRepository:
    """A volunteer at the home visit, whose phone screening was approved with a note."""
    repository = DynamoRepository(table)
    now = datetime.now(UTC)
    screened_at = now - timedelta(days=3)
    person = volunteer(
        "a1",
        Stage.HOME_VISIT,
        now - timedelta(days=10),
        record={
            "open_link_id": LINK_ID,
            "open_stage": Stage.HOME_VISIT,
            "evidence": {
                Stage.PHONE_SCREENING: Evidence(
                    decision="approve",
                    decided_by="hanna@example.org",
                    decided_at=screened_at,
                    link_id="phone-link",
                    fields={"references_contacted": "yes"},
                )
            },
        },
        first_name="Mette",
        last_name="Hansen",
        email="mette@example.org",
        phone="+4512345678",
    )
    repository.create_person(person, Event(at=person.created_at, kind=EventKind.APPLIED))
    repository.add_event(
        person.kind,
        person.id,
        Event(at=screened_at, kind=EventKind.APPROVED, stage=Stage.PHONE_SCREENING, notes="Varm og rolig samtale."),
    )
    repository.put_link(link(LINK_ID, stage=Stage.HOME_VISIT, at=now, sent_to="hanna@example.org"), None)
    return repository


class Browser:
    """Requests as a browser sends them: the form's token back with its cookie."""

    def __init__(self, handler: Any):
        self.handler = handler
        self.cookie = ""
        self.token = ""

    def request(self, method: str, form: dict[str, str] | None = None) -> dict[str, Any]:
        path = f"/decisions/{LINK_ID}"
        headers = {"host": "backup.example", "content-type": "application/x-www-form-urlencoded"}
        if self.cookie:
            headers["cookie"] = self.cookie
        body = urlencode({**(form or {}), "csrf_token": self.token} if form is not None else {}).encode()
        event = http_api_event(method, path, headers, body, f"{method} /decisions/{{link_id}}", {}, "127.0.0.1")
        response: dict[str, Any] = self.handler.lambda_handler(event, LambdaContext())
        found = re.search(r'name="csrf_token" value="([^"]+)"', response.get("body", ""))
        if found:
            self.token = found.group(1)
            self.cookie = response["cookies"][0].split(";")[0]
        return response


def rejections(repository: DynamoRepository) -> list[Event]:
    return [e for e in repository.history(volunteer().kind, "a1") if e.kind is EventKind.REJECTED]


def nothing_recorded(repository: DynamoRepository) -> bool:
    """The step still waits: its link unused, no rejection in the history, no evidence."""
    return (
        repository.get_link(LINK_ID).is_open
        and rejections(repository) == []
        and repository.get_volunteer("a1").evidence.get(Stage.HOME_VISIT) is None
    )


def test_the_consultant_sees_the_earlier_steps_decision_and_notes(screening: Any, repository: DynamoRepository):
    page = Browser(screening).request("GET")
    assert page["statusCode"] == 200
    assert "Tidligere trin" in page["body"]
    assert "Noter: Varm og rolig samtale." in page["body"]
    assert "Er begge referencer kontaktet? Ja" in page["body"]
    assert 'href="tel:+4512345678"' in page["body"]


def test_a_rejection_is_not_recorded_until_the_consultant_confirms_it(screening: Any, repository: DynamoRepository):
    browser = Browser(screening)
    browser.request("GET")
    asked = browser.request("POST", {"decision": "reject", "reason": "Ikke klar til et forløb", "notes": "Ringet op"})
    assert asked["statusCode"] == 200
    assert "Vil du afvise ansøgningen?" in asked["body"]
    assert "Ikke klar til et forløb" in asked["body"]
    assert nothing_recorded(repository)

    confirmed = browser.request(
        "POST", {"decision": "reject", "reason": "Ikke klar til et forløb", "notes": "Ringet op", "confirm": "yes"}
    )
    assert confirmed["statusCode"] == 200, confirmed["body"]
    assert "Hjemmebesøg er afvist" in confirmed["body"]
    assert not repository.get_link(LINK_ID).is_open
    (rejected,) = rejections(repository)
    assert rejected.details["reason"] == "Ikke klar til et forløb"
    assert rejected.notes == "Ringet op"


def test_going_back_from_the_confirmation_keeps_what_was_written_and_records_nothing(
    screening: Any, repository: DynamoRepository
):
    browser = Browser(screening)
    browser.request("GET")
    browser.request("POST", {"decision": "reject", "reason": "Ikke klar"})
    back = browser.request("POST", {"decision": "edit", "reason": "Ikke klar", "confirm": "yes"})
    assert back["statusCode"] == 200
    assert "<h1>Hjemmebesøg: Mette Hansen</h1>" in back["body"]
    assert ">Ikke klar</textarea>" in back["body"]
    assert nothing_recorded(repository)


def test_a_rejection_without_a_reason_asks_for_one_before_any_confirmation(
    screening: Any, repository: DynamoRepository
):
    browser = Browser(screening)
    browser.request("GET")
    response = browser.request("POST", {"decision": "reject", "reason": " "})
    assert response["statusCode"] == 422
    assert "Skriv en begrundelse for afvisningen" in response["body"]
    assert "Vil du afvise" not in response["body"]
    assert nothing_recorded(repository)


def test_every_page_says_who_sends_it_and_whom_to_ask(screening: Any, repository: DynamoRepository):
    page = Browser(screening).request("GET")["body"]
    footer = page[page.index("<footer>") :]
    assert "BackUp, et program i Dansk Røde Kors, Blegdamsvej 27, 2100 København Ø." in footer
    assert "Spørgsmål om BackUp: Karen Konsulent" in footer
    assert 'href="mailto:konsulent@rodekors.example"' in footer and 'href="tel:+4535259200"' in footer
    assert 'href="/privatliv"' in footer


def test_a_persons_own_page_names_their_regions_consultant(screening: Any, table: str):
    repository = DynamoRepository(table)
    person = volunteer("c1", Stage.PHONE_SCREENING, record={"withdraw_link_id": "leave-c1"}, postcode="2100")
    repository.create_person(person, Event(at=person.created_at, kind=EventKind.APPLIED))
    repository.put_link(link("leave-c1", LinkKind.WITHDRAW, "c1", at=datetime.now(UTC)), None)
    headers = {"host": "backup.example"}
    event = http_api_event("GET", "/withdraw/leave-c1", headers, b"", "GET /withdraw/{link_id}", {}, "127.0.0.1")
    page = screening.lambda_handler(event, LambdaContext())
    assert page["statusCode"] == 200, page["body"]
    footer = page["body"][page["body"].index("<footer>") :]
    assert "Har du spørgsmål, kan du kontakte konsulenten: Hanne Hovedstad" in footer
    assert 'href="tel:+4535259201"' in footer
