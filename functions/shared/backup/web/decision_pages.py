"""The consultant's page for one screening step, with what that step needs recorded."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from backup.domain import clock
from backup.domain.executions import execution_name
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.links import DeadLink, Link, LinkKind
from backup.domain.records import Person, Record, Volunteer, YoungPerson
from backup.domain.stages import Stage
from backup.domain.step_fields import LABELS, STEP_FIELDS, StepField
from backup.web.html import (
    NOTES_HINT,
    definition_list,
    e,
    email_link,
    error_summary,
    field_error,
    layout,
    message_page,
    phone_link,
    text_field,
)
from backup.web.person_facts import (
    availability,
    born_and_age,
    interests,
    place,
    placement,
    wished_volunteer,
)


def _young_person_facts(person: YoungPerson, today: date) -> str:
    """The young person as the consultant checking the referral needs them, and whom to call."""
    d = person.details
    young = definition_list(
        [
            ("Fornavn", d.first_name),
            ("Alder", born_and_age(d.birth_date, today)),
            ("Bor i", place(d.postcode)),
            ("Anbragt i", placement(d.placement)),
            ("Interesser", interests(d.interests)),
            ("Ønsker", d.wishes or "—"),
            ("Ønsker en frivillig", wished_volunteer(d.preferences)),
            ("Kan mødes", availability(d.availability)),
            ("E-mail", email_link(d.email)),
            ("Telefon", phone_link(d.phone)),
            ("Samtykke", _consents(person)),
        ]
    )
    contact = definition_list(
        [
            ("Navn", d.contact_adult_name or "—"),
            ("Arbejdssted", d.contact_adult_organisation or "—"),
            ("E-mail", email_link(d.contact_adult_email)),
            ("Telefon", phone_link(d.contact_adult_phone)),
        ]
    )
    return (
        f"{young}<h2>Kontaktperson</h2>"
        "<p>Den voksne, der henviste, og som kender den unge. Ring eller skriv for at aftale samtalen.</p>"
        f"{contact}"
    )


def _volunteer_facts(person: Volunteer, today: date) -> str:
    v = person.details
    return definition_list(
        [
            ("Navn", v.full_name),
            ("E-mail", email_link(v.email)),
            ("Telefon", phone_link(v.phone)),
            ("Fødselsdato", born_and_age(v.birth_date, today)),
            ("Adresse", f"{v.address}, {v.postcode} {v.city}"),
            ("Interesser", interests(v.interests)),
            ("Kan mødes", availability(v.availability)),
            ("Motivation", v.motivation or "—"),
            ("Erfaring", v.experience or "—"),
            ("Referencer", " · ".join(v.references) or "—"),
            ("Samtykke", _consents(person)),
        ]
    )


CONSENT_NAMES = {
    "consent_data": "behandling af oplysninger",
    "consent_child_certificate": "børneattest",
    "commitment": "tid til et år",
    "eligibility": "betingelserne (bekræftet af kontaktpersonen)",
    "consent": "den unges eget samtykke",
    "guardian_consent": "forældremyndighed eller kommune",
}


def _consents(person: Person) -> str:
    """What was agreed to, when and in which wording's version; for a young person under 18, who
    else consented, how and when."""
    parts = [
        f"{CONSENT_NAMES.get(key, key)} {consent.given_at:%d.%m.%Y} (v. {consent.version})"
        for key, consent in person.consents.items()
        if key != "guardian_consent"
    ]
    if isinstance(person, YoungPerson) and person.details.guardian_consent is not None:
        g = person.details.guardian_consent
        parts.append(f"{g.name}, {g.role.label}, {g.how.label} {g.given_on:%d.%m.%Y}")
    return "; ".join(parts) or "—"


def _step_control(field: StepField, values: dict[str, Any], errors: dict[str, str]) -> str:
    if field.kind == "yesno":
        chosen = values.get(field.name, "")
        options = "".join(
            f'<label class="choice"><input type="radio" name="{field.name}" value="{v}"'
            f"{' id=' + chr(34) + field.name + chr(34) if v == 'yes' else ''}{' checked' if chosen == v else ''}> {t}</label>"
            for v, t in (("yes", "Ja"), ("no", "Nej"))
        )
        error = field_error(field.name, errors)  # with the "Fejl: " a screen reader hears, like the other fields
        invalid = f' aria-describedby="{field.name}-error"' if field.name in errors else ""
        return f"<fieldset{invalid}><legend>{e(field.label)}</legend>{error}{options}</fieldset>"
    kind = {"date": "date", "number": "number"}.get(field.kind, "text")
    return text_field(
        field.name,
        field.label,
        values,
        errors,
        kind=kind,
        hint=field.hint,
        multiline=field.kind == "textarea",
        inputmode="decimal" if kind == "number" else "",
    )


def _earlier_steps(person: Person, notes: dict[Stage, str]) -> str:
    """What was decided before this step: when, by whom, what was recorded and the notes."""
    rows = []
    for stage, evidence in sorted(person.evidence.items(), key=lambda item: item[1].decided_at):
        verdict = "Godkendt" if evidence.decision == "approve" else "Afvist"
        recorded = "; ".join(
            f"{LABELS.get(name, name)} {ANSWERS.get(value, value)}"
            if LABELS.get(name, name).endswith("?")
            else f"{LABELS.get(name, name)}: {ANSWERS.get(value, value)}"
            for name, value in evidence.fields.items()
        )
        parts = [f"{verdict} {clock.danish(evidence.decided_at)} af {evidence.decided_by}.", recorded]
        if stage in notes:
            parts.append(f"Noter: {notes[stage]}")
        rows.append((stage.label, " ".join(filter(None, parts))))
    if not rows:
        return ""
    return f"<h2>Tidligere trin</h2>{definition_list(rows)}"


ANSWERS = {"yes": "Ja", "no": "Nej"}


def step_notes(history: list[Event]) -> dict[Stage, str]:
    """Each step's notes as the consultant wrote them when deciding it (the latest if several)."""
    return {
        event.stage: event.notes
        for event in history
        if event.kind in {EventKind.APPROVED, EventKind.REJECTED} and event.stage is not None and event.notes
    }


