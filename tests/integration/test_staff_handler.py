"""GET /recruitment through the real handler on moto: the recruitment needs per region, as a page for
staff and as JSON, from the young people who wait with nobody within reach; aggregates only."""

import json
import logging
from datetime import UTC, datetime

import pytest

from backup.adapters.dynamodb import DynamoRepository
from backup.domain.history import Event, EventKind
from backup.domain.stages import Stage
from local_stack.front_door import http_api_event
from tests.factories import young_person

from .conftest import CONTACT, LambdaContext, load_handler


@pytest.fixture
def staff(table, monkeypatch):
    return load_handler("staff", {"TABLE_NAME": table, "STAFF_CLIENT_ID": "test-client", **CONTACT}, monkeypatch)


def waiting_young_person(
    table,
    person_id,
    first_name,
    postcode,
    *,
    no_candidates,
    birth_date="2008-03-14",
    interests=("football",),
    wishes="En rolig voksen, der kan lide fodbold.",
):
    repository = DynamoRepository(table)
    at = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    person = young_person(
        person_id,
        Stage.WAITING_FOR_MATCH,
        at,
        record={"no_candidates": no_candidates},
        first_name=first_name,
        birth_date=birth_date,
        postcode=postcode,
        placement="foster_family",
        interests=list(interests),
        wishes=wishes,
        preferences={"volunteer_gender": "female"},
        availability="weekly",
        email=f"{first_name.lower()}@example.org",
        contact_adult_name="Lone Berg",
        contact_adult_email="lone.berg@example.org",
    )
    assert repository.create_person(person, Event(at=at, kind=EventKind.REFERRED, by="contact_adult"))


@pytest.fixture
def pool(table):
    waiting_young_person(
        table,
        "ribe1",
        "Sara",
        "6760",
        no_candidates=True,
        birth_date="2008-03-14",
        interests=("football", "cooking"),
        wishes="En rolig voksen, der kan lide fodbold.",
    )
    waiting_young_person(
        table,
        "ribe2",
        "Ali",
        "6700",
        no_candidates=True,
        birth_date="2009-07-01",
        interests=("football", "Brætspil"),
        wishes="Fodbold og ture med en rolig mand.",
    )
    waiting_young_person(table, "aarhus", "Noah", "8000", no_candidates=False, birth_date="2007-01-02")
    waiting_young_person(
        table,
        "skagen",
        "Ida",
        "9990",
        no_candidates=True,
        birth_date="2010-10-10",
        interests=("animals",),
        wishes="Heste og natur, gerne en der bor tæt på Skagen.",
    )


def call(staff, target="/recruitment", accept="text/html,application/xhtml+xml"):
    headers = {"host": "backup.example", "accept": accept}
    event = http_api_event("GET", target, headers, b"", "GET /recruitment", {}, "127.0.0.1")
    return staff.lambda_handler(event, LambdaContext())


def test_the_page_lists_the_regions_with_needs_and_no_personal_data(staff, pool):
    response = call(staff)
    assert response["statusCode"] == 200
    assert response["headers"]["Content-Type"].startswith("text/html")
    page = response["body"]
    assert "<h1>Rekrutteringsbehov</h1>" in page and 'lang="da"' in page
    assert "ingen mulig frivillig" in page and "målrettet" in page
    assert page.index("Syddanmark") < page.index("Nordjylland")  # the regions' fixed order
    assert "?format=json" in page
    assert "Fodbold: færre end 3" in page and "rolig" not in page  # two young people: too few to show
    assert "færre end 3" in page and "vises ikke for færre end 3" in page
    for personal in (
        "Sara",
        "Ali",
        "Noah",
        "Ida",
        "2008-03-14",
        "6760",
        "6700",
        "8000",
        "9990",
        "Lone",
        "example.org",
        "Skagen",
        "Heste",
    ):
        assert personal not in page, personal


def test_json_when_asked_by_accept_header_or_query(staff, pool):
    for response in (call(staff, accept="application/json"), call(staff, "/recruitment?format=json")):
        assert response["statusCode"] == 200
        assert response["headers"]["Content-Type"] == "application/json"
        data = json.loads(response["body"])
        fewer = "færre end 3"
        assert [(r["region"], r["without_candidates"], r["waiting"]) for r in data["regions"]] == [
            ("Syddanmark", fewer, fewer),
            ("Nordjylland", fewer, fewer),
        ]
        assert (data["total"]["without_candidates"], data["total"]["waiting"]) == (3, 4)
        assert data["total"]["longest_wait_days"] >= 0  # three: a wait that is nobody's own
        assert {"region": "Midtjylland", "waiting": fewer, "without_candidates": 0} in data["waiting_per_region"]
        south = data["regions"][0]
        assert south["interests"][0] == {"key": "football", "label": "Fodbold", "count": fewer}
        assert south["preferences"]["volunteer_gender"][0]["count"] == fewer
        assert south["longest_wait_days"] is None
        people_free = json.dumps({k: v for k, v in data.items() if k != "generated_at"})  # its microseconds vary
        assert "Sara" not in people_free and "6760" not in people_free


def test_only_young_people_without_candidates_are_recruitment_needs(staff, table):
    waiting_young_person(table, "aarhus", "Noah", "8000", no_candidates=False)
    data = json.loads(call(staff, accept="application/json")["body"])
    assert data["regions"] == [] and data["total"]["without_candidates"] == 0
    assert data["waiting_per_region"] == [{"region": "Midtjylland", "waiting": "færre end 3", "without_candidates": 0}]
    page = call(staff)["body"]
    assert "Lige nu venter ingen unge uden en mulig frivillig" in page


def test_an_empty_pool_is_a_calm_page(staff, table):
    response = call(staff)
    assert response["statusCode"] == 200
    assert "Lige nu venter ingen unge" in response["body"]
    assert json.loads(call(staff, "/recruitment?format=json")["body"])["total"]["waiting"] == 0


def test_no_personal_data_in_the_logs(staff, pool, caplog):
    caplog.set_level("DEBUG", logger="backup")
    call(staff)
    ours = [record for record in caplog.records if record.name.startswith("backup")]
    assert "recruitment needs shown" in [record.getMessage() for record in ours]
    # Only what we log: the message and the extra fields. LogRecord's own bookkeeping (timings, thread
    # and process ids) is full of digits that can contain a postcode by chance.
    bookkeeping = set(vars(logging.makeLogRecord({})))
    text = " ".join(
        f"{record.getMessage()} { ({k: v for k, v in vars(record).items() if k not in bookkeeping}) }"
        for record in ours
    )
    assert "without_candidates" in text  # the extra fields are checked too
    for personal in ("Sara", "Ali", "ribe1", "6760", "2008-03-14"):
        assert personal not in text


def test_the_overview_for_a_token_without_an_email_is_a_kind_403_not_someone_elses_steps(staff, pool):
    event = http_api_event("GET", "/konsulent", {"host": "backup.example"}, b"", "GET /konsulent", {}, "127.0.0.1")
    event["requestContext"]["authorizer"] = {"jwt": {"claims": {"sub": "abc", "token_use": "id"}, "scopes": None}}
    response = staff.lambda_handler(event, LambdaContext())
    assert response["statusCode"] == 403 and "ingen e-mailadresse" in response["body"]
