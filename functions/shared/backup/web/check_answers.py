""" "Tjek dine svar": before an application or a referral is sent, the person sees what they wrote,
in words, and either sends it or goes back to change it (GOV.UK's check-answers pattern). Nothing is
stored until they press send; going back shows the form filled in as they left it.

The page carries the submission in hidden fields, so sending posts exactly what was checked; the
rules check it again then, so a changed hidden field is refused like any other form post.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from enum import Enum
from typing import Any

from pydantic import BaseModel

from backup.domain.applications import readable_phone
from backup.web.html import definition_list, e, layout

# the form's buttons on the check page: send what was checked, or back to the form to change it
STEP = "step"
SEND, CHANGE = "send", "change"
# what the form's own fields carry that is not an answer (the date's boxes are in birth_date now)
_NOT_CARRIED = {STEP, "website", "birth_date-day", "birth_date-month", "birth_date-year"}


def readable(value: Any) -> str:
    """An answer as words: a date as 03.04.2010, yes for a ticked box, a list joined, a phone in pairs."""
    if isinstance(value, bool):
        return "Ja" if value else "Nej"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, Enum):
        label = getattr(value, "label", value.value)
        return str(label() if callable(label) else label)
    if isinstance(value, (list, tuple)):
        return ", ".join(readable(v) for v in value if v not in (None, ""))
    if isinstance(value, str) and value.startswith("+") and value[1:].isdigit():
        return readable_phone(value)
    return "" if value is None else str(value)


def answer_rows(
    record: BaseModel, labels: dict[str, str], shown: dict[str, Callable[[Any], str]] | None = None
) -> list[tuple[str, str]]:
    """The answers in the form's order, each under its question; an answer left empty is left out.
    `shown` says how a field whose value is a code reads (a placement, an interest, a wish)."""
    shown = shown or {}
    rows = []
    for field, label in labels.items():
        if field not in type(record).model_fields:
            continue
        value = getattr(record, field)
        text = shown[field](value) if field in shown else readable(value)
        if text and text != "—":
            rows.append((label, text))
    return rows


def _hidden(data: dict[str, Any]) -> Iterable[str]:
    for name, value in data.items():
        if name in _NOT_CARRIED:
            continue
        for item in value if isinstance(value, list) else [value]:
            if item is None or isinstance(item, (dict, list)):
                continue
            yield f'<input type="hidden" name="{e(name)}" value="{e(item)}">'


def check_answers_page(
    heading: str, intro: str, action: str, rows: list[tuple[str, str]], data: dict[str, Any], send: str
) -> str:
    """The answers to read through, the submission in hidden fields, and two buttons: `send` it, or
    go back and change it."""
    body = f"""
<h1>{e(heading)}</h1>
<p>{e(intro)}</p>
{definition_list(rows)}
<form method="post" action="{e(action)}">
{"".join(_hidden(data))}
<button type="submit" name="{STEP}" value="{SEND}">{e(send)}</button>
<button type="submit" name="{STEP}" value="{CHANGE}" class="secondary">Ret svarene</button>
</form>"""
    return layout(heading, body)
