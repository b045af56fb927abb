"""POST /apply through the real handler on moto: every bad input gets a clear 4xx, nothing is lost."""

import html
import json
import re
from urllib.parse import urlencode

import boto3
import pytest

from local_stack.client import SAMPLE_APPLICATION

from .conftest import VOLUNTEER_MACHINE, YOUTH_MACHINE, post_form
from .conftest import executions as executions_of


def call(intake, **request):
    return post_form(intake, "/apply", **request)


def executions(machine=VOLUNTEER_MACHINE):
    return executions_of(machine)


def test_a_valid_json_application_is_stored_and_its_run_started(intake, table):
    response = call(intake, body=json.dumps(SAMPLE_APPLICATION).encode())
    assert response["statusCode"] == 201
    application_id = json.loads(response["body"])["application_id"]
    assert [e["name"] for e in executions()] == [f"volunteer-{application_id}"]
    item = (
        boto3.resource("dynamodb")
        .Table(table)
        .get_item(Key={"pk": f"VOLUNTEER#{application_id}", "sk": "PROFILE"})["Item"]
    )
    assert item["stage"] == "APPLIED" and item["details"]["email"] == SAMPLE_APPLICATION["email"]


def test_a_double_submission_returns_the_same_id_and_creates_one_volunteer(intake):
    first = call(intake, body=json.dumps(SAMPLE_APPLICATION).encode())
    second = call(intake, body=json.dumps(SAMPLE_APPLICATION).encode())
    assert json.loads(first["body"]) == json.loads(second["body"])
    assert len(executions()) == 1


def test_an_invalid_json_application_gets_422_with_a_message_per_field(intake):
    response = call(
        intake, body=json.dumps({**SAMPLE_APPLICATION, "birth_date": "2010-01-01", "postcode": "0000"}).encode()
    )
    assert response["statusCode"] == 422
    fields = json.loads(response["body"])["fields"]
    assert set(fields) == {"birth_date", "postcode"}
    assert executions() == []


@pytest.mark.parametrize(
    "body, content_type, status",
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (b"first_name=x", "text/plain", 415),
        (b"\xff\xfe", "application/json", 400),
        (b"{" + b" " * 70_000 + b"}", "application/json", 413),
    ],
)
@pytest.mark.parametrize("path", ["/apply", "/refer"])
def test_unreadable_requests_get_a_clear_4xx_never_a_500(intake, path, body, content_type, status):
    response = post_form(intake, path, body=body, content_type=content_type)
    assert response["statusCode"] == status
    assert json.loads(response["body"])["message"]
    assert executions(VOLUNTEER_MACHINE) == [] and executions(YOUTH_MACHINE) == []


def test_a_honeypot_filled_by_a_bot_creates_nothing(intake, table):
    response = call(intake, body=json.dumps({**SAMPLE_APPLICATION, "website": "http://spam.example"}).encode())
    assert response["statusCode"] == 400
    assert executions() == []
    assert boto3.resource("dynamodb").Table(table).scan()["Items"] == []


def test_an_invalid_form_post_shows_the_form_again_with_messages_and_values_kept_and_escaped(intake):
    form = {**SAMPLE_APPLICATION, "first_name": '<b>"Mette"</b>', "birth_date": "2010-01-01"}
    form = {k: ("yes" if v is True else v) for k, v in form.items()}
    body = urlencode(form, doseq=True).encode()
    response = call(intake, body=body, content_type="application/x-www-form-urlencoded", accept="text/html")
    assert response["statusCode"] == 422
    page = response["body"]
    assert "fyldt 25 år" in page
    assert 'value="&lt;b&gt;&quot;Mette&quot;&lt;/b&gt;"' in page
    assert '<b>"Mette"</b>' not in page
    assert 'value="Vestergade 1"' in page and "checked" in page
    assert 'href="#birth_date"' in page


def hidden_fields(page: str) -> list[tuple[str, str]]:
    """What the check page's form posts back: its hidden fields, in order."""
    return [
        (html.unescape(name), html.unescape(value))
        for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)
    ]


def form_post(intake, fields) -> dict:
    body = urlencode(fields, doseq=True).encode()
    return call(intake, body=body, content_type="application/x-www-form-urlencoded", accept="text/html")


