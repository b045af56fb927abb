"""The gathering functions as Lambda runs them, on moto: the sign-up page answers only a POST from
its own form, refuses anything else with a page (never a 500), and the staff commands refuse
details of any wrong type with a sentence per field."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from backup.adapters.dynamodb_gatherings import DynamoGatherings
from backup.domain.gatherings import Answer, Gathering, Invitation
from backup.domain.history import Event, EventKind
from backup.domain.stages import Stage
from local_stack.front_door import http_api_event
from tests.factories import volunteer
from tests.gathering_factories import details
from tests.integration.conftest import LambdaContext, load_handler, template_environment

HOST = "backup.example"


@pytest.fixture
def pages(table: str, ses: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    env = {**template_environment("GatheringPagesFunction"), "TABLE_NAME": table, "PUBLIC_BASE_URL": ""}
    return load_handler("gathering_pages", env, monkeypatch)


@pytest.fixture
def tasks(table: str, ses: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    env = {**template_environment("GatheringsFunction"), "TABLE_NAME": table}
    return load_handler("gatherings", env, monkeypatch)


@pytest.fixture
def invited(table: str) -> DynamoGatherings:
    store = DynamoGatherings(table, boto3.resource("dynamodb"))
    now = datetime.now(UTC)
    store.create_person(volunteer("v1", Stage.MATCHED, first_name="Mette", email="m@example.dk"), applied(now))
    gathering_details = details(starts_in=timedelta(days=400))  # NOW in the factories is a fixed day
    store.create_gathering(Gathering(id="g1", details=gathering_details, created_by="s", created_at=now))
    store.add_invitation(
        Invitation(gathering_id="g1", link_id="L" * 43, person_kind="VOLUNTEER", person_id="v1", invited_at=now)
    )
    return store


def applied(at: datetime) -> Event:
    return Event(at=at, kind=EventKind.APPLIED, by="test")


def request(handler: Any, method: str, path: str, body: bytes = b"", **headers: str) -> dict[str, Any]:
    sent = {"host": HOST, "content-type": "application/x-www-form-urlencoded", "accept": "text/html", **headers}
    event = http_api_event(
        method, path, sent, body, f"{method} /tilmelding/{{gathering_id}}/{{link_id}}", {}, "1.2.3.4"
    )
    return dict(handler.lambda_handler(event, LambdaContext()))


PAGE = "/tilmelding/g1/" + "L" * 43


def opened(pages: Any) -> tuple[str, str]:
    """The page's form token and the cookie that goes with it."""
    shown = request(pages, "GET", PAGE + "?svar=ja")
    assert shown["statusCode"] == 200 and "Ja, jeg kommer" in shown["body"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', shown["body"]).group(1)
    return token, shown["cookies"][0].split(";")[0]


def test_one_post_from_the_page_takes_a_seat_and_a_get_changes_nothing(pages, invited):
    token, cookie = opened(pages)
    assert invited.get_invitation("g1", "L" * 43).answer is Answer.NONE  # the GET answered nothing
    answered = request(pages, "POST", PAGE, f"csrf_token={token}&svar=ja".encode(), cookie=cookie)
    assert answered["statusCode"] == 200 and "Du er tilmeldt" in answered["body"]
    assert invited.get_gathering("g1").taken == 1


@pytest.mark.parametrize(
    "body,status",
    [
        (b"svar=ja", 403),  # no token: not from our page
        (b"csrf_token=TOKEN&svar=kanske", 400),
        (b"csrf_token=TOKEN&svar=ja&svar=nej", 400),
        (b"csrf_token=TOKEN", 400),
        (b"\xff\xfe", 400),
    ],
)
def test_anything_but_a_yes_or_no_from_the_page_is_a_clear_4xx_and_writes_nothing(pages, invited, body, status):
    token, cookie = opened(pages)
    answered = request(pages, "POST", PAGE, body.replace(b"TOKEN", token.encode()), cookie=cookie)
    assert answered["statusCode"] == status, answered["body"][:300]
    assert "<h1>" in answered["body"]
    assert invited.get_invitation("g1", "L" * 43).answer is Answer.NONE


def test_a_json_body_with_any_type_is_a_4xx(pages, invited):
    token, cookie = opened(pages)
    for svar in ([1, 2], 7, None, {"a": 1}):
        body = json.dumps({"csrf_token": token, "svar": svar}).encode()
        answered = request(pages, "POST", PAGE, body, cookie=cookie, **{"content-type": "application/json"})
        assert 400 <= answered["statusCode"] < 500, svar


@pytest.mark.parametrize(
    "path", ["/tilmelding/g1/unknown", "/tilmelding/nope/" + "L" * 43, "/tilmelding/g1/" + "x" * 5000]
)
def test_an_unknown_or_forged_link_gets_a_page(pages, invited, path):
    for method in ("GET", "POST"):
        answered = request(pages, method, path, b"svar=ja")
        assert answered["statusCode"] == 404 and "Vi kan ikke finde invitationen" in answered["body"]


@pytest.mark.parametrize(
    "event",
    [
        {"action": "create_gathering", "details": {"capacity": "many", "kind": 3}},
        {"action": "create_gathering", "details": "not an object"},
        {"action": "create_gathering"},
        {"action": "cancel_gathering", "gathering_id": ["g1"]},
        {"action": "record_attendance", "gathering_id": "g1", "came": {"nobody": True}},
        {"action": "show_gathering", "gathering_id": "nope"},
    ],
)
def test_a_staff_command_with_wrong_fields_is_refused_with_a_sentence(tasks, invited, event):
    answer = tasks.lambda_handler(event, LambdaContext())
    assert answer["ok"] is False and len(answer["message"]) > 10


def test_a_task_with_a_wrong_field_fails_with_a_sentence(tasks, invited):
    from backup.usecases.tasks import UnknownTask

    with pytest.raises(UnknownTask, match="gathering_id"):
        tasks.lambda_handler({"action": "invite", "gathering_id": 5}, LambdaContext())


def staff_request(handler: Any, method: str, path: str, body: bytes = b"") -> dict[str, Any]:
    """A staff request as the API delivers it after its JWT authorizer passed it."""
    sent = {"host": HOST, "content-type": "application/x-www-form-urlencoded", "accept": "text/html"}
    event = http_api_event(method, path, sent, body, f"{method} /arrangementer", {}, "1.2.3.4")
    event["requestContext"]["authorizer"] = {"jwt": {"claims": {"email": "anna@rodekors.dk"}}}
    return dict(handler.lambda_handler(event, LambdaContext()))


def test_staff_record_attendance_on_the_page_once_it_has_begun(pages, invited):
    invited.answer("g1", "L" * 43, True, datetime.now(UTC))
    early = staff_request(pages, "POST", "/arrangementer/g1", b"do=attendance&came=v1")
    assert early["statusCode"] == 409 and "Fremmøde kan først registreres" in early["body"]
    begun = details(starts_in=timedelta(days=400)).model_copy(
        update={"starts_at": datetime.now(UTC) - timedelta(hours=2), "ends_at": datetime.now(UTC) - timedelta(hours=1)}
    )
    boto3.resource("dynamodb").Table(invited.table_name).update_item(
        Key={"pk": "GATHERING", "sk": "g1"},
        UpdateExpression="SET begins_at = :b",
        ExpressionAttributeValues={":b": begun.starts_at.isoformat()},
    )
    done = staff_request(pages, "POST", "/arrangementer/g1", b"do=attendance&came=v1")
    assert done["statusCode"] == 200 and "Fremmøde gemt: 1 mødte op" in done["body"]
    assert invited.get_invitation("g1", "L" * 43).attended is True
    history = invited.history(volunteer("v1").kind, "v1")
    assert [e.details["value"] for e in history if e.kind is EventKind.GATHERING_ATTENDED] == ["ja"]


@pytest.mark.parametrize(
    "body,field",
    [
        (b"do=save&kind=NETWORK_DAY&theme=Bolig&capacity=many", "capacity"),
        (b"do=save&kind=SOMETHING&theme=Bolig", "kind"),
        (b"do=save&theme=Bolig&starts_at=tomorrow", "starts_at"),
        (b"do=save&theme=x&region=Sk%C3%A5ne", "region"),
    ],
)
def test_a_new_gathering_with_mistakes_is_a_422_with_a_message_per_field_and_nothing_stored(
    pages, invited, body, field
):
    answered = staff_request(pages, "POST", "/arrangementer", body)
    assert answered["statusCode"] == 422 and f'id="{field}-error"' in answered["body"]
    assert [g.id for g in invited.list_gatherings()] == ["g1"]


def test_staff_give_more_seats_on_the_page_and_the_waiting_list_moves_up_by_letter(pages, invited):
    invited.create_person(volunteer("v2", Stage.MATCHED, first_name="Jonas", email="j@example.dk"), applied(NOW_UTC()))
    invited.add_invitation(
        Invitation(gathering_id="g1", link_id="M" * 43, person_kind="VOLUNTEER", person_id="v2", invited_at=NOW_UTC())
    )
    shown = staff_request(pages, "GET", "/arrangementer/g1")
    assert shown["statusCode"] == 200 and "Mette (frivillig)" in shown["body"]
    invited.update_details("g1", invited.get_gathering("g1").details.model_copy(update={"capacity": 1}))
    invited.answer("g1", "L" * 43, True, NOW_UTC())
    assert invited.answer("g1", "M" * 43, True, NOW_UTC()) is Answer.WAITING
    form = re.sub(r"capacity=\d+", "capacity=2", _form_of(shown["body"]))
    changed = staff_request(pages, "POST", "/arrangementer/g1", form.encode())
    assert changed["statusCode"] == 200 and "Ændringerne er gemt" in changed["body"], changed["body"][-800:]
    assert invited.get_invitation("g1", "M" * 43).answer is Answer.YES
    from email import message_from_string, policy

    from tests.integration.conftest import sent_emails

    subjects = [str(message_from_string(m.raw_data, policy=policy.default)["Subject"]) for m in sent_emails()]
    assert [s for s in subjects if s.startswith("Der er blevet plads til dig")] == [
        "Der er blevet plads til dig: Din første bolig"
    ]


def NOW_UTC() -> datetime:  # noqa: N802 - reads as the moment
    return datetime.now(UTC)


def _form_of(page: str) -> str:
    """The edit form's fields as the browser would send them (the one with do=save)."""
    from urllib.parse import urlencode

    form = page[page.index('value="save"') :]
    form = form[: form.index("</form>")]
    fields: list[tuple[str, str]] = [("do", "save")]
    for name, value in re.findall(
        r'<input type="(?:text|datetime-local|number)" id="\w+" name="(\w+)" value="([^"]*)"', form
    ):
        fields.append((name, value.replace("&amp;", "&")))
    for name, value in re.findall(r'name="(\w+)" value="([^"]*)" checked', form):
        fields.append((name, value))
    for name, value in re.findall(r'<select id="\w+" name="(\w+)"[^>]*>.*?<option value="([^"]*)" selected', form):
        fields.append((name, value))
    return urlencode(fields)
