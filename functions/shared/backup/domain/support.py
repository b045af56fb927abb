"""After the match: the consultant's support of a running match (MENTOR's "monitoring and support").

At MATCHED the consultant records the agreed roles with the contact adult or aftercare worker (who
does what, how they reach each other; the volunteer supplements the professionals), and the
contact adult confirms them by a link. Then the consultant checks in: twice in the first month,
then monthly; each check-in records when, with whom and how it is going, and the first also what
the two want to do together and how often. Pure rules: what each page must record, the schedule,
and where a recorded step is kept on the match's record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from backup.domain.closure import check_closure
from backup.domain.concerns import check_concern_decision
from backup.domain.evidence import Evidence
from backup.domain.kinds import RecordKind
from backup.domain.links import LinkKind
from backup.domain.past_dates import past_date
from backup.domain.pulse import ANSWERS, check_pulse

# The consultant's support steps (each a human step on the match) and the contact adult's
# confirmation of the roles (a link that resumes nothing: it is recorded on the match).
SUPPORT_STEPS = frozenset({LinkKind.ROLES, LinkKind.CHECK_IN, LinkKind.CLOSURE, LinkKind.CONCERN_DECISION})
SUPPORT_LINKS = SUPPORT_STEPS | {LinkKind.ROLES_CONFIRM, LinkKind.PULSE}
# What each support link's page may choose.
SUPPORT_CHOICES: dict[LinkKind, frozenset[str]] = {
    LinkKind.ROLES: frozenset({"recorded"}),
    LinkKind.CHECK_IN: frozenset({"recorded", "close"}),  # close: the match is to end (a closure step)
    LinkKind.CLOSURE: frozenset({"close"}),
    LinkKind.CONCERN_DECISION: frozenset({"continue", "pause", "end"}),
    LinkKind.PULSE: frozenset(ANSWERS),
    LinkKind.ROLES_CONFIRM: frozenset({"confirmed"}),
}
# The support run's steps, as its state machine names them in confirm and remind tasks.
STEP_KINDS = {
    "ROLES": LinkKind.ROLES,
    "CHECK_IN": LinkKind.CHECK_IN,
    "CLOSURE": LinkKind.CLOSURE,
    "CONCERN": LinkKind.CONCERN_DECISION,
}

# How it is going, as a check-in records it.
HOW = {"godt": "Godt", "okay": "Okay", "svaert": "Svært"}
# Whom the consultant talked with at a check-in.
WITH_WHOM = {"volunteer": "Den frivillige", "youth": "Den unge", "contact_adult": "Kontaktpersonen"}

TEXT_MAX = 2000


def support_execution(match_id: str, run: int = 1) -> str:
    """A match's support run: "support-<id>", carried on as "support-<id>-r2", "-r3" ... (a Standard
    execution stops after a year; a match lasts years). The record's `support_run` says which."""
    return f"support-{match_id}" + (f"-r{run}" if run > 1 else "")


@dataclass(frozen=True)
class CheckInSchedule:
    """When check-ins fall due: `first_seconds` apart for the first two (twice in the first month),
    then every `monthly_seconds`. Template parameters, so the local stack runs them in seconds."""

    first_seconds: int
    monthly_seconds: int

    def wait_before(self, number: int) -> int:
        """How long before check-in `number` (1, 2, ...) falls due, counted from the one before it
        (the first: from the match)."""
        return self.first_seconds if number <= 2 else self.monthly_seconds


