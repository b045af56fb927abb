"""/_local/ops: what ops see with `backup-ops` and in the AWS console, as pages of the local stack.

GET /_local/ops                everyone waiting, stage by stage (longest first), and who is past their
                               stage's limit (the default limits, as `backup-ops stuck`)
GET /_local/ops.json           the same as JSON
GET /_local/ops/<kind>/<id>    one record (kind: volunteer, youth or match): the record, its history,
                               where its execution stands, the execution's events and its console address

The data comes from backup_ops.views, the same functions the command line prints, through the
stack's own AWS endpoint: nothing here reads DynamoDB or Step Functions by itself.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import UTC
from html import escape
from typing import TYPE_CHECKING, Any

from backup.domain import clock
from backup.domain.kinds import RecordKind
from backup.domain.stage_limits import DEFAULT_STAGE_LIMIT_DAYS
from backup_ops import views
from backup_ops.cli import waited
from backup_ops.discovery import OpsError, Target, connect, explain

if TYPE_CHECKING:
    from local_stack.stack import LocalStack


def _prefix(kind: str) -> str:
    try:
        return RecordKind.read(kind).prefix
    except ValueError:
        return kind.lower()


def _noun(kind: str) -> str:
    try:
        return RecordKind.read(kind).noun
    except ValueError:
        return kind.lower()


REGION = "eu-west-1"
STACK = "backup-local"
HTML = "text/html; charset=utf-8"
DETAIL = re.compile(r"^/_local/ops/([A-Za-z_-]+)/([A-Za-z0-9_-]{1,64})$")

STYLE = (
    "body{font:1rem/1.5 system-ui,sans-serif;max-width:72rem;margin:0 auto;padding:1rem;color:#1a1a1a}"
    "a{color:#8a0010}h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.2rem;margin:1.75rem 0 .5rem}"
    "h3{font-size:1.05rem;margin:1.25rem 0 .25rem}"
    "table{border-collapse:collapse;width:100%;margin:.25rem 0 1rem;font-size:.92rem}"
    "th,td{text-align:left;vertical-align:top;padding:.3rem .6rem;border-bottom:1px solid #ddd}"
    "th{background:#f3f3f3;font-weight:600}table.record th{width:12rem;background:none}"
    "td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}"
    "code,.mono{font-family:ui-monospace,monospace;font-size:.88rem;overflow-wrap:anywhere}"
    ".meta{color:#4a4a4a;font-size:.9rem}.empty{color:#4a4a4a;font-style:italic}"
    ".flag{display:inline-block;padding:0 .4rem;border-radius:4px;background:#8a0010;color:#fff;"
    "font-size:.85rem;font-weight:600}.ok{color:#1d6b2f}tr.bad td{background:#fdecee}"
    "nav{font-size:.9rem;margin-bottom:.5rem}.time{white-space:nowrap}pre{white-space:pre-wrap;overflow-wrap:anywhere;"
    "background:#f6f6f6;padding:.5rem .75rem;border-radius:4px}"
)

_lock = threading.Lock()  # one page at a time: the cached Target's boto3 resource is not thread-safe
_targets: dict[str, Target] = {}


def target(stack: LocalStack) -> Target:
    """The stack seen as ops see it, connected once (the Target caches its clients and configuration)."""
    if stack.endpoint not in _targets:
        _targets[stack.endpoint] = connect(endpoint_url=stack.endpoint, region=REGION, stack=STACK)
    return _targets[stack.endpoint]


# --- formatting ----------------------------------------------------------------------------------


def _page(title: str, body: str) -> bytes:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{escape(title)}</title>'
        f"<style>{STYLE}</style></head><body><main>{body}</main></body></html>"
    ).encode()


def _time(value: Any) -> str:
    """An ISO time as 'YYYY-MM-DD HH:MM:SS' UTC (the stored value in the title)."""
    if not value:
        return "-"
    text = str(value)
    try:
        shown = clock.parse(text).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")
    except ValueError:
        shown = text
    return f'<span class="time" title="{escape(text)}">{escape(shown)}</span>'


def _days(days: float | None) -> str:
    if days is None:
        return "-"
    return f"{days:.2f}" if days >= 0.01 else f"{days:.6f}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return escape(
            ", ".join(str(v) if not isinstance(v, (dict, list)) else json.dumps(v, ensure_ascii=False) for v in value)
        )
    if isinstance(value, dict):
        return f"<code>{escape(json.dumps(value, ensure_ascii=False))}</code>"
    return escape("-" if value is None or value == "" else str(value))


def _table(headers: list[str], rows: list[list[str]], empty: str, css: str = "") -> str:
    """Cells are HTML already escaped by the caller; a row whose first cell starts with '!' is marked."""
    if not rows:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = ""
    for row in rows:
        bad = bool(row) and row[0].startswith("!")
        cells = [row[0][1:] if bad else row[0], *row[1:]] if row else []
        body += ('<tr class="bad">' if bad else "<tr>") + "".join(cells) + "</tr>"
    opening = f'<table class="{css}">' if css else "<table>"
    return f"{opening}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _td(html: str, css: str = "") -> str:
    return f'<td class="{css}">{html}</td>' if css else f"<td>{html}</td>"


def _path(kind: str, application_id: str) -> str:
    return f"/_local/ops/{escape(_prefix(kind))}/{escape(application_id)}"


def _person_link(kind: str, application_id: str) -> str:
    return f'<a href="{_path(kind, application_id)}"><code>{escape(application_id)}</code></a>'


def _flag(row: dict[str, Any]) -> str:
    flags = []
    if row.get("needs_ops"):
        flags.append(f'<span class="flag">needs ops</span> {escape(str(row["needs_ops"]))} failed')
    if row.get("escalated"):
        flags.append('<span class="flag">escalated</span> no decision after the last reminder')
    return "<br>".join(flags) or '<span class="ok">no</span>'


# --- the overview --------------------------------------------------------------------------------


def overview(t: Target) -> dict[str, Any]:
    """What /_local/ops shows: everyone waiting (with the needs-ops flags) and who is stuck."""
    now = clock.now()
    people = views.with_attention(t, views.list_people(t, now=now))
    stuck = views.stuck(t, DEFAULT_STAGE_LIMIT_DAYS, now=now)
    return {
        "generated_at": clock.iso(now),
        "people": people,
        "stuck": stuck,
        "limits_days": {stage.value: days for stage, days in DEFAULT_STAGE_LIMIT_DAYS.items()},
    }


def _people_rows(rows: list[dict[str, Any]], with_limit: bool = False) -> list[list[str]]:
    lines = []
    for row in rows:
        needs = bool(row.get("needs_ops") or row.get("escalated"))
        first = ("!" if needs else "") + _td(_person_link(row["kind"], row["application_id"]))
        line = [
            first,
            _td(escape(_noun(row["kind"]))),
            _td(_days(row["days_waiting"]), "num"),
            _td(escape(waited(row["days_waiting"])), "num"),
            _td(_time(row["stage_since"])),
        ]
        if with_limit:
            line += [
                _td(escape(row["stage"])),
                _td(_days(row["limit_days"]), "num"),
                _td(escape(waited(row["over_by_days"])), "num"),
            ]
        else:
            line.append(_td(_flag(row)))
        lines.append(line)
    return lines


def overview_html(data: dict[str, Any]) -> bytes:
    people: list[dict[str, Any]] = data["people"]
    flagged = sum(1 for row in people if row.get("needs_ops") or row.get("escalated"))
    sections = []
    for stage in views.open_stages():
        rows = [row for row in people if row["stage"] == stage.value]
        heading = f'{escape(stage.value)} <span class="meta">({escape(stage.label)}): {len(rows)}</span>'
        sections.append(
            f'<h3 id="{escape(stage.value)}">{heading}</h3>'
            + _table(
                ["ID", "Kind", "Days waiting", "Waiting", "In stage since (UTC)", "Needs ops"],
                _people_rows(rows),
                f"Nobody is waiting in {stage.value}.",
            )
        )
    limits = ", ".join(f"{stage}: {days:g} d" for stage, days in data["limits_days"].items())
    stuck = _table(
        ["ID", "Kind", "Days waiting", "Waiting", "In stage since (UTC)", "Stage", "Limit (days)", "Over by"],
        _people_rows(data["stuck"], with_limit=True),
        "Nobody has waited longer than their stage's limit.",
    )
    body = f"""<nav><a href="/_local">/_local</a> · <a href="/_local/outbox">outbox</a> ·
