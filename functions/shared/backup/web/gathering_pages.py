"""The invited person's page for a network day or a supervision session (/tilmelding/...): what,
when, where, their answer as it stands, and one button to say yes (or no); the answer can be
changed until the deadline. A cancelled, held or closed gathering and a dead link get a page that
says what happened, never a stack trace."""

from __future__ import annotations

from backup.domain import clock
from backup.domain.gathering_emails import NO, YES, fact_rows
from backup.domain.gatherings import Answer, Gathering
from backup.web.html import definition_list, e, layout, message_page

UNKNOWN_TITLE = "Vi kan ikke finde invitationen"
UNKNOWN = (
    "Adressen virker ikke. Måske er et stykke af den faldet af: tryk på linket i e-mailen igen, eller kopiér hele "
    "adressen ind i browseren. Virker det stadig ikke, så skriv til din konsulent i Røde Kors."
)


def _facts(gathering: Gathering) -> str:
    return definition_list([*fact_rows(gathering), ("Svarfrist", clock.danish(gathering.deadline))])


_STANDING = {
    Answer.NONE: "Du har ikke svaret endnu.",
    Answer.YES: "Du er tilmeldt. Vi glæder os til at se dig.",
    Answer.WAITING: "Der er fuldt lige nu, så du står på venteliste. Bliver der en plads, får du den "
    "automatisk, og vi skriver til dig.",
    Answer.NO: "Du har meldt fra.",
}


def signup_page(gathering: Gathering, first_name: str, answer: Answer, csrf_token: str, asked: str | None) -> str:
    """The page an invitation's link opens. Only the POST answers: a mail scanner that fetches the
    link changes nothing. The button the email's link asked for comes first."""
    yes = '<button type="submit" name="svar" value="ja">Ja, jeg kommer</button>'
    no = '<button type="submit" name="svar" value="nej" class="secondary">Nej, jeg kommer ikke</button>'
    if answer in (Answer.YES, Answer.WAITING):
        buttons = no
    elif answer is Answer.NO:
        buttons = yes
    else:
        buttons = no + yes if asked == NO else yes + no
    free = (
        f"Der er {gathering.free} ledige pladser."
        if gathering.free
        else "Der er fuldt; siger du ja, kommer du på venteliste."
    )
    body = f"""
<h1>{e(gathering.details.theme)}</h1>
<p>Hej {e(first_name)}. Her kan du svare på invitationen og ændre dit svar indtil svarfristen.</p>
{_facts(gathering)}
<div class="box" role="status"><p><strong>Dit svar:</strong> {e(_STANDING[answer])}</p><p>{e(free)}</p></div>
<form method="post"><input type="hidden" name="csrf_token" value="{e(csrf_token)}">
{buttons}</form>"""
    return layout(gathering.details.theme, body)


def answered_page(gathering: Gathering, answer: Answer, page_path: str) -> str:
    titles = {
        Answer.YES: "Du er tilmeldt",
        Answer.WAITING: "Du står på venteliste",
        Answer.NO: "Du har meldt fra",
        Answer.NONE: "Dit svar",
    }
    change = f'<p><a href="{e(page_path)}">Ændr dit svar</a> (indtil {e(clock.danish(gathering.deadline))}).</p>'
    return message_page(titles[answer], _STANDING[answer], _facts(gathering) + change)


def closed_page(title: str, message: str) -> str:
    return message_page(title, message)


def unknown_page() -> str:
    return message_page(UNKNOWN_TITLE, UNKNOWN)


def asked_answer(value: object) -> bool | None:
    """The form's `svar`: ja (True), nej (False), anything else None."""
    if value == YES:
        return True
    if value == NO:
        return False
    return None
