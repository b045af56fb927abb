"""Reading a request body: whatever the body holds, the answer is the fields or a BadRequest with a
Danish sentence, and reading it takes milliseconds."""

import json

import pytest

from backup.web import http
from backup.web.http import _JSON_TOKENS, MAX_BODY_BYTES, MAX_JSON_DEPTH, BadRequest, json_depth, read_body


def event(body: str, content_type: str = "application/json") -> dict:
    return {"headers": {"Content-Type": content_type}, "body": body, "isBase64Encoded": False}


@pytest.mark.parametrize(
    "text, depth",
    [
        ("{}", 1),
        ('{"a": [1, {"b": []}]}', 4),
        ('{"a": "[[[[[[[[[[[[[[[[[[[[[["}', 1),  # brackets in a string do not count
        ('{"a": "\\"[[[[[[[[[[[[[[[[["}', 1),  # nor after an escaped quote
        ('"unterminated [[[[[[[[[[[[[[[[[[', 0),
        ("[" * 11, MAX_JSON_DEPTH + 1),  # counting stops one past the limit
    ],
)
def test_the_depth_of_json_is_counted_outside_strings(text, depth):
    assert json_depth(text) == depth


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('"\\"' * 21_000, 0),  # an escaped quote, again and again: never closes
        ('"' + "\\" * 64_000, 0),
        ('"a"' * 21_000, 0),
        ("[" * 64_000, MAX_JSON_DEPTH + 1),
        (('{"a":"' + "x" * 50 + '"},') * 1_000, 1),
    ],
    ids=["escaped-quotes", "backslashes", "short-strings", "brackets", "objects"],
)
def test_the_texts_that_make_a_backtracking_pattern_slow_are_counted_right(text, depth):
    """Each of these takes a backtracking pattern exponential time. Ours cannot backtrack: every
    repetition in it is possessive, so one pass over the text decides (the time is a benchmark's
    business, not a test's: these machines are shared)."""
    assert json_depth(text) == depth
    assert "++" in _JSON_TOKENS.pattern and "*+" in _JSON_TOKENS.pattern and "*)" not in _JSON_TOKENS.pattern


def test_a_json_object_is_read_as_its_fields():
    assert read_body(event(json.dumps({"first_name": "Mette", "interests": ["a"]}))) == {
        "first_name": "Mette",
        "interests": ["a"],
    }


@pytest.mark.parametrize(
    "body, status, says",
    [
        ("[" * 10_000 + "]" * 10_000, 400, "for dybt"),
        ("[]", 400, "objekt"),
        ("null", 400, "objekt"),
        ("", 400, "objekt"),
        ('{"a": NaN}', 400, "NaN"),
        ('{"a": ' + "1" * 5_000 + "}", 400, "cifre"),
        ('{"a": 1, "a": 2}', 400, "én gang"),
        ("x" * (MAX_BODY_BYTES + 1), 413, "64 kB"),
        ("\ud800", 400, "UTF-8"),
    ],
    ids=["deep", "list", "null", "empty", "nan", "huge-number", "duplicate", "huge", "lone-surrogate"],
)
def test_a_body_that_is_not_a_form_is_refused_with_a_sentence(body, status, says):
    with pytest.raises(BadRequest) as refused:
        read_body(event(body))
    assert refused.value.status_code == status and says in refused.value.message


def test_a_duplicate_key_is_named_in_the_fields():
    with pytest.raises(BadRequest) as refused:
        read_body(event('{"email": "a@example.org", "email": "b@example.org"}'))
    assert refused.value.fields == {"email": "Feltet må kun stå én gang."}


def test_a_form_post_keeps_its_list_fields_and_refuses_a_repeated_single_field():
    form = "first_name=Mette&interests=a&interests=b&references=x&references=y"
    assert read_body(event(form, "application/x-www-form-urlencoded")) == {
        "first_name": "Mette",
        "interests": ["a", "b"],
        "references": ["x", "y"],
    }
    with pytest.raises(BadRequest) as refused:
        read_body(event(form + "&first_name=Eve", "application/x-www-form-urlencoded"))
    assert refused.value.status_code == 400 and refused.value.fields == {"first_name": "Feltet må kun stå én gang."}


def test_a_base64_body_is_refused_before_it_is_decoded_when_it_is_too_large(monkeypatch):
    huge = {"headers": {"content-type": "application/json"}, "body": "e30=" * 1_000_000, "isBase64Encoded": True}

    def never(*args, **kwargs):
        raise AssertionError("a body over the limit was decoded")

    monkeypatch.setattr(http.base64, "b64decode", never)
    with pytest.raises(BadRequest) as refused:
        read_body(huge)
    assert refused.value.status_code == 413
