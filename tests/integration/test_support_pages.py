"""The support links' pages through the links function, on moto's DynamoDB: any field with any type
is a 422 with a message per field (never a 500, nothing recorded), a good check-in is kept on the
match, and a concern about a match that has ended gets a kind page and is not kept."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from backup.adapters.dynamodb import DynamoRepository
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import LinkKind
from backup.domain.proposals import Candidate
from backup.domain.records import ProposalRecord
from backup.domain.stages import Stage
from local_stack.front_door import http_api_event
from tests.factories import link, volunteer, young_person
from tests.integration.conftest import LambdaContext

CHECK_IN, CONCERN = "check-in-link", "concern-link"


@pytest.fixture
def repository(table: str) -> DynamoRepository:
    """A match in its support: a check-in open for the consultant, the volunteer's concern link."""
    repository = DynamoRepository(table)
    now = datetime.now(UTC)
    for person in (
        young_person("y1", Stage.MATCHED, now, first_name="Sara", contact_adult_email="k@example.org"),
        volunteer("v1", Stage.MATCHED, now, first_name="Mette", email="mette@example.org"),
    ):
        repository.create_person(person, Event(at=now, kind=EventKind.APPLIED))
    match = ProposalRecord(
        id="m1",
        stage=Stage.MATCHED,
        stage_since=now - timedelta(days=20),
        created_at=now - timedelta(days=30),
        youth_id="y1",
        volunteer_id="v1",
        chosen=Candidate("v1", 90.0, "tæt på"),
    )
    repository.change_together([], new_proposal=match)
    repository.update(
        RecordKind.MATCH,
        "m1",
        set={
            "support_run": 1,
            "check_ins": {},
            "concerns": {},
            "concern_links": {"volunteer": CONCERN},
            "open_link_id": CHECK_IN,
        },
    )
    for link_id, kind in ((CHECK_IN, LinkKind.CHECK_IN), (CONCERN, LinkKind.CONCERN)):
        repository.put_link(
            link(link_id, kind, "m1", RecordKind.MATCH, at=now, stage=None, sent_to="konsulent@rodekors.example"), None
        )
    return repository


class Browser:
    """A browser on one link's page: the form's token goes back with its cookie."""

    def __init__(self, handler: Any, link_id: str):
        self.handler, self.path, self.cookie, self.token = handler, f"/decisions/{link_id}", "", ""

    def request(self, method: str, form: dict[str, Any] | None = None, as_json: bool = False) -> dict[str, Any]:
        headers = {"host": "backup.example"}
        headers["content-type"] = "application/json" if as_json else "application/x-www-form-urlencoded"
        if self.cookie:
            headers["cookie"] = self.cookie
        fields = {**(form or {}), "csrf_token": self.token}
        body = (json.dumps(fields) if as_json else urlencode(fields, doseq=True)).encode() if form is not None else b""
        event = http_api_event(method, self.path, headers, body, f"{method} /decisions/{{link_id}}", {}, "127.0.0.1")
        response: dict[str, Any] = self.handler.lambda_handler(event, LambdaContext())
        found = re.search(r'name="csrf_token" value="([^"]+)"', response.get("body", ""))
        if found:
            self.token = found.group(1)
            self.cookie = response["cookies"][0].split(";")[0]
        return response


def test_a_check_in_with_fields_of_any_type_is_refused_field_by_field_and_nothing_is_kept(screening, repository):
    browser = Browser(screening, CHECK_IN)
    page = browser.request("GET")
    assert page["statusCode"] == 200 and "Opfølgning nr. 1" in page["body"]
    odd = {"decision": "recorded", "check_in_date": 20260101, "with_whom": {"x": 1}, "how": ["godt"], "activities": 5}
    refused = browser.request("POST", odd, as_json=True)
    assert refused["statusCode"] == 422
    for message in ("Skriv datoen for samtalen.", "Vælg, hvem du har talt med.", "Vælg, hvordan det går"):
        assert message in refused["body"]
    assert repository.get_link(CHECK_IN).is_open and repository.get_proposal("m1").check_ins == {}


def test_a_check_in_is_kept_on_the_match_once(screening, repository):
    browser = Browser(screening, CHECK_IN)
    browser.request("GET")
    fields = {
        "decision": "recorded",
        "check_in_date": datetime.now(UTC).date().isoformat(),
        "with_whom": ["volunteer", "youth"],
        "how": "svaert",
        "activities": "Klatring",
        "frequency": "Hver uge",
    }
    done = browser.request("POST", fields)
    assert done["statusCode"] == 200, done["body"]
    (kept,) = repository.get_proposal("m1").check_ins.values()
    assert kept.fields["with_whom"] == "volunteer,youth" and kept.fields["how"] == "svaert"
    again = browser.request("POST", fields)
    assert again["statusCode"] == 409 and len(repository.get_proposal("m1").check_ins) == 1


def test_a_concern_about_a_match_that_has_ended_gets_a_kind_page_and_is_not_kept(screening, repository):
    repository.update(RecordKind.MATCH, "m1", set={"stage": Stage.CLOSED})
    browser = Browser(screening, CONCERN)
    page = browser.request("GET")
    assert page["statusCode"] == 200 and "Jeg er bekymret" in page["body"]
    empty = browser.request("POST", {"concern": ["a", "b"]})
    assert empty["statusCode"] in {400, 422}
    browser.request("GET")
    refused = browser.request("POST", {"concern": "Jeg er bekymret for Sara"})
    assert refused["statusCode"] == 409 and "Matchet er afsluttet" in refused["body"]
    assert repository.get_proposal("m1").concerns == {}
