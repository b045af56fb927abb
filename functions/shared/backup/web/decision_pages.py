"""The consultant's page for one screening step, with what that step needs recorded."""

from __future__ import annotations

from typing import Any

from backup.domain.applications import INTEREST_LABELS, Availability, Interest
from backup.domain.executions import execution_name
from backup.domain.kinds import RecordKind
from backup.domain.links import DeadLink, Link, LinkKind
from backup.domain.records import Person, Record, Volunteer, YoungPerson
from backup.domain.referrals import Placement
from backup.domain.step_fields import LABELS, STEP_FIELDS, StepField
from backup.web.html import NOTES_HINT, definition_list, e, error_summary, field_error, layout, message_page, text_field


def readable_phone(phone: str) -> str:
    """+4512345678 as +45 12 34 56 78, easy to read out on a call."""
    if phone.startswith("+45") and len(phone) == 11:
        digits = phone[3:]
        return "+45 " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    return phone


def _interests(values: tuple[str, ...]) -> str:
    return ", ".join(INTEREST_LABELS[Interest(i)] if i in Interest._value2member_map_ else i for i in values)


def _availability(value: str) -> str:
    return Availability(value).label if value in Availability._value2member_map_ else ""


def _summary(person: Person) -> str:
    """What the consultant knows of the person so far."""
    if isinstance(person, YoungPerson):
        d = person.details
        placement = Placement(d.placement).label if d.placement in Placement._value2member_map_ else d.placement
        return definition_list(
            [
                ("Fornavn", d.first_name),
                ("E-mail", d.email or "—"),
                ("Telefon", readable_phone(d.phone or "") or "—"),
                ("Fødselsdato", d.birth_date),
                ("Postnummer", d.postcode),
                ("Bor", placement),
                ("Interesser", _interests(d.interests)),
                ("Kan mødes", _availability(d.availability)),
                ("Ønsker", d.wishes),
                ("Kontaktperson", f"{d.contact_adult_name}, {d.contact_adult_email}, {d.contact_adult_organisation}"),
                ("Samtykke", _consents(person)),
            ]
        )
    assert isinstance(person, Volunteer)
    v = person.details
    return definition_list(
        [
            ("Navn", v.full_name),
            ("E-mail", v.email),
            ("Telefon", readable_phone(v.phone)),
            ("Fødselsdato", v.birth_date),
            ("Adresse", f"{v.address}, {v.postcode} {v.city}"),
            ("Interesser", _interests(v.interests)),
            ("Kan mødes", _availability(v.availability)),
            ("Motivation", v.motivation),
            ("Erfaring", v.experience or "—"),
            ("Referencer", " · ".join(v.references)),
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


# a screening step decides an application; a renewal records a new certificate for a volunteer
_STEP = {
    "title": "{stage}",
    "who": "Ansøgning",
    "person": "Ansøgeren",
    "step": "Trinnet: {stage}",
    "reason": "Begrundelse, hvis du afviser",
    "reason_hint": "Sendes ikke til ansøgeren, som får et venligt afslag uden begrundelsen; ansøgeren kan dog få indsigt i den.",
    "approve": "Godkend {stage}",
    "reject": "Afvis ansøgningen",
}
_RENEWAL = {
    "title": "Fornyet børneattest",
    "who": "Frivillig",
    "person": "Den frivillige",
    "step": "Den nye børneattest",
    "reason": "Begrundelse, hvis attesten har anmærkninger",
    "reason_hint": "Den frivillige suspenderes fra puljen og alle match, og driften får besked. Den frivillige kan få indsigt i begrundelsen.",
    "approve": "Registrér den nye attest",
    "reject": "Attesten har anmærkninger: suspendér",
}


def decision_page(
    link: Link,
    person: Person,
    csrf_token: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    values = values or {}
    errors = errors or {}
    stage = link.stage or person.stage
    name = person.details.full_name if isinstance(person, Volunteer) else person.first_name
    fields = "".join(_step_control(f, values, errors) for f in STEP_FIELDS.get(stage, ()))
    wording = _RENEWAL if link.kind is LinkKind.RENEWAL else _STEP
    until = person.cleared_until if isinstance(person, Volunteer) else None
    situation = (
        f"Den frivillige er godkendt, og den nuværende børneattest gælder til og med {until:%d.%m.%Y}. "
        if wording is _RENEWAL and until is not None
        else ""
    )
    body = f"""
<h1>{e(wording["title"].format(stage=stage.label))}: {e(name)}</h1>
<p>{e(situation)}{e(wording["who"])} {e(link.record_id)}. Linket er sendt til {e(link.sent_to)}; din afgørelse
registreres i dit navn. Intet ændres, før du trykker på en af knapperne nederst.</p>
{error_summary(errors, LABELS)}
<h2>{e(wording["person"])}</h2>
{_summary(person)}
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<h2>{e(wording["step"].format(stage=stage.label))}</h2>
{fields}
{text_field("notes", LABELS["notes"], values, errors, multiline=True, required=False, hint=NOTES_HINT)}
{
        text_field(
            "reason",
            e(wording["reason"]),
            values,
            errors,
            multiline=True,
            required=False,
            hint=wording["reason_hint"],
        )
    }
<button type="submit" name="decision" value="approve">{e(wording["approve"].format(stage=stage.label.lower()))}</button>
<button type="submit" name="decision" value="reject" class="secondary">{e(wording["reject"])}</button>
</form>"""
    return layout(f"{stage.label} – afgørelse", body)


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
