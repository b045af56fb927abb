"""HTTP edges shared by the web functions: reading a request body safely and answering in
HTML for browsers or JSON for programs."""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any, NoReturn
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response

from backup.web.html import message_page

MAX_BODY_BYTES = 64 * 1024
# Fields a form may send more than once; they stay lists. Any other field sent twice is refused:
# a browser never does it, and taking one of the two silently would store what nobody checked.
LIST_FIELDS = frozenset({"interests", "references", "preferences", "audiences", "came", "with_whom"})
# The forms nest three deep (an object, its references list, a reference object); anything much
# deeper is not a form, and Python's parser would otherwise recurse until it fails.
MAX_JSON_DEPTH = 10
# Both forms have fewer than 30 fields; a post with thousands is not a person filling them in.
MAX_FORM_FIELDS = 200
# Base64 is 4 characters for every 3 bytes: a longer text cannot decode to an acceptable body.
_MAX_BASE64_CHARS = (MAX_BODY_BYTES + 2) // 3 * 4 + 4
# One pass over a JSON text: a whole string (an unterminated one runs to the end) or a bracket.
# Possessive, so no input can make the scan backtrack.
_JSON_TOKENS = re.compile(r'"(?:[^"\\]++|\\.)*+"?|[\[\]{}]', re.DOTALL)
TOO_LARGE = (
    f"Formularen fylder mere, end vi kan tage imod (højst {MAX_BODY_BYTES // 1024} kB). "
    "Gør de lange tekster kortere, og send den igen."
)
NOT_UTF8 = "Forespørgslen skal være kodet som UTF-8; den indeholdt tegn, vi ikke kan læse."
NOT_AN_OBJECT = 'JSON-indholdet skal være et objekt med felterne, fx {"first_name": "Mette"}.'
TOO_DEEP = f"JSON-indholdet er indlejret for dybt (højst {MAX_JSON_DEPTH} niveauer); send felterne i ét objekt."
BAD_NUMBER = "Ugyldig JSON: et tal kan ikke læses (NaN, Infinity eller alt for mange cifre)."
SENT_TWICE = "Feltet må kun stå én gang."
REPEATED_FIELDS = (
    "Formularen blev sendt med det samme felt flere gange, så vi ved ikke, hvilket svar der gælder. "
    "Genindlæs siden, og send formularen igen."
)


