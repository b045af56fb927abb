"""The volunteer application form and its receipt page."""

from __future__ import annotations

from typing import Any

from backup.domain.applications import LIMITS, Availability, Interest, VolunteerApplication
from backup.domain.consent import STATEMENTS, VOLUNTEER_CONSENTS
from backup.web.check_answers import answer_rows, check_answers_page
from backup.web.date_fields import date_parts_field
from backup.web.html import (
    checkbox_group,
    e,
    error_summary,
    field_error,
    layout,
    single_checkbox,
    text_field,
)
from backup.web.person_facts import interests as interest_words

LABELS = {
    "first_name": "Fornavn",
    "last_name": "Efternavn",
    "email": "E-mail",
    "phone": "Telefon",
    "birth_date": "Fødselsdato",
    "address": "Adresse",
    "postcode": "Postnummer",
    "city": "By",
    "interests": "Interesser",
    "availability": "Hvor tit kan du mødes?",
    "motivation": "Hvorfor vil du være frivillig i BackUp?",
    "experience": "Erfaring med unge",
    "gender": "Køn",
    "references": "Referencer",
    "consent_data": "Samtykke til behandling af oplysninger",
    "consent_child_certificate": "Samtykke til børneattest",
    "commitment": "Tid til et års forløb",
    "form": "Formularen",
}

HONEYPOT = "website"


