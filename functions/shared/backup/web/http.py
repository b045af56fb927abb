"""HTTP edges shared by the web functions: reading a request body safely and answering in
HTML for browsers or JSON for programs."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response

from backup.web.html import message_page

MAX_BODY_BYTES = 64 * 1024
# Fields a form may send more than once; they stay lists.
LIST_FIELDS = frozenset({"interests", "references", "preferences"})


class BadRequest(Exception):
    def __init__(self, status_code: int, message: str):
        super().__init__(message)
        self.status_code = status_code
        self.message = message


def content_type(headers: dict[str, str]) -> str:
    return (headers.get("content-type") or "").split(";")[0].strip().lower()


def wants_json(headers: dict[str, str]) -> bool:
    return content_type(headers) == "application/json" or (
        "application/json" in (headers.get("accept") or "") and "text/html" not in (headers.get("accept") or "")
    )


def read_body(event: dict[str, Any]) -> dict[str, Any]:
    """The request's fields from JSON or a form post; BadRequest with a Danish sentence otherwise."""
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    raw = event.get("body") or ""
    data = base64.b64decode(raw) if event.get("isBase64Encoded") else raw.encode("utf-8")
    if len(data) > MAX_BODY_BYTES:
        raise BadRequest(413, f"Forespørgslen er for stor (højst {MAX_BODY_BYTES // 1024} kB).")
    kind = content_type(headers)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest(400, "Forespørgslen skal være kodet som UTF-8.") from None
    if kind == "application/json":
        try:
            parsed = json.loads(text) if text.strip() else None
        except json.JSONDecodeError as error:
            raise BadRequest(400, f"Ugyldig JSON: {error.msg} (linje {error.lineno}, kolonne {error.colno}).") from None
        if not isinstance(parsed, dict):
            raise BadRequest(400, "JSON-indholdet skal være et objekt med felterne.")
        return parsed
    if kind in {"application/x-www-form-urlencoded", ""} and (kind or not text):
        fields = parse_qs(text, keep_blank_values=True)
        return {k: (v if k in LIST_FIELDS else v[-1]) for k, v in fields.items()}
    raise BadRequest(415, "Send formularen som application/x-www-form-urlencoded eller application/json.")


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


def as_json(status: int, payload: Any) -> Response[str]:
    return Response(
        status_code=status,
        content_type="application/json",
        body=json.dumps(payload, ensure_ascii=False, default=str),
        headers={"Cache-Control": "no-store"},
    )


def problem(status: int, title: str, message: str, as_json_reply: bool) -> Response[str]:
    if as_json_reply:
        return as_json(status, {"error": title, "message": message})
    return html(status, message_page(title, message))