class BadRequest(Exception):
    """A request that cannot be read: its status, a Danish sentence, and a message per field when
    a field is the problem."""

    def __init__(self, status_code: int, message: str, fields: dict[str, str] | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.fields = fields or {}


def content_type(headers: dict[str, str]) -> str:
    return (headers.get("content-type") or "").split(";")[0].strip().lower()


def wants_json(headers: dict[str, str]) -> bool:
    return content_type(headers) == "application/json" or (
        "application/json" in (headers.get("accept") or "") and "text/html" not in (headers.get("accept") or "")
    )


def read_body(event: dict[str, Any]) -> dict[str, Any]:
    """The request's fields from JSON or a form post; BadRequest with a Danish sentence otherwise.
    Whatever the body holds, the answer is the fields or BadRequest, never another error."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    data = _raw_bytes(event)
    kind = content_type(headers)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(400, NOT_UTF8) from None
    if kind == "application/json":
        return _json_fields(text)
    if kind in {"application/x-www-form-urlencoded", ""} and (kind or not text):
        return _form_fields(text)
    raise BadRequest(415, "Send formularen som application/x-www-form-urlencoded eller application/json.")


def _raw_bytes(event: dict[str, Any]) -> bytes:
    raw = event.get("body") or ""
    if not isinstance(raw, str):
        raise BadRequest(400, "Forespørgslen kunne ikke læses.")
    if event.get("isBase64Encoded"):
        if len(raw) > _MAX_BASE64_CHARS:  # refused before decoding megabytes
            raise BadRequest(413, TOO_LARGE)
        try:
            data = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            raise BadRequest(400, "Forespørgslens indhold kunne ikke afkodes (base64).") from None
    else:
        if len(raw) > MAX_BODY_BYTES:  # each character is at least one byte
            raise BadRequest(413, TOO_LARGE)
        try:
            data = raw.encode("utf-8")
        except UnicodeEncodeError:
            raise BadRequest(400, NOT_UTF8) from None
    if len(data) > MAX_BODY_BYTES:
        raise BadRequest(413, TOO_LARGE)
    return data


def json_depth(text: str, stop_after: int = MAX_JSON_DEPTH) -> int:
    """How deep a JSON text's arrays and objects nest (brackets inside strings do not count),
    counting no further than one past `stop_after`; linear in the text, whatever it holds."""
    depth = deepest = 0
    for token in _JSON_TOKENS.finditer(text):
        bracket = token.group()
        if bracket in ("[", "{"):
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > stop_after:
                    break
        elif bracket in ("]", "}"):
            depth -= 1
    return deepest


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} er ikke et tal i JSON")


def _json_fields(text: str) -> dict[str, Any]:
    if not text.strip():
        raise BadRequest(400, NOT_AN_OBJECT)
    if json_depth(text) > MAX_JSON_DEPTH:
        raise BadRequest(400, TOO_DEEP)
    duplicates: dict[str, str] = {}

    def unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for key, value in pairs:
            if key in found:
                duplicates[key[:60]] = SENT_TWICE
            found[key] = value
        return found

    try:
        parsed = json.loads(text, object_pairs_hook=unique_keys, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise BadRequest(400, f"Ugyldig JSON: {error.msg} (linje {error.lineno}, kolonne {error.colno}).") from None
    except (ValueError, RecursionError):  # NaN, Infinity, a number of thousands of digits
        raise BadRequest(400, BAD_NUMBER) from None
    if not isinstance(parsed, dict):
        raise BadRequest(400, NOT_AN_OBJECT)
    if duplicates:
        raise BadRequest(400, "Et felt står mere end én gang i JSON-indholdet; send hvert felt én gang.", duplicates)
    return parsed


def _form_fields(text: str) -> dict[str, Any]:
    try:
        fields = parse_qs(text, keep_blank_values=True, errors="strict", max_num_fields=MAX_FORM_FIELDS)
    except UnicodeDecodeError:  # a percent-escape that is not UTF-8 (%FF)
        raise BadRequest(400, NOT_UTF8) from None
    except ValueError:  # more than MAX_FORM_FIELDS fields
        raise BadRequest(400, "Formularen har for mange felter. Udfyld den på siden, og send den igen.") from None
    repeated = {k[:60]: SENT_TWICE for k, v in fields.items() if len(v) > 1 and k not in LIST_FIELDS}
    if repeated:
        raise BadRequest(400, REPEATED_FIELDS, repeated)
    return {k: (v if k in LIST_FIELDS else v[0]) for k, v in fields.items()}


def html(status: int, body: str, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status,
        content_type="text/html; charset=utf-8",
        body=body,
        headers={
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
            "frame-ancestors 'none'; base-uri 'none'",
            # same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on our
            # own form posts; links (which carry capabilities) still never leak to other sites
            "Referrer-Policy": "same-origin",
            **(headers or {}),
        },
    )


def as_json(status: int, payload: Any, headers: dict[str, str] | None = None) -> Response[str]:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(payload, ensure_ascii=False, default=str),
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def problem(
    status: int,
    title: str,
    message: str,
    as_json_reply: bool,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    """A sentence for a person (a page) or a program (JSON, with a message per field if given)."""
    if as_json_reply:
        payload: dict[str, Any] = {"error": title, "message": message}
        if fields:
            payload["fields"] = fields
        return as_json(status, payload, headers)
    return html(status, message_page(title, message), headers)
