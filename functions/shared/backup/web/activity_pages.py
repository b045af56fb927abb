"""The consultant's page about someone not heard from in a long time: do they carry on?"""

from __future__ import annotations

from backup.domain.links import Link
from backup.domain.records import Person, Volunteer
from backup.web.html import NOTES_HINT, e, error_summary, field_error, layout, message_page, text_field

LABELS = {"decision": "Svar", "notes": "Noter"}


def activity_page(link: Link, person: Person, csrf_token: str, errors: dict[str, str] | None = None) -> str:
    errors = errors or {}
    name = person.details.full_name if isinstance(person, Volunteer) else person.first_name
    who = "frivillig" if isinstance(person, Volunteer) else "ung"
    return layout(
        f"Er {name} stadig med?",
        f"""
<h1>Er {e(name)} stadig med?</h1>
<p>{e(name)} ({who} {e(person.id)}) er i trinnet {e(person.stage.label.lower())} og har ikke haft noget
nyt siden {person.last_activity:%d.%m.%Y}. Vi gemmer kun oplysninger om folk, der stadig er med, så spørg
{e(person.first_name)}, om {e(person.first_name)} vil fortsætte, og svar her senest
{link.expires_at:%d.%m.%Y}. Uden svar afsluttes forløbet.</p>
{error_summary(errors, LABELS)}
<form method="post">
<input type="hidden" name="csrf_token" value="{e(csrf_token)}">
{field_error("decision", errors)}
{text_field("notes", LABELS["notes"], {}, errors, multiline=True, required=False, hint=NOTES_HINT)}
<button type="submit" name="decision" value="continue">{e(person.first_name)} fortsætter</button>
<button type="submit" name="decision" value="close" class="secondary">Afslut forløbet</button>
</form>""",
    )


def activity_answered_page(link: Link) -> str:
    if link.decision == "continue":
        return message_page("Tak, forløbet fortsætter", "Vi spørger igen, hvis der igen går lang tid uden nyt.")
    return message_page(
        "Forløbet afsluttes",
        "Tak. Forløbet afsluttes, personen får et venligt brev, og oplysningerne slettes efter den almindelige frist.",
    )