<a href="/_local/ops.json">this page as JSON</a></nav>
<h1>Ops: who waits where</h1>
<p class="meta">What <code>backup-ops list</code> and <code>backup-ops stuck</code> show,
as of {_time(data["generated_at"])} UTC. Longest-waiting first in each stage; open an ID for its record,
history and execution. Locally, steps wait seconds, not days.</p>
<p>{len(people)} waiting · {flagged} needing ops · {len(data["stuck"])} past their stage's limit</p>
<h2>Past their stage's limit (stuck)</h2>
<p class="meta">Default limits: {escape(limits)}.</p>
{stuck}
<h2>Everyone waiting, per stage</h2>
{"".join(sections)}"""
    return _page("Ops: who waits where (local)", body)


# --- one record ----------------------------------------------------------------------------------


def detail(t: Target, kind: str, application_id: str) -> dict[str, Any]:
    person = views.show_person(t, application_id, kind=kind)
    person["execution"]["events"] = views.execution_events(t, application_id, person["kind"])
    return person


def _details_rows(details: dict[str, Any]) -> list[list[str]]:
    rows = []
    for key, value in details.items():
        if key in {"youth_id", "volunteer_id"} and isinstance(value, str):
            shown = _person_link("YOUTH" if key == "youth_id" else "VOLUNTEER", value)
        elif key in {"chosen", "alternatives"}:
            shown = f"<code>{escape(json.dumps(value, ensure_ascii=False))}</code>"
        else:
            shown = _text(value)
        rows.append([f"<th>{escape(key)}</th>", _td(shown)])
    return rows


def detail_html(person: dict[str, Any]) -> bytes:
    kind, application_id = person["kind"], person["application_id"]
    noun = _noun(kind)
    details = person.get("details", {})
    name = " ".join(str(details.get(k, "")) for k in ("first_name", "last_name")).strip()
    title = f"{noun[:1].upper()}{noun[1:]} {application_id}" + (f" – {name}" if name else "")

    step = person.get("open_step")
    if step:
        open_text = f"{escape(step['stage'])} (state <em>{escape(step['state_name'])}</em>)"
        if step.get("sent_to"):
            status = escape(str(step.get("link_status", "")).lower())
            open_text += (
                f": link sent to {escape(step['sent_to'])} at {_time(step.get('sent_at'))}, "
                f"{status}, expires {_time(step.get('expires_at'))}"
            )
    else:
        open_text = "none"
    days = person.get("days_waiting")
    record = [
        [
            "<th>stage</th>",
            _td(
                f"<strong>{escape(person['stage'])}</strong> ({escape(person['stage_label'])}) "
                f"since {_time(person.get('stage_since'))} UTC"
            ),
        ],
        ["<th>days waiting</th>", _td(f"{_days(days)} ({escape(waited(days))})")],
        ["<th>needs ops</th>", _td(_flag(person))],
        ["<th>applied</th>", _td(_time(person.get("applied_at")))],
        ["<th>consultant</th>", _td(_text(person.get("consultant")))],
        ["<th>open step</th>", _td(open_text)],
        ["<th>reminders sent</th>", _td(_text(person.get("reminders_sent", 0)))],
        ["<th>withdrawal</th>", _td("requested" if person.get("withdrawal_requested") else "not requested")],
    ]

    history = []
    for event in person.get("history", []):
        extra = "; ".join(
            filter(
                None,
                [
                    ", ".join(f"{k}={v}" for k, v in event.get("details", {}).items()),
                    f"notes: {event['notes']}" if event.get("notes") else "",
                ],
            )
        )
        history.append(
            [
                _td(_time(event.get("at"))),
                _td(escape(str(event.get("kind", "")))),
                _td(_text(event.get("stage"))),
                _td(_text(event.get("by"))),
                _td(escape(extra)),
            ]
        )

    execution = person["execution"]
    status = str(execution.get("status"))
    running = status == "RUNNING"
    where = [
        ["<th>name</th>", _td(f"<code>{escape(execution['name'])}</code>")],
        ["<th>status</th>", _td(f"<strong>{escape(status)}</strong>")],
    ]
    if execution.get("current_state"):
        where.append(
            [
                f"<th>{'current state' if running else 'last state'}</th>",
                _td(
                    f"<strong>{escape(execution['current_state'])}</strong> since "
                    f"{_time(execution.get('current_state_since'))} UTC"
                ),
            ]
        )
    if execution.get("started"):
        where.append(["<th>started</th>", _td(_time(execution.get("started")))])
    if execution.get("stopped"):
        where.append(["<th>stopped</th>", _td(_time(execution.get("stopped")))])
    if execution.get("error"):
        where.append(["<th>error</th>", _td(escape(f"{execution['error']}: {execution.get('cause') or ''}"))])
    where += [
        ["<th>ARN</th>", _td(f"<code>{escape(execution['arn'])}</code>")],
        [
            "<th>in the AWS console</th>",
            _td(
                f'<a href="{escape(execution["console_url"])}"><code>{escape(execution["console_url"])}</code></a>'
                '<br><span class="meta">where this execution would be in AWS; locally there is no console</span>'
            ),
        ],
    ]
    events = []
    for event in execution.get("events", []):
        failed = any(word in str(event.get("type", "")) for word in ("Failed", "TimedOut", "Aborted"))
        extra = event.get("resource") or ""
        if event.get("error"):
            extra = f"{event['error']}: {event.get('cause', '')}".strip().rstrip(":")
        events.append(
            [
                ("!" if failed else "") + _td(str(event.get("id", "")), "num"),
                _td(_time(event.get("at"))),
                _td(escape(str(event.get("type", "")))),
                _td(_text(event.get("state"))),
                _td(f'<span class="mono">{escape(str(extra))}</span>' if extra else ""),
            ]
        )

    pk = f"{kind}#{application_id}"
    cli = "\n".join(
        [
            f"backup-ops show {application_id} --kind {_prefix(kind)} --endpoint-url $AWS_ENDPOINT_URL",
            f"aws stepfunctions get-execution-history --execution-arn {execution['arn']}",
            'aws dynamodb query --table-name backup-local-Table --key-condition-expression "pk = :p" '
            f'--expression-attribute-values \'{{":p":{{"S":"{pk}"}}}}\'',
        ]
    )
    body = f"""<nav><a href="/_local/ops">← everyone waiting</a> · <a href="/_local">/_local</a></nav>
