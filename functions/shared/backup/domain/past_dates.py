"""A date a page records about something that has happened (a check-in, an exit conversation):
ISO form (the browser's date box), a real day, and not in the future."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def past_date(form: dict[str, Any], name: str, today: date, missing: str, errors: dict[str, str]) -> str:
    """The field's date as text, or "" with a Danish message in `errors` (`missing`: when it is empty)."""
    value = form.get(name, "")
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        errors[name] = missing
        return ""
    if not _ISO_DATE.fullmatch(text):
        errors[name] = "Skriv datoen som dd.mm.åååå."
        return ""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[name] = "Datoen findes ikke."
        return ""
    if day > today:
        errors[name] = "Datoen kan ikke ligge i fremtiden."
    return text
