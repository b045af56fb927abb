"""What each screening step records before a consultant can approve it, and the programme's rules
for those answers. The page (backup.web.decision_pages) shows these fields; the rules here decide."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from backup.domain.evidence import MIN_TRAINING_HOURS, Rules, step_field_errors
from backup.domain.stages import Stage


@dataclass(frozen=True)
class StepField:
    name: str
    label: str
    kind: str = "text"  # text | date | number | yesno | textarea
    hint: str = ""


STEP_FIELDS: dict[Stage, tuple[StepField, ...]] = {
    Stage.PHONE_SCREENING: (
        StepField("motivation_ok", "Er ansøgeren motiveret for at være en stabil voksen for en ung?", "yesno"),
        StepField(
            "understands_broken_relations", "Forstår ansøgeren, at de unge bærer på mange brudte relationer?", "yesno"
        ),
        StepField("has_time_for_a_year", "Har ansøgeren tid til cirka et års forløb?", "yesno"),
        StepField("references_contacted", "Er begge referencer kontaktet?", "yesno"),
    ),
    Stage.HOME_VISIT: (
        StepField("visit_date", "Dato for hjemmebesøget", "date"),
        StepField("assessment", "Din vurdering efter besøget", "textarea"),
    ),
    Stage.CHILD_CERTIFICATE: (
        StepField("received_date", "Dato for modtaget børneattest", "date"),
        StepField("certificate_clean", "Var børneattesten uden anmærkninger?", "yesno"),
    ),
    Stage.TRAINING: (
        StepField("completed_date", "Dato for gennemført uddannelse", "date"),
        StepField(
            "hours",
            "Antal timers uddannelse",
            "number",
            f"Mindst {MIN_TRAINING_HOURS} timer før et match; 6 eller flere anbefales.",
        ),
    ),
}

LABELS = {f.name: f.label for fields in STEP_FIELDS.values() for f in fields} | {
    "decision": "Afgørelse",
    "reason": "Begrundelse",
    "notes": "Noter",
}


def check_step_fields(
    stage: Stage, decision: str, data: dict[str, Any], *, applied_on: date, today: date, rules: Rules
) -> dict[str, str]:
    """What must be recorded before a step can be decided; a Danish message per missing thing, in
    the order of the page's fields. The same rules are checked again on the recorded evidence when
    the person moves on (backup.domain.transitions)."""
    if decision not in {"approve", "reject"}:
        return {"decision": "Vælg godkend eller afvis."}
    if decision == "reject":
        if not str(data.get("reason", "")).strip():
            return {
                "reason": "Skriv en begrundelse for afvisningen. Den bliver kun intern og sendes ikke til ansøgeren."
            }
        return {}
    return step_field_errors(stage, recorded_values(stage, data), applied_on=applied_on, today=today, rules=rules)


def rejection_unconfirmed(decision: str, data: dict[str, Any]) -> bool:
    """A rejection is recorded only once the consultant has seen it with its reason and confirmed it."""
    return decision == "reject" and str(data.get("confirm", "")) != "yes"


def recorded_values(stage: Stage, data: dict[str, Any]) -> dict[str, str]:
    """The step's fields as they go into the audit trail."""
    return {
        f.name: str(data.get(f.name, "")).strip()[:2000]
        for f in STEP_FIELDS.get(stage, ())
        if str(data.get(f.name, "")).strip()
    }
