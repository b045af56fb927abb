"""What a proposal's links accept: the consultant's choice among the proposed volunteers (or
none, with a reason), the introduction (held on a date; put off to a new date; or not going to
happen, with a reason), and a person's yes or no."""

from __future__ import annotations

from datetime import date
from typing import Any

from backup.domain.links import Link, LinkKind
from backup.domain.records import ProposalRecord


def check_match_decision(
    link: Link, match: ProposalRecord, form: dict[str, Any], today: date
) -> tuple[str, dict[str, str], dict[str, str]]:
    """The decision a match link's form carries, what to record with it, and a Danish message
    per problem."""
    decision = str(form.get("decision", ""))
    if link.kind is LinkKind.PROPOSAL:
        allowed = {f"chosen:{c.volunteer_id}" for c in match.candidates}
        if decision == "none":
            reason = str(form.get("reason", "")).strip()[:2000]
            if not reason:
                return decision, {}, {"reason": "Skriv kort, hvorfor ingen af dem passer (kun til internt brug)."}
            return decision, {"reason": reason}, {}
        if decision not in allowed:
            return decision, {}, {"decision": "Vælg en af de foreslåede frivillige eller ingen."}
        return decision, {}, {}
    if link.kind is LinkKind.INTRO:
        return _intro(decision, form, today)
    if decision not in {"yes", "no"}:
        return decision, {}, {"decision": "Vælg ja eller nej."}
    return decision, {}, {}


# what the consultant records about the introduction meeting, and where each leads
INTRO_HELD, INTRO_RESCHEDULED, INTRO_ENDED = "held", "rescheduled", "ended"
INTRO_OUTCOMES = (INTRO_HELD, INTRO_RESCHEDULED, INTRO_ENDED)


def _intro(decision: str, form: dict[str, Any], today: date) -> tuple[str, dict[str, str], dict[str, str]]:
    if decision == INTRO_HELD:
        held = str(form.get("intro_date", "")).strip()
        problem = intro_date_error(held, today)
        return decision, {"intro_date": held}, ({"intro_date": problem} if problem else {})
    if decision == INTRO_RESCHEDULED:
        planned = str(form.get("new_date", "")).strip()
        problem = new_date_error(planned, today)
        return decision, {"new_date": planned}, ({"new_date": problem} if problem else {})
    if decision == INTRO_ENDED:
        reason = str(form.get("reason", "")).strip()[:2000]
        if not reason:
            return decision, {}, {"reason": "Skriv kort, hvorfor mødet ikke bliver til noget (kun til internt brug)."}
        return decision, {"reason": reason}, {}
    return decision, {}, {"decision": "Vælg, om mødet er holdt, er flyttet, eller ikke bliver til noget."}


def new_date_error(value: str, today: date) -> str | None:
    try:
        planned = date.fromisoformat(value)
    except ValueError:
        return "Skriv den nye dato for mødet som ÅÅÅÅ-MM-DD."
    if planned < today:
        return "Den nye dato kan ikke ligge før i dag."
    return None


def intro_date_error(value: str, today: date) -> str | None:
    try:
        held = date.fromisoformat(value)
    except ValueError:
        return "Skriv datoen for mødet som ÅÅÅÅ-MM-DD."
    if held > today:
        return "Registrér mødet, når det har fundet sted; datoen kan ikke ligge i fremtiden."
    return None


def no_unconfirmed(link: Link, decision: str, form: dict[str, Any]) -> bool:
    """A "no" to continuing ends a match for good, so it is asked once more before it counts: a tap
    by mistake on a phone must not decide it."""
    return link.kind is LinkKind.CONTINUE and decision == "no" and str(form.get("confirm", "")) != "yes"