def application_form(values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> str:
    values = values or {}
    errors = errors or {}
    interests = values.get("interests") or []
    interests = [interests] if isinstance(interests, str) else list(interests)
    known = {i.value for i in Interest}
    free = [i for i in interests if i not in known and str(i).strip()]
    references = values.get("references") or []
    references = [references] if isinstance(references, str) else list(references)
    references = (references + ["", ""])[:2]
    title = "Bliv frivillig i BackUp"
    if errors:
        title = "Ret venligst ansøgningen"
    body = f"""
<h1>Bliv frivillig i BackUp</h1>
<p>BackUp matcher unge, der bor i plejefamilie, på opholdssted eller døgninstitution, med en frivillig voksen,
som de kan tage med sig videre i livet. Det tager cirka 10 minutter at udfylde ansøgningen.
Felter er påkrævede, medmindre der står "valgfrit".</p>
{error_summary(errors, LABELS)}
<form method="post" action="/apply" novalidate>
<h2>Om dig</h2>
{
        text_field(
            "first_name",
            LABELS["first_name"],
            values,
            errors,
            autocomplete="given-name",
            maxlength=LIMITS["first_name"],
        )
    }
{
        text_field(
            "last_name", LABELS["last_name"], values, errors, autocomplete="family-name", maxlength=LIMITS["last_name"]
        )
    }
{text_field("email", LABELS["email"], values, errors, kind="email", autocomplete="email")}
{text_field("phone", LABELS["phone"], values, errors, kind="tel", autocomplete="tel", hint="8 cifre, fx 12 34 56 78")}
{date_parts_field("birth_date", LABELS["birth_date"], values, errors, hint="Frivillige skal være fyldt 25 år.")}
{text_field("address", LABELS["address"], values, errors, autocomplete="street-address", maxlength=LIMITS["address"])}
{
        text_field(
            "postcode",
            LABELS["postcode"],
            values,
            errors,
            autocomplete="postal-code",
            inputmode="numeric",
            hint="4 cifre. Vi bruger det til at finde en konsulent og en ung i nærheden af dig.",
        )
    }
{text_field("city", LABELS["city"], values, errors, autocomplete="address-level2", maxlength=LIMITS["city"])}
<h2>Dig som frivillig</h2>
{
        checkbox_group(
            "interests",
            LABELS["interests"],
            [(i.value, i.label) for i in Interest],
            interests,
            errors,
            hint="Vælg dem, der passer på dig. Vi bruger dem til at finde en ung med noget til fælles.",
        )
    }
<label for="interests-other">Andre interesser (valgfrit)</label>
<input type="text" id="interests-other" name="interests" value="{
        e(", ".join(free))
    }" maxlength="200" aria-describedby="interests-other-hint">
<p class="hint" id="interests-other-hint">Skriv flere adskilt af komma.</p>
{
        checkbox_group(
            "availability",
            LABELS["availability"],
            [(a.value, a.label) for a in Availability],
            [values.get("availability", "")],
            errors,
            kind="radio",
        )
    }
{
        text_field(
            "motivation",
            LABELS["motivation"],
            values,
            errors,
            multiline=True,
            maxlength=LIMITS["motivation"],
            hint="Fortæl med dine egne ord, hvad du gerne vil give og få.",
        )
    }
{
        text_field(
            "experience",
            LABELS["experience"],
            values,
            errors,
            multiline=True,
            required=False,
            maxlength=LIMITS["experience"],
            hint="Fx fra arbejde, foreningsliv eller familie.",
        )
    }
{
        checkbox_group(
            "gender",
            LABELS["gender"] + " (valgfrit)",
            [*GENDERS.items(), ("", "Ønsker ikke at oplyse")],
            [values.get("gender", "")],
            errors,
            kind="radio",
            hint="Nogle unge ønsker en voksen af et bestemt køn. Vi bruger det kun til at finde et godt match.",
        )
    }
<fieldset aria-describedby="references-hint{" references-error" if "references" in errors else ""}">
<legend>{LABELS["references"]}</legend>
<p class="hint" id="references-hint">To personer, der kender dig, og som vi må ringe eller skrive til. Skriv navn og telefon eller e-mail.</p>
{field_error("references", errors)}
<label for="references">Reference 1</label>
<input type="text" id="references" name="references" value="{e(references[0])}" maxlength="{LIMITS["reference"]}"{
        ' aria-invalid="true"' if "references" in errors else ""
    }>
<label for="references-2">Reference 2</label>
<input type="text" id="references-2" name="references" value="{e(references[1])}" maxlength="{LIMITS["reference"]}"{
        ' aria-invalid="true"' if "references" in errors else ""
    }>
</fieldset>
<h2>Samtykke</h2>
<p>Sådan behandler Røde Kors dine oplysninger, og så længe gemmer vi dem:
<a href="/privatliv">privatlivserklæringen</a>.</p>
{"".join(single_checkbox(key, STATEMENTS[key].text, values, errors) for key in VOLUNTEER_CONSENTS)}
<div class="visually-hidden" aria-hidden="true">
<label for="{HONEYPOT}">Lad dette felt være tomt</label>
<input type="text" id="{HONEYPOT}" name="{HONEYPOT}" tabindex="-1" autocomplete="off">
</div>
<button type="submit">Send ansøgning</button>
</form>"""
    return layout(title, body)


GENDERS = {"female": "Kvinde", "male": "Mand", "other": "Andet"}


def check_application_page(application: VolunteerApplication, data: dict[str, Any]) -> str:
    """The application read back before it is sent."""
    rows = answer_rows(
        application,
        {k: v for k, v in LABELS.items() if k != "form"},
        {"interests": lambda values: interest_words(tuple(values)), "gender": lambda g: GENDERS.get(g or "", "")},
    )
    return check_answers_page(
        "Tjek din ansøgning",
        "Læs dine svar igennem, før du sender ansøgningen. Vil du ændre noget, så tryk på Ret svarene.",
        "/apply",
        rows,
        data,
        "Send ansøgningen",
    )


def receipt_page(volunteer_id: str, first_name: str) -> str:
    body = f"""
<h1>Tak for din ansøgning, {e(first_name)}</h1>
<div class="box ok" role="status">
<p>Vi har modtaget din ansøgning. Dit ansøgningsnummer er <strong>{e(volunteer_id)}</strong>.</p>
</div>
<h2>Hvad sker der nu?</h2>
<ol>
<li>Du får en bekræftelse på e-mail.</li>
<li>En konsulent fra Røde Kors ringer dig op inden for cirka to uger til en samtale.</li>
<li>Derefter følger et hjemmebesøg, en børneattest og et kursus, før du bliver matchet med en ung.</li>
</ol>
<p>Hele forløbet tager typisk nogle måneder. Du kan altid trække din ansøgning tilbage via linket i e-mailen.</p>
"""
    return layout("Tak for din ansøgning", body)
