"""POST /refer through the real handler on moto: a young person's referral is stored once, their own
workflow starts, and every bad input gets a clear 4xx."""

import io
import json
from datetime import date, timedelta
from urllib.parse import urlencode

import boto3

from local_stack.front_door import http_api_event

from .conftest import VOLUNTEER_MACHINE, YOUTH_MACHINE, LambdaContext, post_form
from .conftest import executions as executions_of


def call(intake, **request):
    return post_form(intake, "/refer", **request)


def executions(machine=YOUTH_MACHINE):
    return executions_of(machine)


def years_ago(years: int) -> str:
    today = date.today()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()


REFERRAL = {
    "first_name": "Sara",
    "birth_date": years_ago(17),
    "postcode": "8000",
    "placement": "foster_family",
    "interests": ["football", "brætspil"],
    "wishes": "En rolig voksen, der vil gå ture og lave mad sammen med mig.",
    "preferences": {"volunteer_gender": "female", "volunteer_age": "25-35"},
    "availability": "weekly",
    "email": "sara.ung@example.org",
    "phone": "12 34 56 78",
    "contact_adult_name": "Lone Kontakt",
    "contact_adult_email": "lone@opholdssted.example",
    "contact_adult_phone": "+45 86 12 34 56",
    "contact_adult_organisation": "Opholdsstedet Lyngly",
    "guardian_name": "Jens Sagsbehandler",
    "guardian_role": "municipality",
    "guardian_how": "written",
    "guardian_date": days_ago(3),
    "motivated": True,
    "no_active_substance_abuse": True,
    "can_meet_without_professional_support": True,
    "consent": True,
}


def as_form(referral, preferences=("gender:female", "age:25-35")):
    """The fields as the browser posts them: ticked boxes as "yes", both selects named `preferences`."""
    form = {k: ("yes" if v is True else v) for k, v in referral.items() if v is not False}
    form["preferences"] = list(preferences)
    return urlencode(form, doseq=True).encode()


def profile(table, youth_id):
    return boto3.resource("dynamodb").Table(table).get_item(Key={"pk": f"YOUTH#{youth_id}", "sk": "PROFILE"})["Item"]


def test_a_valid_json_referral_is_stored_and_the_young_persons_run_started(intake, table):
    response = call(intake, body=json.dumps(REFERRAL).encode())
    assert response["statusCode"] == 201
    youth_id = json.loads(response["body"])["youth_id"]
    assert [e["name"] for e in executions()] == [f"youth-{youth_id}"]
    assert executions(VOLUNTEER_MACHINE) == []
    item = profile(table, youth_id)
    assert item["stage"] == "REFERRED" and item["kind"] == "YOUTH"
    assert item["details"]["phone"] == "+4512345678"
    assert item["details"]["preferences"] == {"volunteer_gender": "female", "volunteer_age": "25-35"}
    events = (
        boto3.resource("dynamodb")
        .Table(table)
        .query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :ev)",
            ExpressionAttributeValues={":pk": f"YOUTH#{youth_id}", ":ev": "EVENT#"},
        )["Items"]
    )
    assert [(e["kind"], e["by"]) for e in events] == [("REFERRED", "contact_adult")]


def test_no_personal_data_is_logged(intake, monkeypatch):
    logs = io.StringIO()
    monkeypatch.setattr(intake.logger.registered_handler, "stream", logs)
    call(intake, body=json.dumps(REFERRAL).encode())
    call(intake, body=json.dumps({**REFERRAL, "postcode": "0000"}).encode())
    logged = logs.getvalue()
    assert "person stored and workflow started" in logged and "referral invalid" in logged
    for value in ("Sara", "sara.ung@example.org", "Lone", "12 34 56 78", "Lyngly"):
        assert value not in logged


def test_a_double_submission_returns_the_same_id_and_creates_one_young_person(intake, table):
    first = call(intake, body=json.dumps(REFERRAL).encode())
    second = call(intake, body=json.dumps(REFERRAL).encode())
    assert first["statusCode"] == second["statusCode"] == 201
    assert json.loads(first["body"]) == json.loads(second["body"])
    assert len(executions()) == 1
    profiles = [
        i
        for i in boto3.resource("dynamodb").Table(table).scan()["Items"]
        if i["pk"].startswith("YOUTH#") and i["sk"] == "PROFILE"
    ]
    assert len(profiles) == 1


def test_the_same_young_person_in_either_json_shape_of_preferences_is_one_referral(intake):
    first = call(intake, body=json.dumps(REFERRAL).encode())
    second = call(intake, body=json.dumps({**REFERRAL, "preferences": ["gender:female", "age:25-35"]}).encode())
    assert json.loads(first["body"]) == json.loads(second["body"])


