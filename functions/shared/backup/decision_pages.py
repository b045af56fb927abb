"""The consultant's page for one screening step, with what that step needs recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from backup.applications import INTEREST_LABELS, Availability, Interest
from backup.executions import PREFIXES, current_run, execution_name
from backup.links import DeadLink, Link
from backup.pages import definition_list, e, error_summary, field_error, layout, message_page, text_field
from backup.stages import Stage

MIN_TRAINING_HOURS = 2  # the practice standard: at least 2 hours of training before a match


@dataclass(frozen=True)
class StepField:
    name: str
    label: str
    kind: str = "text"  # text | date | number | yesno | textarea
    hint: str = ""


STEP_FIELDS: dict[Stage, tuple[StepField, ...]] = {
    Stage.PHONE_SCREENING: (
        StepField("motivation_ok", "Er ansøgeren motiveret for at være en stabil voksen for en ung?", "yesno"),
        StepField("understands_broken_relations",
                  "Forstår ansøgeren, at de unge bærer på mange brudte relationer?", "yesno"),
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
        StepField("hours", "Antal timers uddannelse", "number",
                  f"Mindst {MIN_TRAINING_HOURS} timer før et match; 6 eller flere anbefales."),
    ),
}

LABELS = {f.name: f.label for fields in STEP_FIELDS.values() for f in fields} | {
    "decision": "Afgørelse", "reason": "Begrundelse", "notes": "Noter"}


def check_step_fields(stage: Stage, decision: str, data: dict[str, Any], today: date) -> dict[str, str]:
    """What must be recorded before a step can be decided; a Danish message per missing thing."""
    errors: dict[str, str] = {}
    if decision not in {"approve", "reject"}:
        errors["decision"] = "Vælg godkend eller afvis."
        return errors
    if decision == "reject":
        if not str(data.get("reason", "")).strip():
            errors["reason"] = "Skriv en begrundelse for afvisningen. Den bliver kun intern og sendes ikke til ansøgeren."
        return errors
    for field in STEP_FIELDS.get(stage, ()):
        value = str(data.get(field.name, "")).strip()
        if field.kind == "yesno":
            if value != "yes":
                errors[field.name] = "Kan kun godkendes, når svaret er ja. Afvis ellers med en begrundelse."
        elif field.kind == "date":
            try:
                when = date.fromisoformat(value)
            except ValueError:
                errors[field.name] = "Skriv datoen som ÅÅÅÅ-MM-DD."
                continue
            if when > today:
                errors[field.name] = "Datoen kan ikke ligge i fremtiden."
        elif field.kind == "number":
            try:
                hours = float(value.replace(",", "."))
            except ValueError:
                errors[field.name] = "Skriv antal timer som et tal."
                continue
            if hours < MIN_TRAINING_HOURS:
                errors[field.name] = (f"Mindst {MIN_TRAINING_HOURS} timers uddannelse før et match; "
                                      "trinnet kan ikke godkendes med færre.")
        elif not value:
            errors[field.name] = "Udfyld venligst feltet."
    return errors


def recorded_values(stage: Stage, data: dict[str, Any]) -> dict[str, str]:
    """The step's fields as they go into the audit trail."""
    return {f.name: str(data.get(f.name, "")).strip()[:2000] for f in STEP_FIELDS.get(stage, ())
            if str(data.get(f.name, "")).strip()}


def readable_phone(phone: str) -> str:
    """+4512345678 as +45 12 34 56 78, easy to read out on a call."""
    if phone.startswith("+45") and len(phone) == 11:
        digits = phone[3:]
        return "+45 " + " ".join(digits[i:i + 2] for i in range(0, 8, 2))
    return phone


def _applicant_summary(details: dict[str, Any]) -> str:
    interests = [INTEREST_LABELS[Interest(i)] if i in Interest._value2member_map_ else i
                 for i in details.get("interests", [])]
    availability = details.get("availability")
    rows = [
        ("Navn", f"{details.get('first_name', '')} {details.get('last_name', '')}"),
        ("E-mail", details.get("email")),
        ("Telefon", readable_phone(details.get("phone") or "")),
        ("Fødselsdato", details.get("birth_date")),
        ("Adresse", f"{details.get('address', '')}, {details.get('postcode', '')} {details.get('city', '')}"),
        ("Interesser", ", ".join(interests)),
        ("Kan mødes", Availability(availability).label if availability in Availability._value2member_map_ else ""),
        ("Motivation", details.get("motivation")),
        ("Erfaring", details.get("experience") or "—"),
        ("Referencer", " · ".join(details.get("references", []))),
    ]
    return definition_list(rows)


