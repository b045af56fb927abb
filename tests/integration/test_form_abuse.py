"""The two public forms against abuse, through the real handler on moto: ten identical submissions at
once store one person; one address gets at most a few applications a day, answered kindly after
that; a name can never carry a line break or a link into an email; and no JSON of any shape, nor
any form post, gets a 5xx."""

from __future__ import annotations

import hashlib
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backup.domain.kinds import RecordKind
from backup.domain.submission_limits import APPLICATIONS_PER_EMAIL_PER_DAY, REFERRALS_PER_EMAIL_PER_DAY
from local_stack.client import SAMPLE_APPLICATION

from .conftest import VOLUNTEER_MACHINE, YOUTH_MACHINE, Clock, executions, post_form
from .test_referral_handler import REFERRAL


def post(intake: Any, path: str, payload: Any, **request: Any) -> dict[str, Any]:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return post_form(intake, path, body=body, **request)


def answer(response: dict[str, Any]) -> dict[str, Any]:
    return json.loads(response["body"])


def items(table: str, prefix: str) -> list[dict[str, Any]]:
    return [i for i in boto3.resource("dynamodb").Table(table).scan()["Items"] if str(i["pk"]).startswith(prefix)]


def people(table: str, kind: str = "VOLUNTEER") -> list[dict[str, Any]]:
    return [i for i in items(table, f"{kind}#") if i["sk"] == "PROFILE"]


def application(email: str = "mette.hansen@example.org", n: int = 0, **changes: Any) -> dict[str, Any]:
    """A valid application; `n` makes it a different one from the same person."""
    motivation = SAMPLE_APPLICATION["motivation"] + (f" Forsøg {n}." if n else "")
    return {**SAMPLE_APPLICATION, "email": email, "motivation": motivation, **changes}


def referral(contact: str = "lone@opholdssted.example", n: int = 0, **changes: Any) -> dict[str, Any]:
    wishes = REFERRAL["wishes"] + (f" Nummer {n}." if n else "")
    return {**REFERRAL, "contact_adult_email": contact, "wishes": wishes, **changes}


# --- ten identical submissions at once ------------------------------------------------------------


def at_once(count: int, call: Any) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    start = threading.Barrier(count)

    def run() -> None:
        start.wait()
        results.append(call())

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def hold_the_first_start(intake: Any, kind: RecordKind) -> tuple[threading.Event, threading.Event]:
    """The first run to start waits until released: its submission stays in flight meanwhile."""
    executions_port = intake._intake().executions[kind]
    original = executions_port.start
    entered, release = threading.Event(), threading.Event()

    def start(*args: Any, **kwargs: Any) -> str:
        entered.set()
        assert release.wait(30)
        return str(original(*args, **kwargs))

    executions_port.start = start
    return entered, release


@pytest.mark.parametrize(
    "path, payload, kind, machine",
    [
        ("/apply", application(), RecordKind.VOLUNTEER, VOLUNTEER_MACHINE),
        ("/refer", referral(), RecordKind.YOUTH, YOUTH_MACHINE),
    ],
    ids=["application", "referral"],
)
def test_nine_copies_arriving_while_the_first_is_stored_get_a_kind_409_and_one_person_is_stored(
    intake, table, monkeypatch, path, payload, kind, machine
):
    monkeypatch.setattr(intake, "IN_PROGRESS_WAIT_SECONDS", 0.3)
    entered, release = hold_the_first_start(intake, kind)
    first: list[dict[str, Any]] = []
    thread = threading.Thread(target=lambda: first.append(post(intake, path, payload)))
    thread.start()
    assert entered.wait(30)
    copies = at_once(9, lambda: post(intake, path, payload))
    release.set()
    thread.join()
    assert first[0]["statusCode"] == 201
    assert [r["statusCode"] for r in copies] == [409] * 9
    for copy in copies:
        assert "behøver ikke sende den igen" in answer(copy)["message"]
    assert len(people(table, kind.value)) == 1 and len(executions(machine)) == 1


