"""The referral form for a young person, filled in by a contact adult together with the young
person, and its receipt page. Built like the volunteer application form."""

from __future__ import annotations

from enum import Enum
from typing import Any

from backup.domain.applications import LIMITS as APPLICATION_LIMITS
from backup.domain.applications import Availability, Interest
from backup.domain.consent import ELIGIBILITY, STATEMENTS, ConsentForm, GuardianRole
from backup.domain.referrals import (
    LIMITS,
    PREFERENCE_KINDS,
    AgeBand,
    Placement,
    VolunteerGender,
    YouthReferral,
    preference_token,
)
from backup.web.application_form import HONEYPOT
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
from backup.web.person_facts import wished_volunteer

LABELS = {
    "first_name": "Den unges fornavn",
    "birth_date": "Den unges fødselsdato",
    "postcode": "Den unges postnummer",
    "placement": "Hvor bor den unge?",
    "interests": "Den unges interesser",
    "wishes": "Hvilken voksen ønsker den unge sig, og hvad kunne de lave sammen?",
    "preferences": "Ønsker til den frivillige",
    "availability": "Hvor tit kan den unge mødes?",
    "email": "Den unges e-mail",
    "phone": "Den unges telefon",
    "contact_adult_name": "Dit navn",
    "contact_adult_email": "Din e-mail",
    "contact_adult_phone": "Dit telefonnummer",
    "contact_adult_organisation": "Din arbejdsplads eller forvaltning",
    "motivated": "Den unges motivation",
    "no_active_substance_abuse": "Intet aktivt misbrug",
    "can_meet_without_professional_support": "Kan mødes uden fagperson",
    "consent": "Den unges samtykke",
    "guardian_name": "Navn på den, der gav samtykke",
    "guardian_role": "Hvem gav samtykke?",
    "guardian_how": "Hvordan blev samtykket givet?",
    "guardian_date": "Dato for samtykket",
    "form": "Formularen",
}

UNDER_18 = " (når den unge er under 18)"
CONFIRMATIONS = {**ELIGIBILITY, "consent": STATEMENTS["consent"].text}


def _chosen_preferences(value: Any) -> set[str]:
    """The tokens to show as selected, whether the values came from the form or as JSON."""
    if isinstance(value, dict):
        stored = {key: kind for kind, (key, _) in PREFERENCE_KINDS.items()}
        return {f"{stored[k]}:{v}" for k, v in value.items() if k in stored and v}
    if isinstance(value, str):
        return {value}
    return {str(v) for v in value or []}


def _select(field_id: str, label: str, kind: str, options: type[Enum], chosen: set[str], errors: dict[str, str]) -> str:
    """One of the two preference selects; both are named `preferences` and send a token."""
    tokens = [(preference_token(kind, o), getattr(o, "label", o.value)) for o in options]
    # "Ingen præference" is selected only when this select has no choice: the other select's
    # empty value must not mark it too (two selected options in a single select).
    none_chosen = not any(value in chosen for value, _ in tokens)
    rendered = "".join(
        f'<option value="{e(value)}"{" selected" if selected else ""}>{e(text)}</option>'
        for value, text, selected in [("", "Ingen præference", none_chosen)]
        + [(value, text, value in chosen) for value, text in tokens]
    )
    invalid = ' aria-invalid="true"' if "preferences" in errors else ""
    return (
        f'<label for="{e(field_id)}">{e(label)}</label>'
        f'<select id="{e(field_id)}" name="preferences"{invalid}>{rendered}</select>'
    )