@dataclass(frozen=True)
class Wording:
    """How a decision page speaks of what is decided, for its reader."""

    title: str
    who: str
    person: str
    step: str
    reason: str
    reason_hint: str
    approve: str
    reject: str
    confirm_title: str
    confirm: str


# a screening step decides an application; the referral check a young person's referral; a
# renewal records a new certificate for a volunteer
_STEP = Wording(
    title="{stage}",
    who="Ansøgning",
    person="Ansøgeren",
    step="Trinnet: {stage}",
    reason="Begrundelse (skal udfyldes, hvis du afviser)",
    reason_hint="Sendes ikke til ansøgeren, som får et venligt afslag uden begrundelsen; ansøgeren kan dog få indsigt i den.",
    approve="Godkend {stage}",
    reject="Afvis ansøgningen",
    confirm_title="Vil du afvise ansøgningen?",
    confirm="Ja, afvis",
)
_REFERRAL = replace(
    _STEP,
    who="Henvisning",
    person="Den unge",
    step="Din afgørelse",
    reason_hint="Sendes ikke til kontaktpersonen, som får et venligt svar uden begrundelsen; den unge kan dog få indsigt i den.",
    approve="Godkend henvisningen",
    reject="Afvis henvisningen",
    confirm_title="Vil du afvise henvisningen?",
)
_RENEWAL = Wording(
    title="Fornyet børneattest",
    who="Frivillig",
    person="Den frivillige",
    step="Den nye børneattest",
    reason="Begrundelse (skal udfyldes, hvis attesten har anmærkninger)",
    reason_hint="Den frivillige suspenderes fra puljen og alle match, og driften får besked. Den frivillige kan få indsigt i begrundelsen.",
    approve="Registrér den nye attest",
    reject="Attesten har anmærkninger: suspendér",
    confirm_title="Vil du suspendere den frivillige?",
    confirm="Ja, suspendér",
)


def _wording(link: Link, person: Person) -> Wording:
    if link.kind is LinkKind.RENEWAL:
        return _RENEWAL
    return _REFERRAL if isinstance(person, YoungPerson) else _STEP


def decision_page(
    link: Link,
    person: Person,
    csrf_token: str,
    today: date,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    notes: dict[Stage, str] | None = None,
) -> str:
    values = values or {}
    errors = errors or {}
    stage = link.stage or person.stage
    name = person.details.full_name if isinstance(person, Volunteer) else person.first_name
    fields = "".join(_step_control(f, values, errors) for f in STEP_FIELDS.get(stage, ()))
    wording = _wording(link, person)
    until = person.cleared_until if isinstance(person, Volunteer) else None
    situation = (
        f"Den frivillige er godkendt, og den nuværende børneattest gælder til og med {until:%d.%m.%Y}. "
        if wording is _RENEWAL and until is not None
        else ""
    )
    facts = (
        _young_person_facts(person, today)
        if isinstance(person, YoungPerson)
        else _volunteer_facts(person, today)
        if isinstance(person, Volunteer)
        else ""
    )
    body = f"""
<h1>{e(wording.title.format(stage=stage.label))}: {e(name)}</h1>
<p>{e(situation)}{e(wording.who)} {e(link.record_id)}. Linket er sendt til {e(link.sent_to)}; din afgørelse
registreres i dit navn. Intet ændres, før du trykker på en af knapperne nederst.</p>
{error_summary(errors, LABELS)}
<h2>{e(wording.person)}</h2>
{facts}
{_earlier_steps(person, notes or {})}
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<h2>{e(wording.step.format(stage=stage.label))}</h2>
{fields}
{text_field("notes", LABELS["notes"], values, errors, multiline=True, required=False, hint=NOTES_HINT)}
{text_field("reason", wording.reason, values, errors, multiline=True, required=False, optional="", hint=wording.reason_hint)}
<button type="submit" name="decision" value="approve">{e(wording.approve.format(stage=stage.label.lower()))}</button>
<button type="submit" name="decision" value="reject" class="secondary">{e(wording.reject)}</button>
</form>"""
    return layout(f"{stage.label} – afgørelse", body)


