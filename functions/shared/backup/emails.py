"""The emails people receive, in plain, kind Danish. Each has a text and an escaped HTML version."""

from __future__ import annotations

import re
from html import escape

from backup.mailer import Email
from backup.stages import Stage

SIGNATURE = "Venlig hilsen\nRøde Kors BackUp"
_URL = re.compile(r"(https?://[^\s<]+)")


def _html(text: str) -> str:
    paragraphs = []
    for block in text.split("\n\n"):
        safe = escape(block)
        safe = _URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', safe)
        paragraphs.append("<p>" + safe.replace("\n", "<br>") + "</p>")
    return (
        "<!doctype html><html lang=\"da\"><body style=\"font-family:sans-serif;line-height:1.5;color:#1a1a1a\">"
        + "".join(paragraphs)
        + "</body></html>"
    )


def compose(to: str, subject: str, text: str) -> Email:
    return Email(to=to, subject=subject, text=text, html=_html(text))


def application_received(to: str, first_name: str, application_id: str, withdraw_url: str) -> Email:
    return compose(
        to,
        "Tak for din ansøgning til BackUp",
        f"Kære {first_name}\n\n"
        "Tak, fordi du vil være frivillig i BackUp. Vi har modtaget din ansøgning "
        f"(nummer {application_id}).\n\n"
        "Sådan foregår det nu:\n"
        "1. En konsulent ringer dig op inden for cirka to uger til en samtale.\n"
        "2. Vi besøger dig derhjemme.\n"
        "3. Vi indhenter en børneattest.\n"
        "4. Du deltager i vores uddannelse af frivillige.\n"
        "Derefter finder vi en ung, som passer til dig. Hele forløbet tager typisk nogle måneder.\n\n"
        "Hvis du fortryder, kan du til enhver tid trække din ansøgning tilbage her:\n"
        f"{withdraw_url}\n\n{SIGNATURE}",
    )


def step_request(to: str, stage: Stage, application_id: str, decision_url: str) -> Email:
    return compose(
        to,
        f"BackUp: {stage.label} venter på dig (ansøgning {application_id})",
        f"Hej\n\nEn frivillig ansøger (ansøgning {application_id}) er klar til trinnet: {stage.label}.\n\n"
        "Åbn linket for at se oplysningerne og registrere din afgørelse. "
        "Linket ændrer ingenting, før du trykker på en knap på siden.\n\n"
        f"{decision_url}\n\nLinket er personligt; send det ikke videre.\n\n{SIGNATURE}",
    )


def reminder(to: str, stage: Stage, application_id: str, decision_url: str, number: int) -> Email:
    return compose(
        to,
        f"Påmindelse {number}: {stage.label} venter stadig (ansøgning {application_id})",
        f"Hej\n\nTrinnet {stage.label} for ansøgning {application_id} venter stadig på din afgørelse. "
        "Ansøgeren venter også, så vi vil være glade, hvis du kan se på det snart.\n\n"
        f"{decision_url}\n\n{SIGNATURE}",
    )


def escalation(to: str, stage: Stage, application_id: str, reminders: int) -> Email:
    return compose(
        to,
        f"Eskalering: {stage.label} for ansøgning {application_id} er gået i stå",
        f"Hej\n\nTrinnet {stage.label} for ansøgning {application_id} har ikke fået en afgørelse, "
        f"selv om konsulenten har fået {reminders} påmindelse(r).\n\n"
        f"Se ansøgeren med: backup-ops show {application_id}\n"
        f"Send trinnet til en anden konsulent med: backup-ops reassign {application_id} --consultant ADRESSE\n\n"
        f"{SIGNATURE}",
    )


def rejected(to: str, first_name: str) -> Email:
    return compose(
        to,
        "Svar på din ansøgning til BackUp",
        f"Kære {first_name}\n\n"
        "Tak for din interesse for at blive frivillig i BackUp og for den tid, du har brugt på at søge.\n\n"
        "Vi har nu vurderet din ansøgning, og vi kan desværre ikke tilbyde dig en plads som frivillig i "
        "BackUp denne gang. Det er ikke en vurdering af dig som menneske; vi skal finde de frivillige, "
        "der passer til netop de unge, vi arbejder med lige nu.\n\n"
        "Røde Kors har mange andre frivillige aktiviteter, og du er meget velkommen til at finde en, "
        "der passer dig, på rødekors.dk.\n\n"
        f"{SIGNATURE}",
    )


def withdrawn(to: str, first_name: str) -> Email:
    return compose(
        to,
        "Din ansøgning til BackUp er trukket tilbage",
        f"Kære {first_name}\n\nVi har trukket din ansøgning tilbage, som du bad om. "
        "Du skal ikke gøre mere.\n\nTak for din interesse. Du er altid velkommen til at søge igen.\n\n"
        f"{SIGNATURE}",
    )


def ready_for_match(to: str, first_name: str) -> Email:
    return compose(
        to,
        "Du er klar til at blive matchet i BackUp",
        f"Kære {first_name}\n\nTillykke: du har gennemført samtale, hjemmebesøg, børneattest og uddannelse. "
        "Nu leder vi efter en ung, som passer til dig, og vi kontakter dig, så snart vi har et forslag.\n\n"
        f"{SIGNATURE}",
    )


def ops_attention(to: str, application_id: str, failed_state: str, error: str, cause: str, url: str) -> Email:
    return compose(
        to,
        f"Drift: '{failed_state}' fejlede for ansøgning {application_id}",
        f"Hej\n\nTrinnet '{failed_state}' for ansøgning {application_id} fejlede, også efter nye forsøg.\n\n"
        f"Fejl: {error}\n{cause}\n\n"
        "Forløbet venter på jer. Åbn linket og vælg at prøve trinnet igen (når fejlen er rettet) "
        "eller at afslutte forløbet:\n\n"
        f"{url}\n\nSe mere med: backup-ops show {application_id}\n\n{SIGNATURE}",
    )


_ROLES = {"applicant": "ansøgeren", "consultant": "konsulenten", "ops": "driften"}


def undeliverable(to: str, application_id: str, recipient: str, kind: str) -> Email:
    who = _ROLES.get(recipient, "modtageren")
    what = "kan ikke leveres (afvist af modtagerens mailserver)" if kind == "bounce" else \
        "er markeret som uønsket af modtageren"
    action = ("Ring venligst til ansøgeren, og ret e-mailadressen med dem."
              if recipient == "applicant" else
              f"Flyt trinnet til en anden konsulent med: backup-ops reassign {application_id} --consultant ADRESSE")
    return compose(
        to,
        f"Vi kan ikke nå {who} på e-mail (ansøgning {application_id})",
        f"Hej\n\nE-mails til {who} om ansøgning {application_id} {what}.\n\n{action}\n\n"
        f"Se historikken med: backup-ops show {application_id}\n\n{SIGNATURE}",
    )
