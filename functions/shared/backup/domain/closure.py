"""The end of a match (MENTOR's "closure"): planned (the young person leaves the programme at 25,
or both agree) or unplanned (either side, or the consultant); a reason from a short list and notes;
an exit conversation with each; and where each goes next: the young person back to the pool for a
new volunteer (never the same pair again) or out, the volunteer back to READY_FOR_MATCH (only if
their certificate and training still hold) or out. Recorded, never deleted."""

from __future__ import annotations

from datetime import date
from typing import Any

from backup.domain.eligibility import YOUTH_MAX_AGE, age_on
from backup.domain.past_dates import past_date

KINDS = {"planned": "Planlagt", "unplanned": "Ikke planlagt"}
# the reasons, and whether each is a planned ending
REASONS: dict[str, tuple[str, bool]] = {
    "age": ("Den unge forlader programmet (25 år)", True),
    "agreed": ("De to er enige om at afslutte", True),
    "youth_stopped": ("Den unge ønsker at stoppe", False),
    "volunteer_stopped": ("Den frivillige ønsker at stoppe", False),
    "no_contact": ("Kontakten er gået i stå", False),
    "moved": ("Flytning eller ændrede forhold", False),
    "consultant": ("Konsulenten afslutter matchet", False),
    "other": ("Andet", False),
}
YOUTH_NEXT = {"new_volunteer": "Vil gerne have en ny frivillig", "out": "Stopper i BackUp"}
VOLUNTEER_NEXT = {"continue": "Vil gerne matches igen", "out": "Stopper som frivillig"}
EARLY_DAYS = 365  # a match that closes before 12 months counts as an early closure
EXIT_MISSING = "Skriv datoen for afslutningssamtalen."


def _choice(form: dict[str, Any], name: str, options: dict[str, Any], message: str, errors: dict[str, str]) -> str:
    value = form.get(name, "")
    if not isinstance(value, str) or value not in options:
        errors[name] = message
        return ""
    return value


def check_closure(form: dict[str, Any], today: date) -> tuple[dict[str, str], dict[str, str]]:
    """What the closure page must record, and a Danish message per problem."""
    errors: dict[str, str] = {}
    values = {
        "closure_kind": _choice(form, "closure_kind", KINDS, "Vælg, om afslutningen er planlagt.", errors),
        "closure_reason": _choice(form, "closure_reason", REASONS, "Vælg en årsag.", errors),
        "exit_youth_date": past_date(form, "exit_youth_date", today, EXIT_MISSING, errors),
        "exit_volunteer_date": past_date(form, "exit_volunteer_date", today, EXIT_MISSING, errors),
        "youth_next": _choice(form, "youth_next", YOUTH_NEXT, "Vælg, hvad den unge vil nu.", errors),
        "volunteer_next": _choice(form, "volunteer_next", VOLUNTEER_NEXT, "Vælg, hvad den frivillige vil nu.", errors),
    }
    if values["closure_reason"] and values["closure_kind"]:
        planned = REASONS[values["closure_reason"]][1]
        if planned != (values["closure_kind"] == "planned"):
            errors["closure_reason"] = "Årsagen passer ikke til, om afslutningen er planlagt: vælg en anden."
    if values["closure_reason"] == "age" and values["youth_next"] == "new_volunteer":
        errors["youth_next"] = "En ung, der forlader programmet ved 25 år, kan ikke få en ny frivillig."
    return values, errors


def leaves_the_programme(born: date | None, today: date) -> bool:
    """A young person leaves BackUp at 25: their match then ends, planned."""
    return born is not None and age_on(born, today) > YOUTH_MAX_AGE


def is_early(days: int) -> bool:
    return days < EARLY_DAYS
