"""The applicant's withdrawal: the page that asks, and the page that confirms."""

from __future__ import annotations

from backup.domain.records import Person
from backup.web.html import e, layout, message_page


def withdraw_page(person: Person, csrf_token: str) -> str:
    return layout(
        "Træk ansøgning tilbage",
        f"""
<h1>Vil du trække din ansøgning tilbage?</h1>
<p>Hej {e(person.first_name)}. Hvis du trækker din ansøgning tilbage, stopper vi forløbet,
og du hører ikke mere fra os om den. Du er altid velkommen til at søge igen senere.</p>
<form method="post"><input type="hidden" name="csrf_token" value="{e(csrf_token)}">
<button type="submit">Ja, træk min ansøgning tilbage</button></form>""",
    )


def withdrawn_page() -> str:
    return message_page(
        "Din ansøgning er trukket tilbage",
        "Vi har stoppet forløbet og sender dig en bekræftelse på e-mail. Tak for din interesse.",
    )