def test_a_valid_form_post_is_read_back_first_and_stored_only_when_sent(intake, table):
    form = {k: ("yes" if v is True else v) for k, v in SAMPLE_APPLICATION.items() if k != "birth_date"}
    form.update({"birth_date-day": "23", "birth_date-month": "4", "birth_date-year": "1985"})
    check = form_post(intake, form)
    assert check["statusCode"] == 200 and "<h1>Tjek din ansøgning</h1>" in check["body"]
    page = check["body"]
    for shown in (
        "<dt>Fødselsdato</dt><dd>23.04.1985</dd>",
        "<dt>Telefon</dt><dd>+45 12 34 56 78</dd>",
        "<dt>Samtykke til børneattest</dt><dd>Ja</dd>",
        f"<dd>{html.escape(SAMPLE_APPLICATION['motivation'])}</dd>",
    ):
        assert shown in page, shown
    assert stored_people(table) == 0  # nothing is stored while they read
    carried = hidden_fields(page)
    # "Ret svarene": the form again as it was left (the date back in its boxes), still nothing stored
    back = form_post(intake, [*carried, ("step", "change")])
    assert back["statusCode"] == 200 and 'name="birth_date-day" value="23"' in back["body"]
    assert 'value="Vestergade 1"' in back["body"] and "error-summary" not in back["body"]
    assert stored_people(table) == 0
    sent = form_post(intake, [*carried, ("step", "send")])
    assert sent["statusCode"] == 201 and "Tak for din ansøgning" in sent["body"]
    assert stored_people(table) == 1


def test_a_check_page_posted_back_with_a_changed_answer_is_checked_again(intake, table):
    form = {k: ("yes" if v is True else v) for k, v in SAMPLE_APPLICATION.items()}
    carried = [(k, "1900-01-01" if k == "birth_date" else v) for k, v in hidden_fields(form_post(intake, form)["body"])]
    refused = form_post(intake, [*carried, ("step", "send")])
    assert refused["statusCode"] == 422 and 'href="#birth_date"' in refused["body"]
    assert stored_people(table) == 0


def stored_people(table: str) -> int:
    items = boto3.resource("dynamodb").Table(table).scan()["Items"]
    return len([i for i in items if i["pk"].startswith("VOLUNTEER#") and i["sk"] == "PROFILE"])


def test_the_form_is_served_in_danish_with_every_field(intake):
    page = call(intake, method="GET", accept="text/html")["body"]
    assert '<html lang="da">' in page
    for field in SAMPLE_APPLICATION:
        if field == "birth_date":  # asked for as day, month and year
            assert all(f'name="birth_date-{part}"' in page for part in ("day", "month", "year"))
            continue
        assert f'name="{field}"' in page, field


def test_the_double_submission_guard_expires_through_the_tables_ttl(intake, table):
    call(intake, body=json.dumps(SAMPLE_APPLICATION).encode())
    guards = [i for i in boto3.resource("dynamodb").Table(table).scan()["Items"] if i["pk"].startswith("idempotency#")]
    assert len(guards) == 1 and int(guards[0]["expires_at"]) > 0


def form_with_birth_boxes(day: str, month: str, year: str) -> bytes:
    form = {k: ("yes" if v is True else v) for k, v in SAMPLE_APPLICATION.items() if k != "birth_date"}
    form.update({"birth_date-day": day, "birth_date-month": month, "birth_date-year": year})
    return urlencode(form, doseq=True).encode()


def test_a_birth_date_typed_as_day_month_and_year_is_stored_as_that_date(intake, table):
    response = call(
        intake, body=form_with_birth_boxes("3", "4", "1985"), content_type="application/x-www-form-urlencoded"
    )
    assert response["statusCode"] == 201, response["body"]
    (profile,) = [i for i in boto3.resource("dynamodb").Table(table).scan()["Items"] if i["sk"] == "PROFILE"]
    assert profile["details"]["birth_date"] == "1985-04-03"


def test_a_day_that_does_not_exist_is_refused_in_words_for_the_boxes_and_kept_as_typed(intake, table):
    response = call(
        intake,
        body=form_with_birth_boxes("31", "2", "1985"),
        content_type="application/x-www-form-urlencoded",
        accept="text/html",
    )
    assert response["statusCode"] == 422
    page = response["body"]
    assert "dag, måned og år" in page and "ÅÅÅÅ" not in page
    assert 'name="birth_date-day" value="31"' in page and 'name="birth_date-month" value="2"' in page
    assert boto3.resource("dynamodb").Table(table).scan()["Items"] == []
