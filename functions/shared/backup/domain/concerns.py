"""Concerns about a running match: anyone in it (the young person, the volunteer, the contact adult)
can say "Jeg er bekymret" from a link in every email after MATCHED. A concern reaches the consultant
and ops at once and opens a step in which the consultant decides: continue, pause (check-ins stop)
or end. A safeguarding concern about the volunteer suspends them from every match and from the pool
until a consultant clears it, with who and why recorded."""

from __future__ import annotations

import hashlib
from typing import Any

PARTIES = {"youth": "den unge", "volunteer": "den frivillige", "contact_adult": "kontaktpersonen"}
DECISIONS = {
    "continue": "Matchet fortsætter",
    "pause": "Matchet sættes på pause (opfølgning og e-mails stopper)",
    "end": "Matchet skal afsluttes",
}
TEXT_MAX = 2000


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def check_concern(form: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """What worries them (required), and whether it is about someone's safety."""
    errors: dict[str, str] = {}
    text = _text(form, "concern")
    if not text:
        errors["concern"] = "Skriv kort, hvad du er bekymret for."
    elif len(text) > TEXT_MAX:
        errors["concern"] = f"Skriv højst {TEXT_MAX} tegn."
    safety = form.get("safeguarding", "")
    return {"concern": text, "safeguarding": "yes" if safety in {"yes", "on"} else "no"}, errors


def concern_key(link_id: str, text: str) -> str:
    """The same concern sent twice from the same link (a double click, a replay) is kept once."""
    return hashlib.sha256(f"{link_id}\n{text}".encode()).hexdigest()[:20]


def check_concern_decision(form: dict[str, Any], suspended: bool) -> tuple[str, dict[str, str], dict[str, str]]:
    """The consultant's decision; continuing with a suspended volunteer clears the suspension, so it
    needs the reason it is safe (kept with who cleared it)."""
    decision = _text(form, "decision")
    if decision not in DECISIONS:
        return decision, {}, {"decision": "Vælg, om matchet fortsætter, sættes på pause eller afsluttes."}
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    if suspended and decision == "continue":
        why = _text(form, "clear_reason")
        if not why:
            errors["clear_reason"] = "Skriv, hvorfor det er trygt, at den frivillige fortsætter."
        values["clear_reason"] = why[:TEXT_MAX]
    return decision, values, errors