def test_an_invalid_json_referral_gets_422_with_a_message_per_field(intake):
    response = call(
        intake,
        body=json.dumps({**REFERRAL, "birth_date": years_ago(30), "email": "", "phone": "", "consent": False}).encode(),
    )
    assert response["statusCode"] == 422
    fields = json.loads(response["body"])["fields"]
    assert set(fields) == {"birth_date", "email", "phone", "consent"}
    assert "14 og 24 år" in fields["birth_date"]
    assert executions() == []


def test_a_honeypot_filled_by_a_bot_creates_nothing(intake, table):
    response = call(intake, body=json.dumps({**REFERRAL, "website": "http://spam.example"}).encode())
    assert response["statusCode"] == 400
    assert "Henvisningen" in json.loads(response["body"])["message"]
    assert executions() == []
    assert boto3.resource("dynamodb").Table(table).scan()["Items"] == []


def test_a_honeypot_in_a_form_post_creates_nothing(intake, table):
    body = as_form(REFERRAL) + b"&website=spam"
    response = call(intake, body=body, content_type="application/x-www-form-urlencoded", accept="text/html")
    assert response["statusCode"] == 400
    assert boto3.resource("dynamodb").Table(table).scan()["Items"] == []


def test_an_invalid_form_post_shows_the_form_again_with_messages_and_values_kept_and_escaped(intake):
    form = {
        **REFERRAL,
        "first_name": '<b>"Sara"</b>',
        "birth_date": years_ago(30),
        "wishes": "En voksen & <i>rolig</i> ven.",
        "no_active_substance_abuse": False,
    }
    response = call(
        intake,
        body=as_form(form, ("", "age:35-50")),
        content_type="application/x-www-form-urlencoded",
        accept="text/html",
    )
    assert response["statusCode"] == 422
    page = response["body"]
    assert "14 og 24 år" in page and "aktivt misbrug" in page
    assert 'value="&lt;b&gt;&quot;Sara&quot;&lt;/b&gt;"' in page
    assert '<b>"Sara"</b>' not in page and "<i>rolig</i>" not in page
    assert "En voksen &amp; &lt;i&gt;rolig&lt;/i&gt; ven." in page
    assert 'value="Opholdsstedet Lyngly"' in page
    assert 'value="foster_family" checked' in page and 'id="motivated" name="motivated" value="yes" checked' in page
    assert '<option value="age:35-50" selected>' in page and '<option value="" selected>' in page
    assert 'href="#birth_date"' in page and 'href="#no_active_substance_abuse"' in page


def test_a_valid_form_post_is_read_back_then_gets_the_receipt_and_keeps_both_preferences(intake, table):
    body = as_form(REFERRAL, ("gender:male", "age:50+"))
    check = call(intake, body=body, content_type="application/x-www-form-urlencoded", accept="text/html")
    assert check["statusCode"] == 200 and "<h1>Tjek henvisningen</h1>" in check["body"]
    assert "<dt>Dit telefonnummer</dt><dd>+45 86 12 34 56</dd>" in check["body"]
    assert "<dt>Ønsker til den frivillige</dt><dd>en mand, alder 50+</dd>" in check["body"]
    assert executions() == []  # nothing started while they read
    response = call(
        intake, body=body + b"&step=send", content_type="application/x-www-form-urlencoded", accept="text/html"
    )
    assert response["statusCode"] == 201
    assert "Tak for henvisningen" in response["body"] and "to uger" in response["body"]
    [execution] = executions()
    youth_id = execution["name"].removeprefix("youth-")
    assert youth_id in response["body"]
    assert profile(table, youth_id)["details"]["preferences"] == {"volunteer_gender": "male", "volunteer_age": "50+"}


def test_the_form_is_served_in_danish_with_every_field(intake):
    response = call(intake, method="GET", accept="text/html")
    assert response["statusCode"] == 200
    page = response["body"]
    assert '<html lang="da">' in page and 'action="/refer"' in page
    for field in REFERRAL:
        if field == "birth_date":  # asked for as day, month and year
            assert all(f'name="birth_date-{part}"' in page for part in ("day", "month", "year"))
            continue
        assert f'name="{field}"' in page, field
    assert page.count('name="preferences"') == 2
    assert 'name="website"' in page
    for label in ("Plejefamilie", "Opholdssted", "Døgninstitution", "Ingen præference", "Kvinde", "Mand"):
        assert label in page


def test_the_volunteer_application_still_has_its_own_route(intake):
    headers = {"host": "backup.example", "accept": "text/html"}
    event = http_api_event("GET", "/apply", headers, b"", "GET /apply", {}, "127.0.0.1")
    page = intake.lambda_handler(event, LambdaContext())["body"]
    assert 'action="/apply"' in page