def referral_form(values: dict[str, Any] | None = None, errors: dict[str, str] | None = None) -> str:
    values = values or {}
    errors = errors or {}
    interests = values.get("interests") or []
    interests = [interests] if isinstance(interests, str) else list(interests)
    known = {i.value for i in Interest}
    free = [i for i in interests if i not in known and str(i).strip()]
    preferences = _chosen_preferences(values.get("preferences"))
    title = "Henvis en ung til BackUp"
    if errors:
        title = "Ret venligst henvisningen"
    body = f"""
<h1>Henvis en ung til BackUp</h1>
<p>BackUp matcher unge på 14-24 år, der bor i plejefamilie, på opholdssted eller døgninstitution, med en frivillig
voksen, som de kan tage med sig videre i livet. Udfyld henvisningen sammen med den unge, så det er den unges egne
ønsker, der står her. Det tager cirka 10 minutter. Felter er påkrævede, medmindre der står "valgfrit".</p>
{error_summary(errors, LABELS)}
<form method="post" action="/refer" novalidate>
<h2>Om den unge</h2>
{text_field("first_name", LABELS["first_name"], values, errors, autocomplete="off", maxlength=LIMITS["first_name"])}
{
        date_parts_field(
            "birth_date", LABELS["birth_date"], values, errors, hint="BackUp er for unge mellem 14 og 24 år.", own=False
        )
    }
{
        text_field(
            "postcode",
            LABELS["postcode"],
            values,
            errors,
            autocomplete="off",
            inputmode="numeric",
            hint="4 cifre. Vi bruger det til at finde en frivillig i nærheden af den unge.",
        )
    }
{
        checkbox_group(
            "placement",
            LABELS["placement"],
            [(p.value, p.label) for p in Placement],
            [values.get("placement", "")],
            errors,
            kind="radio",
            hint="BackUp er for unge, der er anbragt uden for hjemmet.",
        )
    }
<fieldset aria-describedby="reach-hint">
<legend>Sådan kontakter konsulenten den unge</legend>
<p class="hint" id="reach-hint">Udfyld mindst én af dem: den unges e-mail eller telefon. Gerne begge.</p>
{text_field("email", LABELS["email"], values, errors, kind="email", autocomplete="off", required=False)}
{
        text_field(
            "phone",
            LABELS["phone"],
            values,
            errors,
            kind="tel",
            autocomplete="off",
            required=False,
            hint="8 cifre, fx 12 34 56 78.",
        )
    }
</fieldset>
<h2>Den unges ønsker</h2>
{
        checkbox_group(
            "interests",
            LABELS["interests"],
            [(i.value, i.label) for i in Interest],
            interests,
            errors,
            hint="Vælg dem, der passer på den unge. Vi bruger dem til at finde en frivillig med noget til fælles.",
        )
    }
<label for="interests-other">Andre interesser (valgfrit)</label>
<input type="text" id="interests-other" name="interests" value="{e(", ".join(free))}"
 maxlength="{APPLICATION_LIMITS["interest_text"]}">
{
        text_field(
            "wishes",
            LABELS["wishes"],
            values,
            errors,
            multiline=True,
            maxlength=LIMITS["wishes"],
            hint="Skriv med den unges egne ord, fx hvordan den frivillige skal være, og hvad de kunne lave sammen.",
        )
    }
<fieldset aria-describedby="preferences-hint{" preferences-error" if "preferences" in errors else ""}">
<legend>{LABELS["preferences"]} (valgfrit)</legend>
<p class="hint" id="preferences-hint">Har den unge et ønske om den frivilliges køn eller alder?
Alle frivillige er fyldt 25 år.</p>
{field_error("preferences", errors)}
{_select("preferences", "Den frivilliges køn", "gender", VolunteerGender, preferences, errors)}
{_select("preferences-age", "Den frivilliges alder", "age", AgeBand, preferences, errors)}
</fieldset>
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
<h2>Om dig som kontaktperson</h2>
{
        text_field(
            "contact_adult_name",
            LABELS["contact_adult_name"],
            values,
            errors,
            autocomplete="name",
            maxlength=LIMITS["contact_adult_name"],
        )
    }
{
        text_field(
            "contact_adult_email",
            LABELS["contact_adult_email"],
            values,
            errors,
            kind="email",
            autocomplete="email",
            hint="Vi bruger den, hvis konsulenten har spørgsmål, og når der er fundet en frivillig.",
        )
    }
{
        text_field(
            "contact_adult_phone",
            LABELS["contact_adult_phone"],
            values,
            errors,
            kind="tel",
            autocomplete="tel",
            inputmode="tel",
            hint="Konsulenten ringer dig op om henvisningen, før der ringes til den unge.",
        )
    }
{
        text_field(
            "contact_adult_organisation",
            LABELS["contact_adult_organisation"],
            values,
            errors,
            autocomplete="organization",
            maxlength=LIMITS["contact_adult_organisation"],
            hint="Fx opholdsstedet, plejefamiliens forening eller kommunens efterværn.",
        )
    }
<h2>Samtykke, hvis den unge er under 18 år</h2>
<p class="hint" id="guardian-why">Når den unge er under 18 år, skal den, der har forældremyndigheden, eller den
anbringende kommune også sige ja til, at den unge henvises, og til at Røde Kors behandler oplysningerne. Skriv,
hvem der gav samtykket, hvordan og hvornår. Er den unge fyldt 18, springer du dette over. Ved at udfylde felterne
bekræfter du: {e(STATEMENTS["guardian_consent"].text)}</p>
{
        text_field(
            "guardian_name",
            LABELS["guardian_name"],
            values,
            errors,
            required=False,
            optional=UNDER_18,
            maxlength=LIMITS["guardian_name"],
        )
    }
{
        checkbox_group(
            "guardian_role",
            LABELS["guardian_role"],
            [(r.value, r.label[:1].upper() + r.label[1:]) for r in GuardianRole],
            [values.get("guardian_role", "")],
            errors,
            kind="radio",
        )
    }
{
        checkbox_group(
            "guardian_how",
            LABELS["guardian_how"],
            [(h.value, h.label[:1].upper() + h.label[1:]) for h in ConsentForm],
            [values.get("guardian_how", "")],
            errors,
            kind="radio",
        )
    }
{text_field("guardian_date", LABELS["guardian_date"], values, errors, kind="date", required=False, optional=UNDER_18)}
<h2>BackUps betingelser</h2>
<p>En frivillig i BackUp er et supplement til den professionelle støtte, ikke en fagperson. Derfor gælder disse
betingelser. Sæt kryds ved dem, der passer. Sådan behandler Røde Kors oplysningerne:
<a href="/privatliv">privatlivserklæringen</a>.</p>
{"".join(single_checkbox(field, text, values, errors) for field, text in CONFIRMATIONS.items())}
<div class="visually-hidden" aria-hidden="true">
<label for="{HONEYPOT}">Lad dette felt være tomt</label>
<input type="text" id="{HONEYPOT}" name="{HONEYPOT}" tabindex="-1" autocomplete="off">
</div>
<button type="submit">Send henvisning</button>
</form>"""
    return layout(title, body)