@pytest.mark.parametrize(
    "path, payload, kind, machine, key",
    [
        ("/apply", application(), RecordKind.VOLUNTEER, VOLUNTEER_MACHINE, "application_id"),
        ("/refer", referral(), RecordKind.YOUTH, YOUTH_MACHINE, "youth_id"),
    ],
    ids=["application", "referral"],
)
def test_ten_identical_submissions_at_once_get_the_same_answer_and_store_one_person(
    intake, table, path, payload, kind, machine, key
):
    post(intake, path, application("warm.up@example.org") if kind is RecordKind.VOLUNTEER else referral("w@x.dk"))
    entered, release = hold_the_first_start(intake, kind)
    threading.Timer(0.5, release.set).start()  # the first finishes while the others wait for it
    responses = at_once(10, lambda: post(intake, path, payload))
    assert [r["statusCode"] for r in responses] == [201] * 10
    assert len({answer(r)[key] for r in responses}) == 1
    assert len(people(table, kind.value)) == 2 and len(executions(machine)) == 2  # the warm-up and this one


def test_a_double_click_in_a_browser_shows_the_receipt_not_an_error(intake, table):
    # the double click on "Send ansøgningen", the check page's button that sends
    form = {**{k: ("yes" if v is True else v) for k, v in application().items()}, "step": "send"}
    body = urlencode(form, doseq=True).encode()
    entered, release = hold_the_first_start(intake, RecordKind.VOLUNTEER)
    threading.Timer(0.3, release.set).start()
    pages = at_once(
        2, lambda: post(intake, "/apply", body, content_type="application/x-www-form-urlencoded", accept="text/html")
    )
    assert [p["statusCode"] for p in pages] == [201, 201]
    assert all("Tak for din ansøgning" in p["body"] for p in pages)
    assert len(people(table)) == 1


# --- at most a few a day from one address ---------------------------------------------------------


def test_an_address_gets_three_applications_a_day_and_the_fourth_is_answered_kindly_and_stored_nowhere(intake, table):
    ids = [answer(post(intake, "/apply", application(n=n)))["application_id"] for n in range(3)]
    assert len(set(ids)) == APPLICATIONS_PER_EMAIL_PER_DAY == 3
    before = boto3.resource("dynamodb").Table(table).scan()["Items"]

    fourth = post(intake, "/apply", application(n=4))
    assert fourth["statusCode"] == 429
    message = answer(fourth)["message"]
    assert "allerede modtaget 3 ansøgninger" in message and "drift@rodekors.example" in message
    assert "du ikke selv har sendt dem" in message
    assert 0 < int(fourth["headers"]["Retry-After"]) <= 25 * 3600
    assert boto3.resource("dynamodb").Table(table).scan()["Items"] == before  # nothing stored, not even counted
    assert len(executions(VOLUNTEER_MACHINE)) == 3  # nothing started, so nothing sent

    page = post(
        intake,
        "/apply",
        urlencode(
            {**{k: ("yes" if v is True else v) for k, v in application(n=5).items()}, "step": "send"}, doseq=True
        ).encode(),
        content_type="application/x-www-form-urlencoded",
        accept="text/html",
    )
    assert page["statusCode"] == 429 and "Ansøgningen blev ikke gemt" in page["body"]


def test_over_the_limit_a_double_click_of_an_earlier_application_still_gets_its_own_id(intake, table):
    first = answer(post(intake, "/apply", application(n=0)))["application_id"]
    for n in (1, 2):
        post(intake, "/apply", application(n=n))
    again = post(intake, "/apply", application(n=0))
    assert again["statusCode"] == 201 and answer(again)["application_id"] == first
    assert post(intake, "/apply", application(n=3))["statusCode"] == 429
    assert len(people(table)) == 3


def test_the_same_inbox_in_other_spellings_counts_as_one_address(intake):
    for n in range(3):
        assert post(intake, "/apply", application(n=n))["statusCode"] == 201
    for email in ("Mette.Hansen@Example.org", "mette.hansen+bestil@example.org", " mette.hansen@EXAMPLE.ORG "):
        assert post(intake, "/apply", application(email, n=9))["statusCode"] == 429, email


