"""Evidence: what a consultant recorded when they decided a step, and the rules it must meet.

Nobody comes near a child on the strength of a workflow's path alone. A step's decision is
recorded with the link it was made through (who, when, what), and a person's stage changes only
through backup.domain.transitions.check_transition, which reads that evidence: READY_FOR_MATCH needs an approved phone
screening and home visit, a clean child-protection certificate received within its validity, and
at least two hours of training, each decided by a consultant through a used link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from backup.domain.stages import Stage

MIN_TRAINING_HOURS = Decimal(2)  # the practice standard: at least 2 hours of training before a match
MAX_TRAINING_HOURS = Decimal(200)  # more than any training course: a typing slip, not a course
# ASCII digits only (no other scripts' digits, no exponents, no NaN or infinity), a decimal comma
# or point, at most two decimals
_HOURS = re.compile(r"[0-9]{1,3}(?:[.,][0-9]{1,2})?")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Evidence(BaseModel):
    """A consultant's decision on a step, as recorded when they used its link."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    decision: str  # approve or reject (ops: retry or end)
    decided_by: str
    decided_at: datetime
    link_id: str
    fields: dict[str, str] = {}


class EvidenceError(ValueError):
    """A recorded value does not meet the programme's rule; the message is one Danish sentence."""


@dataclass(frozen=True)
class Rules:
    """What the programme's settings decide about evidence."""

    certificate_validity_days: int

    def certificate_cutoff(self, today: date) -> date:
        """The oldest a certificate may be and still count today."""
        return today - timedelta(days=self.certificate_validity_days)


def parse_hours(text: str) -> Decimal:
    """Training hours as a consultant writes them (6, 2,5 or 2.5); EvidenceError otherwise."""
    text = text.strip()
    if not _HOURS.fullmatch(text):
        raise EvidenceError("Skriv antal timer med cifre, fx 6 eller 2,5.")
    hours = Decimal(text.replace(",", "."))
    if hours < MIN_TRAINING_HOURS:
        raise EvidenceError(
            f"Mindst {MIN_TRAINING_HOURS} timers uddannelse før et match; trinnet kan ikke godkendes med færre."
        )
    if hours > MAX_TRAINING_HOURS:
        raise EvidenceError(f"Tjek antallet: skriv højst {MAX_TRAINING_HOURS} timer.")
    return hours


def parse_day(text: str) -> date:
    """A real calendar date written as ÅÅÅÅ-MM-DD; EvidenceError otherwise."""
    text = text.strip()
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise EvidenceError("Skriv datoen som ÅÅÅÅ-MM-DD, fx 2026-11-20 (en dato, der findes).") from None


def check_day(text: str, *, today: date, not_before: date, before_message: str) -> date:
    """A date that has happened, and not before `not_before`."""
    day = parse_day(text)
    if day > today:
        raise EvidenceError("Datoen kan ikke ligge i fremtiden.")
    if day < not_before:
        raise EvidenceError(before_message)
    return day


def step_field_errors(
    stage: Stage, fields: dict[str, str], *, applied_on: date, today: date, rules: Rules
) -> dict[str, str]:
    """What in an approval's recorded fields breaks the programme's rules, a Danish message per field.
    The page checks it before recording, and a transition checks it again on the recorded evidence."""
    errors: dict[str, str] = {}
    applied = f"Datoen ligger før ansøgningen ({applied_on:%d.%m.%Y}); tjek datoen."

    def check(name: str, rule: object) -> None:
        try:
            rule(fields.get(name, ""))  # type: ignore[operator]
        except EvidenceError as broken:
            errors[name] = str(broken)

    def yes(value: str) -> None:
        if value != "yes":
            raise EvidenceError("Kan kun godkendes, når svaret er ja. Afvis ellers med en begrundelse.")

    def written(value: str) -> None:
        if not value.strip():
            raise EvidenceError("Udfyld venligst feltet.")

    def since_applied(value: str) -> None:
        check_day(value, today=today, not_before=applied_on, before_message=applied)

    def recent_certificate(value: str) -> None:
        cutoff = rules.certificate_cutoff(today)
        check_day(
            value,
            today=today,
            not_before=max(cutoff, applied_on),
            before_message=(
                f"Børneattesten skal være fra efter {cutoff:%d.%m.%Y} (højst "
                f"{rules.certificate_validity_days} dage gammel) og fra efter ansøgningen; "
                "indhent en ny."
            ),
        )

    if stage is Stage.PHONE_SCREENING:
        for name in ("motivation_ok", "understands_broken_relations", "has_time_for_a_year", "references_contacted"):
            check(name, yes)
    elif stage is Stage.HOME_VISIT:
        check("visit_date", since_applied)
        check("assessment", written)
    elif stage is Stage.CHILD_CERTIFICATE:
        check("received_date", recent_certificate)
        check("certificate_clean", yes)
    elif stage is Stage.TRAINING:
        check("completed_date", since_applied)
        check("hours", parse_hours)
    return errors


def certificate_valid_until(evidence: Evidence, rules: Rules) -> date:
    """The last day a certificate recorded in `evidence` counts."""
    received = parse_day(evidence.fields.get("received_date", ""))
    return received + timedelta(days=rules.certificate_validity_days)
