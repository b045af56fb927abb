"""Pages behind the match links: the consultant's choice, the introduction meeting, and the two
answers to "do you want to continue?"."""

from __future__ import annotations

from datetime import date
from typing import Any

from backup.domain.links import Link, LinkKind
from backup.domain.match_choices import INTRO_ENDED, INTRO_HELD, INTRO_RESCHEDULED
from backup.domain.records import ProposalRecord, Volunteer, YoungPerson
from backup.domain.regions import Contact
from backup.web.html import e, error_summary, field_error, layout, message_page, text_field
from backup.web.person_facts import age, interests, place, wished_volunteer

LABELS = {
    "decision": "Valg",
    "intro_date": "Dato for mødet",
    "new_date": "Den nye dato",
    "reason": "Begrundelse",
    "notes": "Noter",
}


def proposal_page(
    link: Link,
    match: ProposalRecord,
    youth: YoungPerson,
    volunteers: dict[str, Volunteer],
    csrf_token: str,
    today: date,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    values = values or {}
    errors = errors or {}
    y = youth.details
    wished = wished_volunteer(y.preferences)
    options = []
    for index, candidate in enumerate(match.candidates):
        found = volunteers.get(candidate.volunteer_id)
        volunteer = found.details if found else None
        value = f"chosen:{candidate.volunteer_id}"
        checked = " checked" if values.get("decision", "chosen:" + match.chosen.volunteer_id) == value else ""
        title = "Forslaget" if index == 0 else f"Alternativ {index}"
        name = volunteer.full_name if volunteer else ""
        about = f"{age(volunteer.birth_date, today)}, {place(volunteer.postcode)}" if volunteer else ""
        options.append(
            f'<label class="choice"><input type="radio" name="decision" value="{e(value)}"'
            f"{' id=' + chr(34) + 'decision' + chr(34) if index == 0 else ''}{checked}>"
            f"<span><strong>{title}: {e(name)}</strong> ({e(about)})<br>"
            f'{e(candidate.reason)}<br><span class="hint">Interesser: '
            f"{e(interests(volunteer.interests if volunteer else ()))}</span></span></label>"
        )
    none_checked = " checked" if values.get("decision") == "none" else ""
    body = f"""
<h1>Forslag til en frivillig for {e(y.first_name)}</h1>
{error_summary(errors, LABELS)}
<div class="box"><p><strong>{e(y.first_name)}</strong>, {e(age(y.birth_date, today))},
{e(place(y.postcode))}.</p>
<p>Interesser: {e(interests(y.interests))}</p>
<p>Ønsker: {e(y.wishes)}</p><p>Ønsker en frivillig: {e(wished)}</p></div>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<fieldset><legend>Hvem vil I introducere?</legend>{field_error("decision", errors)}
{"".join(options)}
<label class="choice"><input type="radio" name="decision" value="none"{none_checked}> Ingen af dem</label>
</fieldset>
{
        text_field(
            "reason",
            "Begrundelse, hvis ingen af dem passer",
            values,
            errors,
            multiline=True,
            required=False,
            hint="Parret foreslås ikke igen. Til internt brug; de to kan få indsigt i det, så skriv sagligt.",
        )
    }
{text_field("notes", LABELS["notes"], values, errors, multiline=True, required=False)}
<button type="submit">Gem valget</button>
</form>"""
    return layout("Forslag til match", body)


def intro_page(
    link: Link,
    youth_name: str,
    volunteer_name: str,
    csrf_token: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    """The introduction: held (on a date), moved to a new date, or not going to happen (why)."""
    values = values or {"decision": INTRO_HELD}
    errors = errors or {}

    def option(value: str, text: str, field: str) -> str:
        checked = " checked" if values.get("decision") == value else ""
        first = ' id="decision"' if value == INTRO_HELD else ""
        return (
            f'<label class="choice"><input type="radio" name="decision" value="{value}"{first}{checked}>'
            f"<span>{e(text)}</span></label>{field}"
        )

    held = text_field("intro_date", LABELS["intro_date"], values, errors, kind="date", required=False, optional="")
    moved = text_field("new_date", LABELS["new_date"], values, errors, kind="date", required=False, optional="")
    ended = text_field(
        "reason",
        LABELS["reason"],
        values,
        errors,
        multiline=True,
        required=False,
        optional="",
        hint="Til internt brug; de to kan få indsigt i det, så skriv sagligt. Parret foreslås ikke igen.",
    )
    body = f"""
<h1>Introduktionsmødet: {e(youth_name)} og {e(volunteer_name)}</h1>
{error_summary(errors, LABELS)}
<p>Registrér mødet, når det har fundet sted: så får de hver deres link og bliver spurgt, om de vil fortsætte.
Er mødet flyttet, får du et nyt link til den nye dato. Bliver det ikke til noget, kommer de begge tilbage
til puljen og får samme venlige besked, uden at nogen får skylden.</p>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<fieldset><legend>Hvordan gik det med mødet?</legend>{field_error("decision", errors)}
{option(INTRO_HELD, "Mødet er holdt", held)}
{option(INTRO_RESCHEDULED, "Mødet blev ikke holdt, men er flyttet til en ny dato", moved)}
{option(INTRO_ENDED, "Mødet bliver ikke til noget", ended)}
</fieldset>
{text_field("notes", LABELS["notes"], values, errors, multiline=True, required=False)}
<button type="submit">Registrér</button>
</form>"""
    return layout("Introduktionsmøde", body)


def continue_page(link: Link, first_name: str, csrf_token: str, contact: Contact | None = None) -> str:
    body = f"""
<h1>Vil du fortsætte, {e(first_name)}?</h1>
<p>Tak for introduktionsmødet. Vil du mødes igen og fortsætte i BackUp? Der er ingen forkerte svar,
og vi fortæller ikke den anden, hvad du har svaret.</p>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<button type="submit" name="decision" value="yes">Ja, jeg vil gerne fortsætte</button>
<button type="submit" name="decision" value="no" class="secondary">Nej tak</button>
</form>"""
    return layout("Vil du fortsætte?", body, contact)


def confirm_no_page(first_name: str, csrf_token: str, contact: Contact | None = None) -> str:
    """The "no" asked once more: nothing is recorded until they press again, and going back is one tap."""
    body = f"""
<h1>Er du sikker, {e(first_name)}?</h1>
<p>Du har trykket "Nej tak". Dit svar er ikke sendt endnu.</p>
<p>Siger du nej, fortsætter I ikke sammen i BackUp. Vi fortæller ikke den anden, hvad du har svaret, og
konsulenten kontakter dig om, hvad der nu skal ske. Det er helt i orden at sige nej.</p>
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<input type="hidden" name="confirm" value="yes">
<button type="submit" name="decision" value="no">Ja, jeg vil ikke fortsætte</button>
<button type="submit" name="decision" value="back" class="secondary">Nej, tilbage til spørgsmålet</button>
</form>"""
    return layout("Er du sikker?", body, contact)


def answered_page(link: Link, decision: str, contact: Contact | None = None) -> str:
    if link.kind is LinkKind.CONTINUE:
        return message_page(
            "Tak for dit svar", "Vi har modtaget dit svar, og konsulenten kontakter dig snart.", contact=contact
        )
    if decision == "none":
        return message_page("Valget er gemt", "Ingen af dem introduceres. Vi leder efter et nyt forslag.")
    if decision == INTRO_HELD:
        return message_page("Mødet er registreret", "Nu spørger vi dem begge, om de vil fortsætte.")
    if decision == INTRO_RESCHEDULED:
        return message_page(
            "Den nye dato er gemt", "Du får et nyt link til at registrere mødet; påmindelserne begynder forfra."
        )
    if decision == INTRO_ENDED:
        return message_page(
            "Det er registreret",
            "De to kommer tilbage til puljen og får begge samme venlige besked. Parret foreslås ikke igen.",
        )
    return message_page(
        "Valget er gemt",
        "Tak. Næste skridt er introduktionsmødet; du får et link til at registrere det, når det har fundet sted.",
    )