def test_the_limit_starts_again_the_next_day_and_counts_each_address_on_its_own(intake, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(intake._intake(), "now", clock)
    for n in range(3):
        post(intake, "/apply", application(n=n))
    assert post(intake, "/apply", application(n=3))["statusCode"] == 429
    assert post(intake, "/apply", application("bo.holm@example.org", n=3))["statusCode"] == 201
    clock.at += timedelta(days=1)
    assert post(intake, "/apply", application(n=3))["statusCode"] == 201


def test_the_count_is_kept_two_days_under_a_digest_never_the_address(intake, table, monkeypatch):
    clock = Clock()
    monkeypatch.setattr(intake._intake(), "now", clock)
    for n in range(2):
        post(intake, "/apply", application(n=n))
    post(intake, "/refer", referral())
    limits = items(table, "LIMIT#")
    digest = hashlib.sha256(b"mette.hansen@example.org").hexdigest()
    (counted,) = [i for i in limits if i["pk"] == f"LIMIT#{digest}"]
    assert counted["sk"] == "2026-11-26" and int(counted["count"]) == 2 and len(counted["submissions"]) == 2
    midnight = datetime(2026, 11, 26, tzinfo=UTC)
    assert int(counted["expires_at"]) == int((midnight + timedelta(days=2)).timestamp())
    stored = json.dumps(limits, default=str)
    for secret in ("mette", "example.org", "lone", "opholdssted", SAMPLE_APPLICATION["motivation"][:20]):
        assert secret not in stored.lower()


def test_a_contact_adult_may_refer_five_young_people_a_day_and_is_told_whom_to_write_to_for_more(intake, table):
    for n in range(REFERRALS_PER_EMAIL_PER_DAY):
        assert post(intake, "/refer", referral(n=n, first_name=f"Ung{chr(65 + n)}"))["statusCode"] == 201
    sixth = post(intake, "/refer", referral(n=6))
    assert sixth["statusCode"] == 429
    assert "henvise flere unge i dag" in answer(sixth)["message"]
    assert len(people(table, "YOUTH")) == 5 and len(executions(YOUTH_MACHINE)) == 5


def test_an_invalid_submission_does_not_use_up_the_limit(intake):
    for n in range(5):
        assert post(intake, "/apply", application(n=n, postcode="0000"))["statusCode"] == 422
    assert post(intake, "/apply", application())["statusCode"] == 201


# --- names and one-line fields never carry a line break or a link into an email ------------------


def test_a_referral_whose_first_name_holds_a_line_break_is_refused_before_any_email(intake, table):
    response = post(intake, "/refer", referral(first_name="Sara\r\nBcc: alle@example.org"))
    assert response["statusCode"] == 422
    assert answer(response)["fields"]["first_name"].startswith("Fornavnet skal stå på én linje")
    assert people(table, "YOUTH") == [] and executions(YOUTH_MACHINE) == []


@pytest.mark.parametrize(
    "field, value, says",
    [
        ("first_name", "Mette https://red-cross-refund.example", "links eller webadresser"),
        ("first_name", "Mette, besøg www.svindel.dk", "links eller webadresser"),
        ("first_name", "Mette svindel.dk", "links eller webadresser"),
        ("last_name", "Hansen\u202egnp.exe", "usynlige tegn"),
        ("city", "Aarhus\u200b C", "usynlige tegn"),
        ("address", "Vestergade 1\x00", "styretegn"),
        ("phone", "12345678\n", None),  # a trailing line break is only whitespace, and goes
    ],
)
def test_an_applicant_is_told_what_is_wrong_with_a_one_line_field(intake, table, field, value, says):
    response = post(intake, "/apply", application(**{field: value}))
    if says is None:
        assert response["statusCode"] == 201
        return
    assert response["statusCode"] == 422
    assert says in answer(response)["fields"][field]
    assert people(table) == []


def test_motivation_keeps_its_line_breaks_and_may_mention_a_website(intake, table):
    motivation = "Jeg træner U17 i Aarhus.\r\n\r\nSe gerne klubben på www.klub.dk\ttak."
    response = post(intake, "/apply", application(motivation=motivation))
    assert response["statusCode"] == 201
    (person,) = people(table)
    assert person["details"]["motivation"] == "Jeg træner U17 i Aarhus.\n\nSe gerne klubben på www.klub.dk\ttak."


def test_an_emoji_escaped_as_a_surrogate_pair_is_still_text(intake):
    motivation = SAMPLE_APPLICATION["motivation"] + " 😀"
    body = json.dumps(application(motivation=motivation), ensure_ascii=True).encode()
    assert b"\\ud83d\\ude00" in body
    assert post(intake, "/apply", body)["statusCode"] == 201


def test_a_form_post_may_still_send_its_list_fields_more_than_once(intake):
    body = urlencode({k: ("yes" if v is True else v) for k, v in application().items()}, doseq=True)
    assert body.count("interests=") == 3 and body.count("references=") == 2
    response = post(intake, "/apply", body.encode(), content_type="application/x-www-form-urlencoded")
    assert response["statusCode"] == 201


# --- whatever arrives, never a 5xx ----------------------------------------------------------------

# any text, lone surrogates and controls included (they reach us as JSON escapes)
TEXT = st.text(st.characters(exclude_categories=()), max_size=30)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=12
)
DATE_BOXES = {f"birth_date-{part}" for part in ("day", "month", "year")}
FORM_FIELDS = sorted(set(SAMPLE_APPLICATION) | set(REFERRAL) | {"website", "gender"} | DATE_BOXES)


