"""The two public forms under attack, through the real handler on moto: whatever arrives, the answer
is a 4xx with a Danish sentence (per field where a field is wrong), never a 5xx, and nothing is
stored, started or sent for it.

Nothing here is stored, so every test shares one handler on one moto table (a fresh one per test
would take a minute for the module); each test still checks that the table stayed empty."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest

from local_stack.client import SAMPLE_APPLICATION
from local_stack.front_door import http_api_event

from .conftest import (
    TABLE,
    VOLUNTEER_MACHINE,
    YOUTH_MACHINE,
    LambdaContext,
    create_table,
    executions,
    intake_handler,
    mocked_aws,
    post_form,
)
from .test_referral_handler import REFERRAL

FORMS = {"/apply": SAMPLE_APPLICATION, "/refer": REFERRAL}


@pytest.fixture(scope="module")
def intake() -> Iterator[Any]:
    """The intake handler on the template's table and two state machines, as conftest's `intake`
    builds it, once for the module."""
    with pytest.MonkeyPatch.context() as monkeypatch, mocked_aws(monkeypatch):
        yield intake_handler(create_table(), monkeypatch)


@pytest.fixture(scope="module")
def table(intake: Any) -> str:
    return TABLE


def post(intake: Any, path: str, payload: Any, **request: Any) -> dict[str, Any]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return post_form(intake, path, body=body, **request)


def answer(response: dict[str, Any]) -> dict[str, Any]:
    return json.loads(response["body"])


def nothing_happened(table: str) -> None:
    assert boto3.resource("dynamodb").Table(table).scan()["Items"] == []
    assert executions(VOLUNTEER_MACHINE) == [] and executions(YOUTH_MACHINE) == []


# --- wrong types: the field that is wrong is told, in Danish --------------------------------------

APPLICATION_WRONG_TYPES = [
    ("interests", 5),
    ("interests", True),
    ("interests", {"sport": True}),
    ("interests", [5]),
    ("interests", [{"name": "fodbold"}]),
    ("interests", [["football"]]),
    ("interests", [None]),
    ("references", True),
    ("references", 5),
    ("references", [1, 2]),
    ("references", [{"name": {"first": "Anne"}, "contact": ["87654321"]}, "Bo Holm, 12345678"]),
    ("references", {"name": "Anne Jensen", "contact": "87654321"}),
    ("first_name", ["a"]),
    ("first_name", {"a": 1}),
    ("first_name", 7),
    ("last_name", None),
    ("email", {"address": "a@example.org"}),
    ("email", ["mette@example.org"]),
    ("phone", 12345678),
    ("phone", ["12345678"]),
    ("postcode", 8000),
    ("birth_date", 12),
    ("birth_date", 1e300),
    ("birth_date", -5),
    ("birth_date", True),
    ("birth_date", {"year": 1980}),
    ("birth_date", "1980-05-01T10:00:00"),
    ("birth_date", "1. maj 1980"),
    ("city", ["Aarhus"]),
    ("address", {"street": "Vestergade"}),
    ("availability", 5),
    ("availability", ["weekly"]),
    ("motivation", 12345),
    ("motivation", {"text": "Jeg vil gerne hjælpe en ung i mange år frem."}),
    ("experience", ["Fodboldtræner"]),
    ("gender", ["female"]),
    ("gender", 5),
    ("consent_data", "maybe"),
    ("consent_data", [True]),
    ("consent_data", {"yes": True}),
    ("consent_child_certificate", 5),
    ("commitment", None),
]


@pytest.mark.parametrize("field, value", APPLICATION_WRONG_TYPES, ids=lambda v: repr(v)[:40])
def test_an_application_with_a_wrongly_typed_field_is_told_which_field_in_danish(intake, table, field, value):
    response = post(intake, "/apply", {**SAMPLE_APPLICATION, field: value})
    assert response["statusCode"] == 422, response["body"]
    fields = answer(response)["fields"]
    assert field in fields and fields[field].strip().endswith(".")
    nothing_happened(table)


REFERRAL_WRONG_TYPES = [
    ("interests", 5),
    ("interests", [{"x": 1}]),
    ("preferences", 5),
    ("preferences", [["gender:female"]]),
    ("preferences", {"volunteer_gender": {"x": 1}}),
    ("preferences", {"volunteer_gender": ["female"]}),
    ("first_name", ["Sara"]),
    ("birth_date", 12),
    ("placement", ["foster_family"]),
    ("wishes", {"text": "noget"}),
    ("email", {"a": 1}),
    ("phone", 12345678),
    ("contact_adult_name", ["Lone"]),
    ("contact_adult_email", ["lone@opholdssted.example"]),
    ("contact_adult_organisation", 5),
    ("guardian_name", {"name": "Jens"}),
    ("guardian_role", ["municipality"]),
    ("guardian_how", 5),
    ("guardian_date", 12),
    ("guardian_date", [1]),
    ("motivated", "maybe"),
    ("consent", {"yes": True}),
]


@pytest.mark.parametrize("field, value", REFERRAL_WRONG_TYPES, ids=lambda v: repr(v)[:40])
def test_a_referral_with_a_wrongly_typed_field_is_told_which_field_in_danish(intake, table, field, value):
    response = post(intake, "/refer", {**REFERRAL, field: value})
    assert response["statusCode"] == 422, response["body"]
    fields = answer(response)["fields"]
    assert field in fields and fields[field].strip().endswith(".")
    nothing_happened(table)


# --- bodies that are not a form at all --------------------------------------------------------------


def deep(levels: int, opening: str = "[", closing: str = "]") -> bytes:
    return (opening * levels + closing * levels).encode()


def deep_object(levels: int) -> bytes:
    return ('{"first_name":' * levels + "1" + "}" * levels).encode()


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize(
    "body",
    [deep(10_000), deep_object(4_000), b'{"interests":' + deep(5_000) + b"}", deep(60)],
    ids=["list-10000", "object-4000", "field-5000", "list-60"],
)
def test_json_nested_deep_is_refused_with_a_sentence_before_anything_parses_it(intake, table, path, body, monkeypatch):
    from backup.web import http

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the JSON parser was reached")  # it would recurse as deep as the text

    monkeypatch.setattr(http.json, "loads", never)
    response = post(intake, path, body)
    monkeypatch.undo()  # the parser back, to read the answer
    assert response["statusCode"] == 400, response["body"]
    assert "dybt" in answer(response)["message"]
    nothing_happened(table)


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize(
    "body",
    [b"[]", b"[1, 2]", b"5", b"-1.5", b"null", b'"text"', b"true", b""],
    ids=["empty-list", "list", "number", "negative", "null", "string", "true", "empty"],
)
def test_a_json_body_that_is_not_an_object_is_refused_with_a_sentence(intake, table, path, body):
    response = post(intake, path, body)
    assert response["statusCode"] == 400
    assert "objekt" in answer(response)["message"]
    nothing_happened(table)


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize(
    "body",
    [
        b'{"first_name": ' + b"9" * 5000 + b"}",  # past Python's limit for an int's digits
        b'{"first_name": NaN}',
        b'{"birth_date": Infinity}',
        b'{"first_name": -Infinity}',
        b'{"first_name": "Mette"',
        b"{'first_name': 'Mette'}",
    ],
    ids=["huge-int", "nan", "infinity", "minus-infinity", "unclosed", "single-quotes"],
)
def test_json_python_would_choke_on_is_refused_with_a_sentence(intake, table, path, body):
    response = post(intake, path, body)
    assert response["statusCode"] == 400, response["body"]
    assert answer(response)["message"]
    nothing_happened(table)


@pytest.mark.parametrize("path", FORMS)
def test_a_body_over_64_kb_gets_a_413_with_a_sentence(intake, table, path):
    huge = json.dumps({**FORMS[path], "motivation": "x" * 70_000}).encode()
    response = post(intake, path, huge)
    assert response["statusCode"] == 413
    assert "64 kB" in answer(response)["message"]
    form = urlencode({"first_name": "x" * 70_000}).encode()
    assert post(intake, path, form, content_type="application/x-www-form-urlencoded")["statusCode"] == 413
    nothing_happened(table)


def raw_event(path: str, body: str, base64_encoded: bool, content_type: str = "application/json") -> dict[str, Any]:
    headers = {"host": "backup.example", "content-type": content_type, "accept": "application/json"}
    event = http_api_event("POST", path, headers, b"", f"POST {path}", {}, "127.0.0.1")
    event["body"] = body
    event["isBase64Encoded"] = base64_encoded
    return event


@pytest.mark.parametrize("path", FORMS)
def test_a_huge_base64_body_gets_a_413_and_broken_base64_a_400(intake, table, path):
    huge = base64.b64encode(b"{" + b" " * 10_000_000 + b"}").decode()
    response = intake.lambda_handler(raw_event(path, huge, True), LambdaContext())
    assert response["statusCode"] == 413
    broken = intake.lambda_handler(raw_event(path, "!!!not base64!!!", True), LambdaContext())
    assert broken["statusCode"] == 400 and answer(broken)["message"]
    nothing_happened(table)


@pytest.mark.parametrize("path", FORMS)
@pytest.mark.parametrize(
    "body, content_type",
    [
        (b'{"first_name": "Mette\xff"}', "application/json"),
        (b"\xc3\x28", "application/json"),
        (b"first_name=Mette\xff", "application/x-www-form-urlencoded"),
        (b"first_name=Mette%FF%FE", "application/x-www-form-urlencoded"),
    ],
    ids=["json-raw", "json-overlong", "form-raw", "form-percent"],
)
def test_invalid_utf8_is_refused_with_a_sentence(intake, table, path, body, content_type):
    response = post(intake, path, body, content_type=content_type)
    assert response["statusCode"] == 400, response["body"]
    assert "UTF-8" in answer(response)["message"]
    nothing_happened(table)


@pytest.mark.parametrize("path", FORMS)
def test_a_lone_surrogate_escaped_in_json_is_refused_with_a_sentence(intake, table, path):
    body = json.dumps({**FORMS[path], "first_name": "Mette"}).replace("Mette", "Met\\ud800te").encode()
    response = post(intake, path, body)
    assert response["statusCode"] in (400, 422)
    assert answer(response).get("message") or answer(response).get("fields", {}).get("first_name")
    nothing_happened(table)


@pytest.mark.parametrize("path", FORMS)
def test_a_json_key_sent_twice_is_refused_and_the_field_named(intake, table, path):
    body = json.dumps(FORMS[path])[:-1] + ', "first_name": "Eve"}'
    response = post(intake, path, body.encode())
    assert response["statusCode"] == 400
    reply = answer(response)
    assert "first_name" in reply["fields"] and "én gang" in reply["fields"]["first_name"]
    assert reply["message"]
    nothing_happened(table)


def as_form(values: dict[str, Any]) -> dict[str, Any]:
    return {k: ("yes" if v is True else v) for k, v in values.items() if not isinstance(v, dict)}


@pytest.mark.parametrize("path", FORMS)
def test_a_form_post_repeating_a_single_field_is_refused_and_the_field_named(intake, table, path):
    body = urlencode(as_form(FORMS[path]), doseq=True) + "&email=eve%40example.org"
    response = post(intake, path, body.encode(), content_type="application/x-www-form-urlencoded")
    assert response["statusCode"] == 400
    assert "email" in answer(response)["fields"]
    page = post(intake, path, body.encode(), content_type="application/x-www-form-urlencoded", accept="text/html")
    assert page["statusCode"] == 400 and "samme felt flere gange" in page["body"]
    nothing_happened(table)


@pytest.mark.parametrize("path", FORMS)
def test_a_form_post_with_thousands_of_fields_is_refused(intake, table, path):
    body = "&".join(f"f{i}=x" for i in range(5_000)).encode()
    response = post(intake, path, body, content_type="application/x-www-form-urlencoded")
    assert response["statusCode"] == 400 and answer(response)["message"]
    nothing_happened(table)
