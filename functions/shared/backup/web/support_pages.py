"""Pages behind a match's support links: the consultant records the roles agreed with the contact
adult and each check-in; the contact adult confirms the roles with one tap."""

from __future__ import annotations

from typing import Any

from backup.domain.closure import KINDS, REASONS, VOLUNTEER_NEXT, YOUTH_NEXT
from backup.domain.concerns import DECISIONS, PARTIES
from backup.domain.evidence import Evidence
from backup.domain.links import Link, LinkKind
from backup.domain.pulse import ANSWERS
from backup.domain.support import HOW, WITH_WHOM
from backup.web.html import (
    NOTES_HINT,
    checkbox_group,
    definition_list,
    e,
    error_summary,
    layout,
    message_page,
    single_checkbox,
    text_field,
)

LABELS = {
    "decision": "Valg",
    "volunteer_role": "Den frivilliges rolle",
    "professional_role": "Kontaktpersonens eller efterværnets rolle",
    "contact": "Sådan når de hinanden",
    "check_in_date": "Dato for samtalen",
    "with_whom": "Hvem talte du med",
    "how": "Hvordan går det",
    "activities": "Hvad vil de lave sammen",
    "frequency": "Hvor tit vil de ses",
    "notes": "Noter",
}


CLOSURE_LABELS = {
    "closure_kind": "Er afslutningen planlagt",
    "closure_reason": "Årsag",
    "exit_youth_date": "Dato for afslutningssamtalen med den unge",
    "exit_volunteer_date": "Dato for afslutningssamtalen med den frivillige",
    "youth_next": "Hvad vil den unge nu",
    "volunteer_next": "Hvad vil den frivillige nu",
    "decision": "Valg",
    "notes": "Noter",
}


def _form(csrf_token: str, fields: str, button: str, decision: str = "recorded", other: str = "") -> str:
    """The step's form; `other` is a second button (it submits without the browser's checks)."""
    return f"""<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
{fields}
<button type="submit" name="decision" value="{e(decision)}">{e(button)}</button>
{other}
</form>"""


def _roles(roles: Evidence) -> str:
    """The agreed roles as recorded."""
    return definition_list(
        (LABELS[name], roles.fields.get(name, "")) for name in ("volunteer_role", "professional_role", "contact")
    )