def bodies(valid: dict[str, Any]) -> st.SearchStrategy[Any]:
    return st.one_of(
        JSON,  # any shape at all
        st.dictionaries(st.sampled_from(FORM_FIELDS), JSON, max_size=8),  # the forms' fields, any values
        # a valid submission with a few fields swapped for anything
        st.dictionaries(st.sampled_from(sorted(valid)), JSON, min_size=1, max_size=3).map(
            lambda swapped: {**valid, **swapped}
        ),
    )


FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(apply=bodies(SAMPLE_APPLICATION), refer=bodies(REFERRAL))
def test_no_json_of_any_shape_gets_a_5xx_from_either_form(intake, apply, refer):
    for path, payload in (("/apply", apply), ("/refer", refer)):
        response = post(intake, path, json.dumps(payload).encode())
        assert response["statusCode"] < 500, (path, payload, response["body"][:300])
        assert answer(response)


FORM_VALUES = st.lists(
    TEXT.filter(lambda text: not any("\ud800" <= c <= "\udfff" for c in text)), min_size=1, max_size=3
)


@FAST
@given(
    fields=st.dictionaries(st.sampled_from(FORM_FIELDS), FORM_VALUES, max_size=10),
    path=st.sampled_from(["/apply", "/refer"]),
)
def test_no_form_post_gets_a_5xx_and_the_page_it_gets_back_is_whole(intake, fields, path):
    body = urlencode(fields, doseq=True).encode()
    response = post(intake, path, body, content_type="application/x-www-form-urlencoded", accept="text/html")
    assert response["statusCode"] < 500, (fields, response["body"][:300])
    assert response["body"].rstrip().endswith("</html>")


def test_the_deepest_json_is_refused_by_counting_before_anything_parses_it(intake, monkeypatch):
    """How deep is counted in one pass over the text (tests/unit/test_http_edges.py); the parser,
    which would recurse 32,000 levels, is never reached. No clock: the machine may be busy."""
    from backup.web import http

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the JSON parser was reached")

    monkeypatch.setattr(http.json, "loads", never)
    body = b"[" * 32_000 + b"]" * 32_000
    response = post(intake, "/apply", body)
    monkeypatch.undo()  # the parser back, to read the answer
    assert response["statusCode"] == 400 and "for dybt" in answer(response)["message"]
