"""A date people know by heart (a birth date) as three boxes, day, month and year, as GOV.UK's
design system asks for it: a native date picker makes someone born in 1961 scroll back decades, and
"ÅÅÅÅ-MM-DD" describes how a date is stored, not how people write it. The form posts the three
parts; they are joined here into the ISO date the rules read (a JSON client still sends that)."""

from __future__ import annotations

from typing import Any

from backup.domain.applications import DATE_MESSAGE
from backup.web.html import e, field_error

PARTS = (("day", "Dag", 2, "bday-day"), ("month", "Måned", 2, "bday-month"), ("year", "År", 4, "bday-year"))
PARTS_MESSAGE = "Skriv en rigtig dato med tal: dag, måned og år med fire cifre, fx 23 4 1985."


def _part(field: str, part: str) -> str:
    return f"{field}-{part}"


def join_date_parts(data: dict[str, Any], field: str) -> bool:
    """Put the date from the three boxes into `data[field]` as YYYY-MM-DD (what the rules read);
    something that is no date stays as typed, so the rules refuse it. False if no box was posted."""
    parts = {part: str(data.get(_part(field, part)) or "").strip() for part, *_ in PARTS}
    if not any(_part(field, part) in data for part, *_ in PARTS):
        return False
    day, month, year = parts["day"], parts["month"], parts["year"]
    if not (day or month or year):
        data[field] = ""
    elif (
        all(value.isascii() and value.isdigit() for value in (day, month, year))
        and len(day) <= 2
        and len(month) <= 2
        and len(year) == 4
    ):
        data[field] = f"{year}-{int(month):02d}-{int(day):02d}"
    else:
        data[field] = f"{year}-{month}-{day}"[:40]  # not a date: refused with the date's own message
    return True


def date_parts_errors(errors: dict[str, str], field: str) -> dict[str, str]:
    """The rules' message for a date not written as YYYY-MM-DD, said for the three boxes instead."""
    if errors.get(field) == DATE_MESSAGE:
        return {**errors, field: PARTS_MESSAGE}
    return errors


def date_parts_field(
    field: str, legend: str, values: dict[str, Any], errors: dict[str, str], hint: str, own: bool = True
) -> str:
    """The three boxes in a fieldset. The day box carries the field's id, so the error summary's
    link lands there; a date sent whole (YYYY-MM-DD) fills the boxes when the form comes back.
    `own`: the person filling in the form's own birthday (the browser may offer it)."""
    given = str(values.get(field) or "")
    whole = given.split("-") if len(given) == 10 and given[4] == "-" and given[7] == "-" else ["", "", ""]
    prefilled = {"year": whole[0], "month": whole[1].lstrip("0"), "day": whole[2].lstrip("0")}
    described = f"{field}-hint" + (f" {field}-error" if field in errors else "")
    invalid = ' aria-invalid="true"' if field in errors else ""
    boxes = "".join(
        f'<div class="date-part"><label for="{e(field if part == "day" else _part(field, part))}">{label}</label>'
        f'<input type="text" id="{e(field if part == "day" else _part(field, part))}" name="{e(_part(field, part))}"'
        f' value="{e(values.get(_part(field, part), prefilled[part]))}" inputmode="numeric" maxlength="{size}"'
        f' size="{size + 1}" autocomplete="{complete if own else "off"}" required{invalid}></div>'
        for part, label, size, complete in PARTS
    )
    return (
        f'<fieldset aria-describedby="{e(described)}"><legend>{e(legend)}</legend>'
        f'<p class="hint" id="{e(field)}-hint">{e(hint)} For eksempel 23 4 1985.</p>'
        f"{field_error(field, errors)}"
        f'<div style="display:flex;gap:1rem;flex-wrap:wrap">{boxes}</div></fieldset>'
    )