def check_referral_page(referral: YouthReferral, data: dict[str, Any]) -> str:
    """The referral read back before it is sent (the confirmations as "Ja": they were ticked)."""
    rows = answer_rows(
        referral,
        {k: v for k, v in LABELS.items() if k != "form"},
        {"interests": lambda values: interest_words(tuple(values)), "preferences": wished_volunteer},
    )
    return check_answers_page(
        "Tjek henvisningen",
        "Læs svarene igennem sammen med den unge, før I sender henvisningen. Vil I ændre noget, så tryk på "
        "Ret svarene.",
        "/refer",
        rows,
        data,
        "Send henvisningen",
    )


def referral_receipt_page(youth_id: str, first_name: str) -> str:
    body = f"""
<h1>Tak for henvisningen af {e(first_name)}</h1>
<div class="box ok" role="status">
<p>Vi har modtaget henvisningen. Henvisningens nummer er <strong>{e(youth_id)}</strong>.</p>
</div>
<h2>Hvad sker der nu?</h2>
<ol>
<li>En konsulent fra Røde Kors ringer til eller taler med {e(first_name)} inden for cirka to uger for at høre mere
om ønskerne.</li>
<li>Derefter leder vi efter en frivillig, der passer til den unges ønsker og interesser.
Den unge er med til at sige ja til den frivillige.</li>
<li>Du hører fra os, når der er fundet en frivillig.</li>
</ol>
<p>Det kan tage noget tid at finde den rette frivillige. Har I spørgsmål imens, så kontakt Røde Kors.</p>
"""
    return layout("Tak for henvisningen", body)