def _text(form: dict[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _required_text(form: dict[str, Any], name: str, message: str, errors: dict[str, str]) -> str:
    value = _text(form, name)
    if not value:
        errors[name] = message
    elif len(value) > TEXT_MAX:
        errors[name] = f"Skriv højst {TEXT_MAX} tegn."
    return value


def check_roles(form: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The agreed roles: what the volunteer does, what the contact adult or aftercare does, and how
    they reach each other. (values, errors per field)."""
    errors: dict[str, str] = {}
    values = {
        "volunteer_role": _required_text(form, "volunteer_role", "Skriv, hvad den frivillige gør.", errors),
        "professional_role": _required_text(
            form, "professional_role", "Skriv, hvad kontaktpersonen eller efterværnet gør.", errors
        ),
        "contact": _required_text(form, "contact", "Skriv, hvordan de kontakter hinanden.", errors),
    }
    return values, errors


def _chosen(form: dict[str, Any], name: str) -> list[str]:
    raw = form.get(name, [])
    values = raw if isinstance(raw, list) else [raw]
    return [v for v in values if isinstance(v, str)]


def check_check_in(form: dict[str, Any], today: date, first: bool) -> tuple[dict[str, str], dict[str, str]]:
    """A check-in: when (not in the future), with whom (at least one of the three), how it is going
    (godt, okay or svært), and at the first one what the two want to do together and how often."""
    errors: dict[str, str] = {}
    values = {"check_in_date": past_date(form, "check_in_date", today, "Skriv datoen for samtalen.", errors)}
    whom = _chosen(form, "with_whom")
    if not whom:
        errors["with_whom"] = "Vælg, hvem du har talt med."
    elif any(w not in WITH_WHOM for w in whom):
        errors["with_whom"] = "Vælg blandt de viste muligheder."
    values["with_whom"] = ",".join(w for w in WITH_WHOM if w in whom)
    how = _text(form, "how")
    if how not in HOW:
        errors["how"] = "Vælg, hvordan det går: godt, okay eller svært."
    values["how"] = how if how in HOW else ""
    if first:
        values["activities"] = _required_text(form, "activities", "Skriv, hvad de to vil lave sammen.", errors)
        values["frequency"] = _required_text(form, "frequency", "Skriv, hvor tit de vil ses.", errors)
    return values, errors


def check_key(link_created_at: datetime, link_id: str) -> str:
    """The key a check-in is kept under on the match: its link's creation time (so the keys sort as
    the check-ins came) and the start of its id, with no dot (a dot would name a deeper key)."""
    return link_created_at.strftime("%Y%m%dT%H%M%S%f") + "-" + link_id[:8]


def recorded_set(kind: LinkKind, created_at: datetime, evidence: Evidence, pulse_key: str = "") -> dict[str, Evidence]:
    """Where a used support link's decision is kept on the match, in the same write as the link's use
    (`pulse_key`: the round and party a "hvordan går det?" link answers for)."""
    if kind is LinkKind.PULSE:
        return {f"pulses.{pulse_key}": evidence}
    if kind is LinkKind.ROLES:
        return {"roles": evidence}
    if kind is LinkKind.ROLES_CONFIRM:
        return {"roles_confirmed": evidence}
    if kind is LinkKind.CHECK_IN and evidence.decision == "close":
        return {"closure_requested": evidence}
    if kind is LinkKind.CHECK_IN:
        return {f"check_ins.{check_key(created_at, evidence.link_id)}": evidence}
    if kind is LinkKind.CLOSURE:
        return {"closure": evidence}
    if kind is LinkKind.CONCERN_DECISION:
        return {"concern_decision": evidence}
    raise ValueError(f"{kind.value} is not a support link")


def is_support_link(kind: LinkKind, record_kind: RecordKind) -> bool:
    return kind in SUPPORT_LINKS and record_kind is RecordKind.MATCH


def check_in_number(recorded: int, missed: int) -> int:
    """The number of the next check-in: those recorded and those missed, plus one."""
    return recorded + missed + 1


def check_support_decision(
    kind: LinkKind, form: dict[str, Any], today: date, number: int, suspended: bool = False
) -> tuple[str, dict[str, str], dict[str, str]]:
    """The decision a support link's form carries, what to record with it, and a Danish message per
    problem (nothing is recorded while there is one). `suspended`: the match's volunteer is."""
    if kind is LinkKind.CONCERN_DECISION:
        return check_concern_decision(form, suspended)
    if kind is LinkKind.PULSE:
        return check_pulse(form)
    decision = form.get("decision", "")
    decision = decision if isinstance(decision, str) else ""
    if decision not in SUPPORT_CHOICES[kind]:
        return decision, {}, {"decision": "Brug knappen nederst på siden for at gemme."}
    if kind is LinkKind.ROLES:
        values, errors = check_roles(form)
        return decision, values, errors
    if kind is LinkKind.CHECK_IN and decision == "recorded":
        values, errors = check_check_in(form, today, first=number == 1)
        return decision, values, errors
    if kind is LinkKind.CLOSURE:
        values, errors = check_closure(form, today)
        return decision, values, errors
    return decision, {}, {}