<h1>{escape(title)}</h1>
<p class="meta">What <code>backup-ops show</code> prints, with the execution's events as the console's
“Events” tab lists them.</p>
<h2>Record</h2>
<table class="record"><tbody>{"".join("<tr>" + "".join(r) + "</tr>" for r in record)}</tbody></table>
<h3>Details</h3>
<table class="record"><tbody>{"".join("<tr>" + "".join(r) + "</tr>" for r in _details_rows(details))}</tbody></table>
<h2>History <span class="meta">(DynamoDB: <code>pk = {escape(pk)}</code>, oldest first)</span></h2>
{_table(["Time (UTC)", "Event", "Stage", "By", "Details"], history, "No history yet.")}
<h2>Execution <span class="meta">(Step Functions)</span></h2>
<table class="record"><tbody>{"".join("<tr>" + "".join(r) + "</tr>" for r in where)}</tbody></table>
<h3>Events <span class="meta">({len(events)}, oldest first)</span></h3>
{_table(["ID", "Time (UTC)", "Type", "State", "Resource / error"], events, "The execution has not started.")}
<h3>The same from a terminal</h3>
<p class="meta">With <code>AWS_ENDPOINT_URL</code> set to the stack's AWS endpoint and any credentials:</p>
<pre class="mono">{escape(cli)}</pre>"""
    return _page(f"{title} (ops, local)", body)


# --- routing -------------------------------------------------------------------------------------


def _error_page(status: int, sentence: str) -> tuple[int, str, bytes]:
    title = "Not found" if status == 404 else "Ops page unavailable"
    return (
        status,
        HTML,
        _page(
            title,
            f'<nav><a href="/_local/ops">← everyone waiting</a></nav><h1>{escape(title)}</h1><p>{escape(sentence)}</p>',
        ),
    )


def serve(stack: LocalStack, path: str) -> tuple[int, str, bytes] | None:
    """The ops page for `path` (without query or trailing slash), or None when it is not one of them."""
    if path not in {"/_local/ops", "/_local/ops.json"} and not path.startswith("/_local/ops/"):
        return None
    try:
        with _lock:
            t = target(stack)
            if path == "/_local/ops.json":
                return 200, "application/json", json.dumps(overview(t), ensure_ascii=False).encode()
            if path == "/_local/ops":
                return 200, HTML, overview_html(overview(t))
            found = DETAIL.match(path)
            if not found:
                return _error_page(404, "There is no ops page at this address; see /_local/ops.")
            try:
                kind = views.person_kind(found.group(1))
            except OpsError:
                return _error_page(
                    404, f"'{found.group(1)}' is not a kind of record; the kinds are volunteer, youth and match."
                )
            try:
                person = detail(t, kind, found.group(2))
            except OpsError as error:
                if str(error).startswith("There is no "):
                    return _error_page(404, str(error))
                raise
            return 200, HTML, detail_html(person)
    except Exception as error:  # noqa: BLE001 - a page for the person looking, never a traceback
        if path == "/_local/ops.json":
            return 500, "application/json", json.dumps({"message": explain(error, stack.endpoint)}).encode()
        return _error_page(500, explain(error, stack.endpoint))
