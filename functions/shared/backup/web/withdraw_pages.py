"""Leaving: the page that asks, and the page that confirms. A volunteer withdraws their application;
a young person (or their contact adult, who got the link) stops the young person's journey."""

from __future__ import annotations

from backup.domain.records import Person, YoungPerson
from backup.domain.regions import Contact
from backup.domain.stages import Stage
from backup.web.html import e, layout, message_page


def withdraw_page(person: Person, csrf_token: str, contact: Contact | None = None) -> str:
    if isinstance(person, YoungPerson):
        return _young_person_page(person, csrf_token, contact)
    return layout(
        "Træk ansøgning tilbage",
        f"""
<h1>Vil du trække din ansøgning tilbage?</h1>
<p>Hej {e(person.first_name)}. Hvis du trækker din ansøgning tilbage, stopper vi forløbet,
og du hører ikke mere fra os om den. Du er altid velkommen til at søge igen senere.</p>
<form method="post"><input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<button type="submit">Ja, træk min ansøgning tilbage</button></form>""",
        contact,
    )


def _young_person_page(person: YoungPerson, csrf_token: str, contact: Contact | None) -> str:
    name = e(person.first_name)
    if person.stage is Stage.MATCHED:
        what = (
            f"<p>{name} er matchet med en frivillig. Når du siger fra her, får konsulenten besked og "
            "kontakter jer, så I kan afslutte det ordentligt. Den frivillige får ikke at vide, hvorfor.</p>"
        )
    else:
        what = (
            f"<p>Så stopper vi forløbet, og {name} hører ikke mere fra os om det. Er {name} i gang med at "
            "blive præsenteret for en frivillig, stopper det også; den frivillige får ikke at vide, hvorfor.</p>"
        )
    return layout(
        "Sig fra",
        f"""
<h1>Vil {name} ikke længere være med i BackUp?</h1>
<p>Her kan {name} selv, eller {name}s kontaktperson, sige fra. Det er helt i orden, og {name} er altid
velkommen igen senere.</p>
{what}
<form method="post"><input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<button type="submit">Ja, {name} vil ikke længere være med</button></form>""",
        contact,
    )


def withdrawn_page(person: Person, contact: Contact | None = None) -> str:
    if isinstance(person, YoungPerson):
        if person.stage is Stage.MATCHED:
            return message_page(
                "Tak, vi har fået besked",
                f"Konsulenten kontakter jer snart, så I kan afslutte forløbet for {person.first_name} ordentligt.",
                contact=contact,
            )
        return message_page(
            "Forløbet er stoppet",
            f"Vi har stoppet forløbet for {person.first_name}, og kontaktpersonen får en bekræftelse på e-mail.",
            contact=contact,
        )
    return message_page(
        "Din ansøgning er trukket tilbage",
        "Vi har stoppet forløbet og sender dig en bekræftelse på e-mail. Tak for din interesse.",
        contact=contact,
    )