def roles_page(
    youth_name: str,
    volunteer_name: str,
    csrf_token: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    values = values or {}
    errors = errors or {}
    fields = "".join(
        (
            text_field("volunteer_role", LABELS["volunteer_role"], values, errors, multiline=True, maxlength=2000),
            text_field(
                "professional_role",
                LABELS["professional_role"],
                values,
                errors,
                multiline=True,
                maxlength=2000,
                hint="Den frivillige supplerer den professionelle støtte; skriv, hvad der fortsat ligger hos dem.",
            ),
            text_field("contact", LABELS["contact"], values, errors, multiline=True, maxlength=2000),
            text_field("notes", LABELS["notes"], values, errors, multiline=True, required=False, hint=NOTES_HINT),
        )
    )
    body = f"""
<h1>Rollefordeling: {e(youth_name)} og {e(volunteer_name)}</h1>
{error_summary(errors, LABELS)}
<p>Skriv, hvad I har aftalt med kontaktpersonen eller efterværnet: hvem gør hvad, og hvordan når I
hinanden. Kontaktpersonen får aftalen til bekræftelse.</p>
{_form(csrf_token, fields, "Gem aftalen")}"""
    return layout("Rollefordeling", body)


def check_in_page(
    youth_name: str,
    volunteer_name: str,
    number: int,
    roles: Evidence | None,
    csrf_token: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    values = values or {}
    errors = errors or {}
    chosen = values.get("with_whom", [])
    whom = [w for w in (chosen if isinstance(chosen, list) else [chosen]) if isinstance(w, str)]  # any type sent
    how = str(values.get("how", ""))
    first = number == 1
    fields = [
        text_field("check_in_date", LABELS["check_in_date"], values, errors, kind="date"),
        checkbox_group("with_whom", LABELS["with_whom"], WITH_WHOM.items(), whom, errors),
        checkbox_group("how", LABELS["how"], HOW.items(), [how], errors, kind="radio"),
    ]
    if first:
        fields += [
            text_field("activities", LABELS["activities"], values, errors, multiline=True, maxlength=2000),
            text_field("frequency", LABELS["frequency"], values, errors, maxlength=200, hint="For eksempel: hver uge."),
        ]
    fields.append(text_field("notes", LABELS["notes"], values, errors, multiline=True, required=False, hint=NOTES_HINT))
    agreed = "<h2>Den aftalte rollefordeling</h2>" + _roles(roles) if roles else ""
    body = f"""
<h1>Opfølgning nr. {number}: {e(youth_name)} og {e(volunteer_name)}</h1>
{error_summary(errors, LABELS)}
<p>Registrér samtalen: hvornår, med hvem, og hvordan det går.</p>
{_form(csrf_token, "".join(fields), "Gem opfølgningen", other=CLOSE_BUTTON)}
{agreed}"""
    return layout("Opfølgning", body)


CLOSE_BUTTON = (
    '<p class="hint">Skal matchet afsluttes? Så får du en side til årsagen og afslutningssamtalerne.</p>'
    '<button type="submit" name="decision" value="close" class="secondary" formnovalidate>'
    "Matchet skal afsluttes</button>"
)


def closure_page(
    youth_name: str,
    volunteer_name: str,
    csrf_token: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    values = values or {}
    errors = errors or {}

    def chosen(name: str) -> list[str]:
        return [str(values.get(name, ""))]

    reasons = [
        (key, f"{text} ({'planlagt' if planned else 'ikke planlagt'})") for key, (text, planned) in REASONS.items()
    ]
    fields = "".join(
        (
            checkbox_group(
                "closure_kind",
                CLOSURE_LABELS["closure_kind"],
                KINDS.items(),
                chosen("closure_kind"),
                errors,
                kind="radio",
            ),
            checkbox_group(
                "closure_reason",
                CLOSURE_LABELS["closure_reason"],
                reasons,
                chosen("closure_reason"),
                errors,
                kind="radio",
            ),
            text_field("exit_youth_date", CLOSURE_LABELS["exit_youth_date"], values, errors, kind="date"),
            text_field("exit_volunteer_date", CLOSURE_LABELS["exit_volunteer_date"], values, errors, kind="date"),
            checkbox_group(
                "youth_next",
                CLOSURE_LABELS["youth_next"],
                YOUTH_NEXT.items(),
                chosen("youth_next"),
                errors,
                kind="radio",
            ),
            checkbox_group(
                "volunteer_next",
                CLOSURE_LABELS["volunteer_next"],
                VOLUNTEER_NEXT.items(),
                chosen("volunteer_next"),
                errors,
                kind="radio",
                hint="Den frivillige kommer kun tilbage i puljen, hvis børneattest og uddannelse stadig gælder.",
            ),
            text_field("notes", LABELS["notes"], values, errors, multiline=True, required=False, hint=NOTES_HINT),
        )
    )
    body = f"""
<h1>Afslutning: {e(youth_name)} og {e(volunteer_name)}</h1>
{error_summary(errors, CLOSURE_LABELS)}
<p>Registrér, hvorfor matchet slutter, og afslutningssamtalen med hver af dem. Når du gemmer, afsluttes
matchet: begge får et venligt brev, og kontaktpersonen orienteres. Intet slettes.</p>
{_form(csrf_token, fields, "Afslut matchet", decision="close")}"""
    return layout("Afslutning af match", body)


def confirm_roles_page(youth_name: str, roles: Evidence | None, csrf_token: str) -> str:
    rows = _roles(roles) if roles else ""
    body = f"""
<h1>Rollefordelingen om {e(youth_name)}</h1>
<p>Sådan har konsulenten i Røde Kors skrevet jeres aftale ned. Passer den, så bekræft den her. Passer den
ikke, så kontakt konsulenten; så retter I den sammen.</p>
{rows}
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<button type="submit" name="decision" value="confirmed">Ja, det er det, vi har aftalt</button>
</form>"""
    return layout("Bekræft rollefordelingen", body)


def support_recorded_page(link: Link) -> str:
    if link.kind is LinkKind.ROLES:
        return message_page("Aftalen er gemt", "Tak. Kontaktpersonen får den nu til bekræftelse.")
    if link.kind is LinkKind.ROLES_CONFIRM:
        return message_page("Tak for bekræftelsen", "Aftalen er bekræftet. Du skal ikke gøre mere.")
    if link.kind is LinkKind.CONCERN_DECISION:
        return message_page(
            "Beslutningen er gemt", "Tak. Matchet fortsætter, holder pause eller afsluttes, som du valgte."
        )
    if link.kind is LinkKind.CLOSURE:
        return message_page("Matchet er afsluttet", "Tak. Begge får et venligt brev, og kontaktpersonen orienteres.")
    if link.decision == "close":
        return message_page("Afslutningen er sat i gang", "Du får nu et link til at registrere afslutningen.")
    return message_page("Opfølgningen er gemt", "Tak. Du får et nyt link, når den næste opfølgning skal finde sted.")


def concern_page(
    party: str, csrf_token: str, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> str:
    """The short "Jeg er bekymret" page: what worries them, and whether it is about someone's safety."""
    values = values or {}
    errors = errors or {}
    labels = {"concern": "Hvad er du bekymret for?", "safeguarding": "Sikkerhed"}
    body = f"""
<h1>Jeg er bekymret</h1>
{error_summary(errors, labels)}
<p>Skriv kort, hvad du er bekymret for. Konsulenten i Røde Kors får besked med det samme og kontakter
dig. Er nogen i fare lige nu, så ring 112.</p>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
{text_field("concern", labels["concern"], values, errors, multiline=True, maxlength=2000)}
{single_checkbox("safeguarding", "Det handler om et barns eller en ung persons sikkerhed", values, errors)}
<button type="submit" name="decision" value="concern">Send til konsulenten</button>
</form>
<p class="hint">Du skriver som {e(party)} i matchet.</p>"""
    return layout("Jeg er bekymret", body)


def concern_sent_page() -> str:
    return message_page("Tak, vi har fået din besked", "Konsulenten har fået besked nu og kontakter dig snart.")


def concern_refused_page() -> str:
    return message_page(
        "Matchet er afsluttet",
        "Matchet er ikke længere i gang, så beskeden er ikke sendt herfra. Er du bekymret, så kontakt Røde Kors "
        "direkte; adressen står på siden om, hvordan Røde Kors behandler oplysninger (linket nederst).",
    )


def concern_decision_page(
    youth_name: str,
    volunteer_name: str,
    concerns: list[Evidence],
    suspended: bool,
    paused: bool,
    csrf_token: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    values = values or {}
    errors = errors or {}
    labels = {"decision": "Beslutning", "clear_reason": "Hvorfor er det trygt at fortsætte", "notes": "Noter"}
    shown = "".join(
        f"<li><strong>{e(PARTIES.get(c.fields.get('party', ''), 'en af parterne'))}</strong>, "
        f"{c.decided_at:%d.%m.%Y}{' (sikkerhed)' if c.fields.get('safeguarding') == 'yes' else ''}: "
        f"{e(c.fields.get('concern', ''))}</li>"
        for c in sorted(concerns, key=lambda c: c.decided_at)
    )
    state = "Matchet er sat på pause. " if paused else ""
    clear = (
        text_field(
            "clear_reason",
            labels["clear_reason"],
            values,
            errors,
            multiline=True,
            required=False,
            hint="Den frivillige er suspenderet. Fortsætter matchet, ophæves suspenderingen; skriv hvorfor.",
        )
        if suspended
        else ""
    )
    body = f"""
<h1>Bekymring: {e(youth_name)} og {e(volunteer_name)}</h1>
{error_summary(errors, labels)}
<p>{e(state)}Læs bekymringerne, tal med dem, det angår, og beslut, hvad der nu skal ske.</p>
<ul>{shown or "<li>Ingen nye bekymringer; matchet har været på pause en måned.</li>"}</ul>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
{checkbox_group("decision", labels["decision"], DECISIONS.items(), [str(values.get("decision", ""))], errors, kind="radio")}
{clear}
{text_field("notes", labels["notes"], values, errors, multiline=True, required=False, hint=NOTES_HINT)}
<button type="submit">Gem beslutningen</button>
</form>"""
    return layout("Bekymring", body)


def pulse_page(csrf_token: str, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> str:
    """ "Hvordan går det?": one tap, and a comment if they want."""
    values = values or {}
    errors = errors or {}
    labels = {"decision": "Hvordan går det", "comment": "Kommentar"}
    buttons = "".join(
        f'<button type="submit" name="decision" value="{e(value)}"{" class=secondary" if value != "godt" else ""}>'
        f"{e(text)}</button> "
        for value, text in ANSWERS.items()
    )
    body = f"""
<h1>Hvordan går det?</h1>
{error_summary(errors, labels)}
<p>Tryk på det, der passer bedst. Vil du skrive lidt mere, så skriv det først i feltet.</p>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
{text_field("comment", labels["comment"], values, errors, multiline=True, required=False, maxlength=2000)}
<div role="group" aria-label="Hvordan går det">{buttons}</div>
</form>"""
    return layout("Hvordan går det?", body)
