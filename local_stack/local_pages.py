"""Pages that exist only on the local stack: the outbox (every email SES accepted), the ops pages
(local_stack.ops_pages) and an index."""

from __future__ import annotations

import json
import re
from html import escape
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from local_stack import ops_pages

if TYPE_CHECKING:
    from local_stack.stack import LocalStack

_URL = re.compile(r"(https?://[^\s<]+)")
STYLE = (
    "body{font:1rem/1.5 system-ui,sans-serif;max-width:60rem;margin:0 auto;padding:1rem;color:#1a1a1a}"
    "article{border:1px solid #bbb;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}"
    "pre{white-space:pre-wrap;font:inherit}a{color:#8a0010}h1{font-size:1.5rem}"
    ".meta{color:#4a4a4a;font-size:.9rem}"
)


def _page(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="da"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>"
    ).encode()


def _linkify(text: str) -> str:
    return _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escape(text))


def outbox_html(messages: list[dict[str, Any]]) -> bytes:
    items = (
        "".join(
            f"<article><h2>{escape(m['subject'])}</h2>"
            f'<p class="meta">Til {escape(m["to"])} · sendt {escape(m["sent_at"])}</p>'
            f"<pre>{_linkify(m['text'])}</pre></article>"
            for m in reversed(messages)
        )
        or '<p>Ingen e-mails endnu. Send en ansøgning på <a href="/apply">/apply</a>.</p>'
    )
    return _page(
        "Udbakke (lokal)",
        f"<h1>Udbakke: {len(messages)} e-mail(s), nyeste først</h1>"
        f'<p><a href="/_local/outbox.json">Som JSON</a></p>{items}',
    )


def index_html(stack: LocalStack) -> bytes:
    machine = stack.state_machines.get("VolunteerStateMachine", "")
    return _page(
        "BackUp lokalt",
        f"""<h1>BackUp: den lokale stak</h1><ul>
<li><a href="/apply">Ansøgningsskemaet</a> (/apply)</li>
<li><a href="/_local/outbox">Udbakken</a>: alle e-mails, også dem til konsulenterne</li>
<li><a href="/_local/ops">Ops</a>: hvem venter hvor og hvor længe, og hver persons historik og execution
(som <code>backup-ops</code> og AWS-konsollen viser dem)</li>
<li>AWS-endpoint: <code>{escape(stack.endpoint)}</code>, fx
<code>aws --endpoint-url {escape(stack.endpoint)} stepfunctions list-executions
--state-machine-arn {escape(machine)}</code></li>
</ul>""",
    )


def _json(status: int, payload: Any) -> tuple[int, str, bytes]:
    return status, "application/json", json.dumps(payload, ensure_ascii=False).encode()


def faults(stack: LocalStack, method: str, body: bytes) -> tuple[int, str, bytes]:
    """GET lists the injected failures still pending; POST adds one:
    {"function": "WorkflowFunction", "action": "finish", "times": 1, "error": "InjectedFault"}."""
    if method == "GET":
        return _json(200, stack.faults.pending())
    try:
        spec = json.loads(body or b"{}")
        return _json(201, stack.faults.add(spec))
    except (ValueError, KeyError, TypeError) as bad:
        return _json(400, {"message": f"a fault needs at least a function name and a whole number of times: {bad}"})


def serve(stack: LocalStack, method: str, target: str, body: bytes = b"") -> tuple[int, str, bytes]:
    path = urlsplit(target).path.rstrip("/")
    if path == "/_local/faults" and method in {"GET", "POST"}:
        return faults(stack, method, body)
    if method not in {"GET", "HEAD"}:
        return 405, "application/json", b'{"message":"Method Not Allowed"}'
    if path == "/_local/outbox.json":
        return 200, "application/json", json.dumps(stack.outbox.messages(), ensure_ascii=False).encode()
    if path == "/_local/outbox":
        return 200, "text/html; charset=utf-8", outbox_html(stack.outbox.messages())
    if path == "/_local":
        return 200, "text/html; charset=utf-8", index_html(stack)
    page = ops_pages.serve(stack, path)
    if page is not None:
        return page
    return 404, "application/json", b'{"message":"Not Found"}'