def _step_control(field: StepField, values: dict[str, Any], errors: dict[str, str]) -> str:
    if field.kind == "yesno":
        chosen = values.get(field.name, "")
        options = "".join(
            f"<label class=\"choice\"><input type=\"radio\" name=\"{field.name}\" value=\"{v}\""
            f"{' id=' + chr(34) + field.name + chr(34) if v == 'yes' else ''}{' checked' if chosen == v else ''}> {t}</label>"
            for v, t in (("yes", "Ja"), ("no", "Nej"))
        )
        error = field_error(field.name, errors)  # with the "Fejl: " a screen reader hears, like the other fields
        invalid = f" aria-describedby=\"{field.name}-error\"" if field.name in errors else ""
        return f"<fieldset{invalid}><legend>{e(field.label)}</legend>{error}{options}</fieldset>"
    kind = {"date": "date", "number": "number"}.get(field.kind, "text")
    return text_field(field.name, field.label, values, errors, kind=kind, hint=field.hint,
                      multiline=field.kind == "textarea", inputmode="decimal" if kind == "number" else "")


def decision_page(link: Link, volunteer: dict[str, Any], csrf_token: str,
                  values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> str:
    values = values or {}
    errors = errors or {}
    stage = link.stage or Stage(volunteer["stage"])
    fields = "".join(_step_control(f, values, errors) for f in STEP_FIELDS.get(stage, ()))
    body = f"""
<h1>{e(stage.label)}: {e(volunteer['details'].get('first_name', ''))} {e(volunteer['details'].get('last_name', ''))}</h1>
<p>Ansøgning {e(link.application_id)}. Linket er sendt til {e(link.sent_to)}; din afgørelse registreres i dit navn.
Intet ændres, før du trykker på en af knapperne nederst.</p>
{error_summary(errors, LABELS)}
<h2>Ansøgeren</h2>
{_applicant_summary(volunteer['details'])}
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<h2>Trinnet: {e(stage.label)}</h2>
{fields}
{text_field("notes", LABELS["notes"], values, errors, multiline=True, required=False, hint="Kun til internt brug.")}
{text_field("reason", "Begrundelse, hvis du afviser", values, errors, multiline=True, required=False,
            hint="Kun til internt brug. Ansøgeren får et venligt afslag uden begrundelsen.")}
<button type="submit" name="decision" value="approve">Godkend {e(stage.label.lower())}</button>
<button type="submit" name="decision" value="reject" class="secondary">Afvis ansøgningen</button>
</form>"""
    return layout(f"{stage.label} – afgørelse", body)


def decided_page(link: Link, decision: str) -> str:
    stage = link.stage.label if link.stage else "Trinnet"
    verdict = "godkendt" if decision == "approve" else "afvist"
    return message_page(f"{stage} er {verdict}", f"Tak. Afgørelsen er registreret for ansøgning {link.application_id}. "
                        "Du kan lukke siden.")


def dead_link_page(dead: DeadLink) -> str:
    return message_page(dead.title, dead.message)


def ops_page(link: Link, volunteer: dict[str, Any], csrf_token: str) -> str:
    """Ops choose what happens after a task failed for good."""
    kind_option = "" if link.person_kind == "VOLUNTEER" else f" --kind {PREFIXES[link.person_kind]}"
    body = f"""
<h1>Et trin fejlede: {e(link.failed_state)}</h1>
<p>Ansøgning {e(link.application_id)} (nu i trinnet {e(Stage(volunteer['stage']).label)}) står stille,
fordi trinnet <strong>{e(link.failed_state)}</strong> fejlede, også efter automatiske nye forsøg.</p>
<div class="box"><p>Fejl: <code>{e(link.error or 'ukendt')}</code></p>
<p>Se detaljerne med <code>backup-ops show {e(link.application_id)}{kind_option}</code> og i
Step Functions-konsollen (udførelsen {e(execution_name(link.application_id, link.person_kind,
current_run(volunteer)))}).</p></div>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
{text_field("notes", "Noter", {}, {}, multiline=True, required=False, hint="Hvad blev rettet, eller hvorfor afsluttes forløbet?")}
<button type="submit" name="decision" value="retry">Prøv trinnet igen</button>
<button type="submit" name="decision" value="end" class="secondary">Afslut forløbet</button>
</form>"""
    return layout("Et trin fejlede", body)


def ops_decided_page(link: Link, decision: str) -> str:
    if decision == "retry":
        return message_page("Trinnet prøves igen", f"Forløbet for ansøgning {link.application_id} fortsætter nu.")
    return message_page("Forløbet er afsluttet", f"Forløbet for ansøgning {link.application_id} er afsluttet. "
                        "Husk at kontakte ansøgeren personligt.")