def confirm_rejection_page(link: Link, person: Person, csrf_token: str, form: dict[str, Any]) -> str:
    """A rejection asked once more, with its reason, before it is recorded; going back keeps what
    was written."""
    wording = _wording(link, person)
    stage = link.stage or person.stage
    name = person.details.full_name if isinstance(person, Volunteer) else person.first_name
    kept = "".join(
        f'<input type="hidden" name="{e(field)}" value="{e(form.get(field, ""))}">'
        for field in ("notes", "reason", *(f.name for f in STEP_FIELDS.get(stage, ())))
        if str(form.get(field, "")).strip()
    )
    body = f"""
<h1>{e(wording.confirm_title)}</h1>
<p>{e(stage.label)}: {e(name)} ({e(wording.who.lower())} {e(link.record_id)}). Afvisningen er ikke registreret endnu.</p>
<div class="box"><h2>Din begrundelse</h2><p>{e(form.get("reason", ""))}</p></div>
<p>Når du har trykket, kan afgørelsen ikke laves om fra linket.</p>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<input type="hidden" name="confirm" value="yes">
{kept}
<button type="submit" name="decision" value="reject">{e(wording.confirm)}</button>
<button type="submit" name="decision" value="edit" class="secondary">Nej, tilbage til siden</button>
</form>"""
    return layout(wording.confirm_title, body)


def decided_page(link: Link, decision: str) -> str:
    if link.kind is LinkKind.RENEWAL:
        if decision == "approve":
            return message_page(
                "Den nye børneattest er registreret",
                f"Tak. Frivillig {link.record_id} forbliver i puljen til den nye attest skal fornyes. "
                "Du kan lukke siden.",
            )
        return message_page(
            "Den frivillige er suspenderet",
            f"Tak. Frivillig {link.record_id} foreslås ikke til nogen ung, og driften har fået besked. "
            "Du kan lukke siden.",
        )
    stage = link.stage.label if link.stage else "Trinnet"
    verdict = "godkendt" if decision == "approve" else "afvist"
    if link.record_kind is RecordKind.YOUTH:
        then = (
            "Vi leder nu efter en frivillig til den unge, og kontaktpersonen får besked."
            if decision == "approve"
            else "Kontaktpersonen får et venligt svar uden begrundelsen."
        )
        return message_page(
            f"Henvisningen er {verdict}",
            f"Tak. Afgørelsen er registreret for henvisning {link.record_id}. {then} Du kan lukke siden.",
        )
    return message_page(
        f"{stage} er {verdict}", f"Tak. Afgørelsen er registreret for ansøgning {link.record_id}. Du kan lukke siden."
    )


def dead_link_page(dead: DeadLink) -> str:
    return message_page(dead.title, dead.message)


def ops_page(link: Link, record: Record, csrf_token: str) -> str:
    """Ops choose what happens after a task failed for good."""
    kind_option = "" if link.record_kind is RecordKind.VOLUNTEER else f" --kind {link.record_kind.prefix}"
    body = f"""
<h1>Et trin fejlede: {e(link.failed_state)}</h1>
<p>Ansøgning {e(link.record_id)} (nu i trinnet {e(record.stage.label)}) står stille,
fordi trinnet <strong>{e(link.failed_state)}</strong> fejlede, også efter automatiske nye forsøg.</p>
<div class="box"><p>Fejl: <code>{e(link.error or "ukendt")}</code></p>
<p>Se detaljerne med <code>backup-ops show {e(link.record_id)}{kind_option}</code> og i
Step Functions-konsollen (udførelsen {e(execution_name(link.record_id, link.record_kind, record.run))}).</p></div>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
{text_field("notes", "Noter", {}, {}, multiline=True, required=False, hint="Hvad blev rettet, eller hvorfor afsluttes forløbet?")}
<button type="submit" name="decision" value="retry">Prøv trinnet igen</button>
<button type="submit" name="decision" value="end" class="secondary">Afslut forløbet</button>
</form>"""
    return layout("Et trin fejlede", body)


def ops_decided_page(link: Link, decision: str) -> str:
    if decision == "retry":
        return message_page("Trinnet prøves igen", f"Forløbet for ansøgning {link.record_id} fortsætter nu.")
    return message_page(
        "Forløbet er afsluttet",
        f"Forløbet for ansøgning {link.record_id} er afsluttet. Husk at kontakte ansøgeren personligt.",
    )
