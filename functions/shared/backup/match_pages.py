"""Pages behind the match links: the consultant's choice, the introduction meeting, and the two
answers to "do you want to continue?"."""

from __future__ import annotations

from datetime import date
from typing import Any

from backup.applications import INTEREST_LABELS, Interest
from backup.eligibility import age_on
from backup.links import Link
from backup.pages import e, error_summary, field_error, layout, message_page, text_field
from backup.postcodes import POSTCODES

LABELS = {"decision": "Valg", "reason": "Begrundelse", "intro_date": "Dato for mødet", "notes": "Noter"}


def _interests(values: list[str]) -> str:
    return ", ".join(INTEREST_LABELS[Interest(i)] if i in Interest._value2member_map_ else i for i in values)


def _place(postcode: str) -> str:
    found = POSTCODES.get(postcode)
    return f"{postcode} {found.city}" if found else postcode


def _age(born: str, today: date) -> str:
    try:
        return f"{age_on(date.fromisoformat(born), today)} år"
    except ValueError:
        return ""


def proposal_page(link: Link, match: dict[str, Any], youth: dict[str, Any], volunteers: dict[str, dict[str, Any]],
                  csrf_token: str, today: date, values: dict[str, Any] | None = None,
                  errors: dict[str, str] | None = None) -> str:
    values = values or {}
    errors = errors or {}
    y = youth["details"]
    preferences = y.get("preferences") or {}
    wished = ", ".join(filter(None, [
        {"female": "en kvinde", "male": "en mand"}.get(preferences.get("volunteer_gender") or "", ""),
        f"alder {preferences['volunteer_age']}" if preferences.get("volunteer_age") else "",
    ])) or "ingen særlige"
    options = []
    for index, candidate in enumerate([match["details"]["chosen"], *match["details"].get("alternatives", [])]):
        volunteer = volunteers.get(candidate["volunteer_id"], {}).get("details", {})
        value = f"chosen:{candidate['volunteer_id']}"
        checked = " checked" if values.get("decision", "chosen:" + match["details"]["chosen"]["volunteer_id"]) == value else ""
        title = "Forslaget" if index == 0 else f"Alternativ {index}"
        options.append(
            f"<label class=\"choice\"><input type=\"radio\" name=\"decision\" value=\"{e(value)}\""
            f"{' id=' + chr(34) + 'decision' + chr(34) if index == 0 else ''}{checked}>"
            f"<span><strong>{title}: {e(volunteer.get('first_name', ''))} {e(volunteer.get('last_name', ''))}</strong>"
            f" ({e(_age(volunteer.get('birth_date', ''), today))}, {e(_place(volunteer.get('postcode', '')))})<br>"
            f"{e(candidate['reason'])}<br><span class=\"hint\">Interesser: {e(_interests(volunteer.get('interests', [])))}"
            f"</span></span></label>")
    none_checked = " checked" if values.get("decision") == "none" else ""
    body = f"""
<h1>Forslag til en frivillig for {e(y.get('first_name', ''))}</h1>
{error_summary(errors, LABELS)}
<div class="box"><p><strong>{e(y.get('first_name', ''))}</strong>, {e(_age(y.get('birth_date', ''), today))},
{e(_place(y.get('postcode', '')))}.</p>
<p>Interesser: {e(_interests(y.get('interests', [])))}</p>
<p>Ønsker: {e(y.get('wishes', ''))}</p><p>Ønsker en frivillig: {e(wished)}</p></div>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<fieldset><legend>Hvem vil I introducere?</legend>{field_error("decision", errors)}
{''.join(options)}
<label class="choice"><input type="radio" name="decision" value="none"{none_checked}> Ingen af dem</label>
</fieldset>
{text_field("reason", "Begrundelse, hvis ingen af dem passer", values, errors, multiline=True, required=False,
            hint="Kun til internt brug. Parret foreslås ikke igen.")}
{text_field("notes", LABELS["notes"], values, errors, multiline=True, required=False)}
<button type="submit">Gem valget</button>
</form>"""
    return layout("Forslag til match", body)


def intro_page(link: Link, youth_name: str, volunteer_name: str, csrf_token: str,
               values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> str:
    values = values or {}
    errors = errors or {}
    body = f"""
<h1>Introduktionsmødet: {e(youth_name)} og {e(volunteer_name)}</h1>
{error_summary(errors, LABELS)}
<p>Registrér mødet, når det har fundet sted. Derefter får de hver deres link og bliver spurgt, om de vil fortsætte.</p>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<input type="hidden" name="decision" value="held">
{text_field("intro_date", LABELS["intro_date"], values, errors, kind="date")}
{text_field("notes", LABELS["notes"], values, errors, multiline=True, required=False)}
<button type="submit">Registrér mødet</button>
</form>"""
    return layout("Introduktionsmøde", body)


def continue_page(link: Link, first_name: str, csrf_token: str) -> str:
    body = f"""
<h1>Vil du fortsætte, {e(first_name)}?</h1>
<p>Tak for introduktionsmødet. Vil du mødes igen og fortsætte i BackUp? Der er ingen forkerte svar,
og vi fortæller ikke den anden, hvad du har svaret.</p>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<button type="submit" name="decision" value="yes">Ja, jeg vil gerne fortsætte</button>
<button type="submit" name="decision" value="no" class="secondary">Nej tak</button>
</form>"""
    return layout("Vil du fortsætte?", body)


def answered_page(link: Link, decision: str) -> str:
    if link.kind.value == "CONTINUE":
        return message_page("Tak for dit svar", "Vi har modtaget dit svar, og konsulenten kontakter dig snart.")
    if decision == "none":
        return message_page("Valget er gemt", "Ingen af dem introduceres. Vi leder efter et nyt forslag.")
    if decision == "held":
        return message_page("Mødet er registreret", "Nu spørger vi dem begge, om de vil fortsætte.")
    return message_page("Valget er gemt", "Tak. Næste skridt er introduktionsmødet; du får et link til at "
                        "registrere det, når det har fundet sted.")


def check_match_decision(link: Link, match: dict[str, Any], form: dict[str, Any],
                         today: date) -> tuple[str, dict[str, str], dict[str, str]]:
    """The decision a match link's form carries, what to record with it, and a Danish message
    per problem."""
    decision = str(form.get("decision", ""))
    kind = link.kind.value
    if kind == "PROPOSAL":
        allowed = {f"chosen:{c['volunteer_id']}" for c in [match["details"]["chosen"],
                                                           *match["details"].get("alternatives", [])]}
        if decision == "none":
            reason = str(form.get("reason", "")).strip()[:2000]
            if not reason:
                return decision, {}, {"reason": "Skriv kort, hvorfor ingen af dem passer (kun til internt brug)."}
            return decision, {"reason": reason}, {}
        if decision not in allowed:
            return decision, {}, {"decision": "Vælg en af de foreslåede frivillige eller ingen."}
        return decision, {}, {}
    if kind == "INTRO":
        held = str(form.get("intro_date", "")).strip()
        problem = intro_date_error(held, today)
        return "held", {"intro_date": held}, ({"intro_date": problem} if problem else {})
    if decision not in {"yes", "no"}:
        return decision, {}, {"decision": "Vælg ja eller nej."}
    return decision, {}, {}


def intro_date_error(value: str, today: date) -> str | None:
    try:
        held = date.fromisoformat(value)
    except ValueError:
        return "Skriv datoen for mødet som ÅÅÅÅ-MM-DD."
    if held > today:
        return "Registrér mødet, når det har fundet sted; datoen kan ikke ligge i fremtiden."
    return None
