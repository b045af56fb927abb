"""The emails people receive, in plain, kind Danish. Each has a text and an escaped HTML version."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from html import escape
from urllib.parse import urlsplit

from backup.domain.calendar_entry import CalendarEntry
from backup.domain.regions import PROGRAMME, Contact
from backup.domain.stages import YOUTH_STEPS, Stage
from backup.domain.text_rules import one_line


@dataclass(frozen=True)
class Email:
    """One email as people read it: who gets it, its subject, and its plain and HTML text. `action`
    is what the button for the one thing to do says (the link's own line in the text)."""

    to: str
    subject: str
    text: str
    html: str
    action: str = "Åbn siden"
    calendar: CalendarEntry | None = None  # sent along as an .ics file (backup.adapters.calendar_file)


SIGNATURE = "Venlig hilsen\nRøde Kors BackUp"
# The first email goes to an address anyone could have typed into a form: it says plainly what to do.
WRITE_TO_US = (
    "Vil du have oplysningerne slettet med det samme, eller ser noget forkert ud, så skriv til Røde Kors. "
    "Adressen står på siden om, hvordan vi behandler oplysninger (linket nederst i denne e-mail)."
)
_URL = re.compile(r"(https?://[^\s<]+)")
# a line that ends in an address after a colon: the words before it become the link's text
_LABELLED_URL = re.compile(r"^(?P<label>[^:\n]+): (?P<url>https?://\S+)$", re.MULTILINE)
PRIVACY_LINK_TEXT = "Sådan behandler Røde Kors dine oplysninger"
# what a link alone on its line is for, by where it leads, when the email does not say
_LINK_TEXTS = {"/withdraw/": "Sig fra", "/privatliv": PRIVACY_LINK_TEXT}
_BUTTON = (
    "display:inline-block;background:#b00014;color:#ffffff;font-weight:bold;text-decoration:none;"
    "padding:12px 20px;border-radius:4px"
)


def _link_text(url: str, action: str) -> str:
    path = urlsplit(url).path
    return next((text for start, text in _LINK_TEXTS.items() if path.startswith(start)), action)


def _block(block: str, action: str) -> str:
    """One paragraph: a link alone on its line becomes a button with words on it, a link after
    "words:" becomes those words, any other address a link showing itself."""
    if _URL.fullmatch(block.strip()):
        url = escape(block.strip())
        return f'<p><a href="{url}" style="{_BUTTON}">{escape(_link_text(block.strip(), action))}</a></p>'
    lines = []
    for line in block.split("\n"):
        labelled = _LABELLED_URL.fullmatch(line)
        if labelled:
            url = escape(labelled["url"])
            lines.append(f'<a href="{url}">{escape(labelled["label"])}</a>')
        elif _URL.fullmatch(line.strip()):
            url = escape(line.strip())
            lines.append(f'<a href="{url}">{escape(_link_text(line.strip(), action))}</a>')
        else:
            lines.append(_URL.sub(lambda m: f'<a href="{m.group(1)}">{m.group(1)}</a>', escape(line)))
    return "<p>" + "<br>".join(lines) + "</p>"


def _html(subject: str, text: str, action: str) -> str:
    """The email as a small web page: a title, a main landmark, the subject as its heading."""
    paragraphs = "".join(_block(block, action) for block in text.split("\n\n"))
    return (
        '<!doctype html><html lang="da"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{escape(subject)}</title></head>"
        '<body style="margin:0;padding:16px;font-family:sans-serif;line-height:1.5;color:#1a1a1a;background:#ffffff">'
        f'<main style="max-width:40rem"><h1 style="font-size:1.3rem">{escape(subject)}</h1>{paragraphs}</main>'
        "</body></html>"
    )


def compose(to: str, subject: str, text: str, action: str = "Åbn siden") -> Email:
    """An email from its text. The subject is a header: it is made one line here, whatever a name in
    it holds (the forms refuse line breaks already; this is the second lock), so no text can add a
    header or split the message. `action` is the button's text for the link on its own line."""
    subject = one_line(subject)
    return Email(to=to, subject=subject, text=text, html=_html(subject, text, action), action=action)


def application_received(to: str, first_name: str, person_id: str, withdraw_url: str) -> Email:
    return compose(
        to,
        "Tak for din ansøgning til BackUp",
        f"Kære {first_name}\n\n"
        "Tak, fordi du vil være frivillig i BackUp. Vi har modtaget din ansøgning "
        f"(nummer {person_id}).\n\n"
        "Sådan foregår det nu:\n"
        "1. En konsulent ringer dig op inden for cirka to uger til en samtale.\n"
        "2. Vi besøger dig derhjemme.\n"
        "3. Vi indhenter en børneattest.\n"
        "4. Du deltager i vores uddannelse af frivillige.\n"
        "Derefter finder vi en ung, som passer til dig. Hele forløbet tager typisk nogle måneder.\n\n"
        "Hvis du fortryder, kan du til enhver tid trække din ansøgning tilbage her:\n"
        f"{withdraw_url}\n\n"
        "Har du ikke selv søgt, så har nogen skrevet din e-mailadresse i vores ansøgningsformular. "
        "Tryk på linket ovenfor for at trække ansøgningen tilbage: så stopper vi den med det samme, "
        f"og du skal ikke gøre mere. {WRITE_TO_US}\n\n"
        f"{SIGNATURE}",
    )


def _case(stage: Stage, person_id: str) -> str:
    """What a consultant's step is about: a young person's referral, or a volunteer's application."""
    return f"henvisning {person_id}" if stage in YOUTH_STEPS else f"ansøgning {person_id}"


def step_request(to: str, stage: Stage, person_id: str, decision_url: str) -> Email:
    who = (
        f"En ung er henvist til BackUp af sin kontaktperson (henvisning {person_id}). Ring eller skriv til "
        "kontaktpersonen, og tal med den unge om BackUp: "
        if stage in YOUTH_STEPS
        else f"En frivillig ansøger (ansøgning {person_id}) er klar til trinnet: "
    )
    return compose(
        to,
        f"BackUp: {stage.label} venter på dig ({_case(stage, person_id)})",
        f"Hej\n\n{who}{stage.label}.\n\n"
        "Åbn linket for at se oplysningerne og registrere din afgørelse. "
        "Linket ændrer ingenting, før du trykker på en knap på siden.\n\n"
        f"{decision_url}\n\nLinket er personligt; send det ikke videre.\n\n{SIGNATURE}",
        action="Se henvisningen og afgør" if stage in YOUTH_STEPS else "Se ansøgningen og afgør",
    )


def reminder(to: str, stage: Stage, person_id: str, decision_url: str, number: int) -> Email:
    waiting = "Den unge" if stage in YOUTH_STEPS else "Ansøgeren"
    return compose(
        to,
        f"Påmindelse {number}: {stage.label} venter stadig ({_case(stage, person_id)})",
        f"Hej\n\nTrinnet {stage.label} for {_case(stage, person_id)} venter stadig på din afgørelse. "
        f"{waiting} venter også, så vi vil være glade, hvis du kan se på det snart.\n\n"
        f"{decision_url}\n\n{SIGNATURE}",
        action="Se henvisningen og afgør" if stage in YOUTH_STEPS else "Se ansøgningen og afgør",
    )


def escalation(to: str, stage: Stage, person_id: str, reminders: int) -> Email:
    kind_option = " --kind youth" if stage in YOUTH_STEPS else ""
    return compose(
        to,
        f"Eskalering: {stage.label} for {_case(stage, person_id)} er gået i stå",
        f"Hej\n\nTrinnet {stage.label} for {_case(stage, person_id)} har ikke fået en afgørelse, "
        f"selv om konsulenten har fået {reminders} påmindelse(r).\n\n"
        f"Se forløbet med: backup-ops show {person_id}{kind_option}\n"
        "Send trinnet til en anden konsulent med: "
        f"backup-ops reassign {person_id}{kind_option} --consultant ADRESSE\n\n"
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
        "der passer dig, på rodekors.dk.\n\n"
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


def ops_attention(to: str, record_id: str, failed_state: str, error: str, cause: str, url: str) -> Email:
    return compose(
        to,
        f"Drift: '{failed_state}' fejlede for ansøgning {record_id}",
        f"Hej\n\nTrinnet '{failed_state}' for ansøgning {record_id} fejlede, også efter nye forsøg.\n\n"
        f"Fejl: {error}\n{cause}\n\n"
        "Forløbet venter på jer. Åbn linket og vælg at prøve trinnet igen (når fejlen er rettet) "
        "eller at afslutte forløbet:\n\n"
        f"{url}\n\nSe mere med: backup-ops show {record_id}\n\n{SIGNATURE}",
        action="Vælg, hvad der skal ske",
    )


def safeguarding_alarm(to: str, record_id: str, kind_option: str, what: str, requested_by: str) -> Email:
    """To ops: something tried to move a person without the evidence that allows it."""
    return compose(
        to,
        f"Sikkerhedsalarm: {record_id} blev ikke flyttet",
        f"Hej\n\nNoget forsøgte at flytte {record_id} videre i BackUp uden den registrerede afgørelse, "
        "der skal til. Ingen er flyttet, og forsøget er skrevet i personens historik.\n\n"
        f"Hvad skete der: {what}\nHvem spurgte: {requested_by}\n\n"
        "Find ud af, hvem eller hvad der sendte forespørgslen: en direkte kørsel af en funktion eller et "
        "genbrugt task token fra en udførelses historik. Se personen med:\n"
        f"backup-ops show {record_id}{kind_option}\n\n{SIGNATURE}",
    )


_ROLES = {
    "applicant": "ansøgeren",
    "consultant": "konsulenten",
    "ops": "driften",
    "contact_adult": "kontaktpersonen",
    "youth": "den unge",
    "volunteer": "den frivillige",
}


def undeliverable(to: str, record_id: str, recipient: str, kind: str) -> Email:
    who = _ROLES.get(recipient, "modtageren")
    what = (
        "kan ikke leveres (afvist af modtagerens mailserver)"
        if kind == "bounce"
        else "er markeret som uønsket af modtageren"
    )
    action = (
        f"Ring venligst til {who}, og ret e-mailadressen sammen."
        if recipient in {"applicant", "contact_adult", "youth", "volunteer"}
        else f"Flyt trinnet til en anden konsulent med: backup-ops reassign {record_id} --consultant ADRESSE"
    )
    return compose(
        to,
        f"Vi kan ikke nå {who} på e-mail (ansøgning {record_id})",
        f"Hej\n\nE-mails til {who} om ansøgning {record_id} {what}.\n\n{action}\n\n"
        f"Se historikken med: backup-ops show {record_id}\n\n{SIGNATURE}",
    )


def referral_received(to: str, contact_name: str, first_name: str, youth_id: str) -> Email:
    return compose(
        to,
        f"Tak for henvisningen af {first_name} til BackUp",
        f"Kære {contact_name}\n\nTak, fordi I har henvist {first_name} til BackUp (henvisning {youth_id}).\n\n"
        f"En konsulent fra Røde Kors kontakter jer inden for cirka to uger for at tale med {first_name} om "
        "BackUp og om, hvilken voksen der kunne passe. Derefter leder vi efter en frivillig ud fra "
        f"{first_name}s ønsker og interesser.\n\n"
        "Har du ikke selv henvist en ung til BackUp, så har nogen skrevet din e-mailadresse i vores "
        "henvisningsformular. Tryk på linket nederst i denne e-mail for at trække henvisningen tilbage: så "
        f"stopper vi den med det samme, og du skal ikke gøre mere. {WRITE_TO_US}\n\n{SIGNATURE}",
    )


def referral_confirmed(to: str, contact_name: str, first_name: str) -> Email:
    return compose(
        to,
        f"{first_name} er med i BackUp",
        f"Kære {contact_name}\n\nTak for samtalen. {first_name} er nu med i BackUp, og vi leder efter en "
        f"frivillig, der passer til {first_name}s ønsker. Vi kontakter jer, så snart vi har et forslag.\n\n"
        f"{SIGNATURE}",
    )


def referral_declined(to: str, contact_name: str, first_name: str) -> Email:
    return compose(
        to,
        f"Svar på henvisningen af {first_name}",
        f"Kære {contact_name}\n\nTak for henvisningen af {first_name} og for jeres tid. Efter samtalen vurderer "
        "vi, at BackUp ikke er det rette tilbud lige nu. Konsulenten fortæller gerne mere og hjælper med at "
        f"finde andre muligheder, hvis I ønsker det.\n\n{SIGNATURE}",
    )


def proposal_request(to: str, youth_first_name: str, proposal_id: str, url: str) -> Email:
    return compose(
        to,
        f"BackUp: forslag til en frivillig for {youth_first_name} (forslag {proposal_id})",
        f"Hej\n\nMatchingen har fundet en frivillig til {youth_first_name}, og op til to alternativer, "
        "hver med en begrundelse. Åbn linket, og vælg den frivillige, I vil introducere, eller ingen:\n\n"
        f"{url}\n\n{SIGNATURE}",
        action="Se forslaget og vælg",
    )


# What the consultant still has to do at each of a proposal's steps, for reminders and escalation.
PROPOSAL_STEPS = {
    "PROPOSAL": "vælger en frivillig til den unge",
    "INTRO": "registrerer introduktionsmødet",
}


def proposal_reminder(to: str, step: str, proposal_id: str, url: str, number: int) -> Email:
    return compose(
        to,
        f"Påmindelse {number}: forslag {proposal_id} venter stadig",
        f"Hej\n\nForslag {proposal_id} venter stadig på dig: vi mangler, at du {PROPOSAL_STEPS[step]}. "
        "Den unge og den frivillige venter også, så vi vil være glade, hvis du kan se på det snart.\n\n"
        f"{url}\n\n{SIGNATURE}",
        action="Åbn forslaget",
    )


def proposal_escalation(to: str, step: str, proposal_id: str, reminders: int) -> Email:
    return compose(
        to,
        f"Eskalering: forslag {proposal_id} er gået i stå",
        f"Hej\n\nI forslag {proposal_id} mangler vi stadig, at konsulenten {PROPOSAL_STEPS[step]}, selv om "
        f"konsulenten har fået {reminders} påmindelse(r). Uden svar går begge tilbage i puljen, når linket "
        "udløber.\n\n"
        f"Se forslaget med: backup-ops show {proposal_id} --kind match\n\n{SIGNATURE}",
    )


def answers_missing(
    to: str, proposal_id: str, silent: list[str], youth_via_contact_adult: bool, expires: date
) -> Email:
    names = {
        "youth": "den unge" + (" (spørgsmålet gik til den unges kontaktperson)" if youth_via_contact_adult else ""),
        "volunteer": "den frivillige",
    }
    who = " og ".join(names[p] for p in silent)
    them = "dem" if len(silent) > 1 else "vedkommende"
    return compose(
        to,
        f"BackUp: vi mangler svar efter introduktionsmødet (forslag {proposal_id})",
        f"Hej\n\nEfter introduktionsmødet har vi spurgt begge, om de vil fortsætte. Vi mangler stadig svar "
        f"fra {who}. Tag gerne en venlig snak med {them} om det; der kan stadig svares fra linket i mailen "
        f"indtil {expires:%d.%m.%Y}. Kommer der ikke svar inden da, går begge tilbage i puljen, og ingen af "
        "dem får at vide, hvad den anden svarede.\n\n"
        f"Se forslaget med: backup-ops show {proposal_id} --kind match\n\n{SIGNATURE}",
    )


def intro_request(to: str, proposal_id: str, url: str) -> Email:
    return compose(
        to,
        f"BackUp: registrér introduktionsmødet (forslag {proposal_id})",
        "Hej\n\nNår introduktionsmødet mellem den unge og den frivillige har fundet sted, så registrér datoen "
        "her. Derefter spørger vi dem begge, om de vil fortsætte:\n\n"
        f"{url}\n\n{SIGNATURE}",
        action="Registrér mødet",
    )


def continue_question(to: str, first_name: str, on_behalf: bool, url: str) -> Email:
    greeting = (
        (f"Hej\n\nVil I hjælpe {first_name} med at svare på spørgsmålet herunder? Svaret skal være {first_name}s eget.")
        if on_behalf
        else f"Hej {first_name}"
    )
    return compose(
        to,
        "Vil du fortsætte i BackUp?",
        f"{greeting}\n\nTak for introduktionsmødet. Vil du fortsætte og mødes igen? Der er ingen forkerte svar, "
        "og vi fortæller ikke den anden, hvad du har svaret.\n\n"
        f"{url}\n\n{SIGNATURE}",
        action="Svar her",
    )


def matched(to: str, first_name: str, other_first_name: str) -> Email:
    return compose(
        to,
        "I er matchet i BackUp",
        f"Hej {first_name}\n\nI har begge sagt ja: du og {other_first_name} er nu matchet i BackUp. "
        "Jeres konsulent kontakter jer om det første møde og om, hvordan vi støtter jer undervejs.\n\n"
        f"{SIGNATURE}",
    )


def contact_adult_informed(to: str, contact_name: str, youth_first_name: str, volunteer_first_name: str) -> Email:
    return compose(
        to,
        f"{youth_first_name} er matchet med en frivillig i BackUp",
        f"Kære {contact_name}\n\n{youth_first_name} og den frivillige {volunteer_first_name} har begge sagt ja "
        "efter introduktionsmødet og er nu matchet. Konsulenten aftaler med jer, hvordan vi koordinerer "
        f"med jeres støtte til {youth_first_name}.\n\n{SIGNATURE}",
    )


def not_continuing(to: str, first_name: str, met: bool = True) -> Email:
    """The same letter to both, whoever said no (or if the meeting never came about: nobody is blamed)."""
    if met:
        what = (
            "Tak for introduktionsmødet. Matchet fortsætter ikke denne gang, og det er helt i orden: "
            "det skal passe for begge."
        )
    else:
        what = "Introduktionsmødet bliver ikke til noget denne gang, så matchet fortsætter ikke. Det er ingens skyld."
    return compose(
        to,
        "Om jeres match i BackUp",
        f"Hej {first_name}\n\n{what} Vi leder videre og kontakter dig, når vi har et nyt forslag.\n\n{SIGNATURE}",
    )


def renewal_request(to: str, volunteer_id: str, first_name: str, valid_until: date, url: str) -> Email:
    return compose(
        to,
        f"BackUp: børneattesten for {first_name} skal fornyes (frivillig {volunteer_id})",
        f"Hej\n\nBørneattesten for den frivillige {first_name} (frivillig {volunteer_id}) gælder til og med "
        f"{valid_until:%d.%m.%Y}. Indhent en ny børneattest, og registrér den her, når du har den. Efter den dato "
        "bliver den frivillige ikke foreslået til nogen ung, før attesten er fornyet.\n\n"
        f"{url}\n\nLinket er personligt; send det ikke videre.\n\n{SIGNATURE}",
        action="Registrér den nye attest",
    )


def renewal_reminder(to: str, volunteer_id: str, first_name: str, valid_until: date, url: str, number: int) -> Email:
    return compose(
        to,
        f"Påmindelse {number}: børneattesten for {first_name} skal fornyes (frivillig {volunteer_id})",
        f"Hej\n\nBørneattesten for {first_name} gælder kun til og med {valid_until:%d.%m.%Y} og er endnu ikke "
        f"fornyet.\n\n{url}\n\n{SIGNATURE}",
        action="Registrér den nye attest",
    )


def renewal_escalation(to: str, volunteer_id: str, valid_until: date, reminders: int) -> Email:
    return compose(
        to,
        f"Eskalering: børneattesten for frivillig {volunteer_id} er ikke fornyet",
        f"Hej\n\nBørneattesten for frivillig {volunteer_id} gælder til og med {valid_until:%d.%m.%Y}, og konsulenten "
        f"har ikke registreret en ny, selv om der er sendt {reminders} påmindelse(r).\n\n"
        f"Se den frivillige med: backup-ops show {volunteer_id}\n\n{SIGNATURE}",
    )


def certificate_expired(to: str, volunteer_id: str, first_name: str, valid_until: date, matched: bool) -> Email:
    """To the consultant: a volunteer's certificate has run out (out of the pool until renewed)."""
    what = (
        "Den frivillige er matchet med en ung. Tal med den frivillige og den unges kontaktperson om, "
        "hvordan I sikrer, at de ikke mødes alene, før en ny attest er registreret."
        if matched
        else "Den frivillige bliver ikke foreslået til nogen ung, før en ny attest er registreret."
    )
    return compose(
        to,
        f"BackUp: børneattesten for {first_name} er udløbet (frivillig {volunteer_id})",
        f"Hej\n\nBørneattesten for {first_name} (frivillig {volunteer_id}) gjaldt til og med "
        f"{valid_until:%d.%m.%Y} og er ikke fornyet. {what}\n\n"
        f"Se den frivillige med: backup-ops show {volunteer_id}\n\n{SIGNATURE}",
    )


# --- leaving, and the footer every email carries ----------------------------------------------


SENT_BY = f"Sendt af {PROGRAMME}."


def with_footer(
    email: Email,
    privacy_url: str,
    withdraw_url: str | None = None,
    contact: Contact | None = None,
    concern_url: str | None = None,
) -> Email:
    """Every email says who sends it and links the privacy notice; one to a person in the programme
    (or to a young person's contact adult) names the consultant they can reach and, while they are
    still in, says how to leave; while they are matched, how to tell us they are worried."""
    lines = [SENT_BY]
    if contact is not None:
        lines[0] += f"\nHar du spørgsmål, kan du kontakte konsulenten: {contact.sentence()}."
    if concern_url:
        lines.append(
            f"Er du bekymret for noget i matchet, kan du altid fortælle os det.\nJeg er bekymret: {concern_url}"
        )
    if withdraw_url:
        lines.append(f"Vil du ikke længere være med, kan du til enhver tid sige fra her:\n{withdraw_url}")
    lines.append(f"{PRIVACY_LINK_TEXT}: {privacy_url}")
    text = f"{email.text}\n\n--\n" + "\n\n".join(lines)
    return replace(compose(email.to, email.subject, text, email.action), calendar=email.calendar)


def referral_withdrawn(to: str, contact_name: str, first_name: str) -> Email:
    return compose(
        to,
        f"{first_name} er ikke længere med i BackUp",
        f"Kære {contact_name}\n\nVi har afsluttet henvisningen af {first_name}, som der blev bedt om. "
        f"Der skal ikke gøres mere. Skulle {first_name} få lyst igen senere, er I altid velkomne til at "
        f"henvise igen.\n\n{SIGNATURE}",
    )


def matched_young_person_leaves(to: str, youth_id: str, first_name: str) -> Email:
    return compose(
        to,
        f"BackUp: {first_name} vil gerne stoppe (ung {youth_id})",
        f"Hej\n\n{first_name} (ung {youth_id}) er matchet med en frivillig og har via sit link sagt, at "
        f"{first_name} gerne vil stoppe. Kontakt {first_name} og kontaktpersonen, og afslut matchet "
        "ordentligt med begge parter. Den frivillige har ikke fået besked.\n\n"
        f"Se den unge med: backup-ops show {youth_id} --kind youth\n\n{SIGNATURE}",
    )


def activity_check(to: str, person_id: str, first_name: str, stage: Stage, days: int, url: str, last: date) -> Email:
    return compose(
        to,
        f"BackUp: er {first_name} stadig med? ({person_id})",
        f"Hej\n\nDer er ikke sket noget for {first_name} ({person_id}, {stage.label.lower()}) i {days} dage. "
        f"Vi gemmer kun oplysninger om folk, der stadig er med, så spørg {first_name}, om "
        f"{first_name} vil fortsætte, og registrér svaret her senest {last:%d.%m.%Y}:\n\n{url}\n\n"
        f"Hører vi ikke fra dig inden da, afslutter vi forløbet og sletter oplysningerne efter den "
        f"almindelige frist.\n\n{SIGNATURE}",
        action="Registrér svaret",
    )


def closed_inactive(to: str, first_name: str) -> Email:
    return compose(
        to,
        "Dit forløb i BackUp er afsluttet",
        f"Kære {first_name}\n\nDer er gået lang tid, siden vi sidst har hørt fra hinanden, så vi har "
        "afsluttet dit forløb i BackUp, og vi sletter dine oplysninger efter den almindelige frist. "
        "Du skal ikke gøre mere.\n\nHar du lyst til at være med igen, er du altid velkommen til at "
        f"søge igen.\n\n{SIGNATURE}",
    )


def referral_closed_inactive(to: str, contact_name: str, first_name: str) -> Email:
    return compose(
        to,
        f"Henvisningen af {first_name} er afsluttet",
        f"Kære {contact_name}\n\nDer er gået lang tid uden nyt i henvisningen af {first_name}, så vi har "
        "afsluttet den, og vi sletter oplysningerne efter den almindelige frist. I er altid velkomne til "
        f"at henvise igen.\n\n{SIGNATURE}",
    )


def ops_wait_expired(to: str, record_id: str, kind_option: str, failed_state: str, days: int) -> Email:
    return compose(
        to,
        f"BackUp: forløbet for {record_id} er afsluttet, fordi ingen valgte i {days} dage",
        f'Hej\n\nTrinnet "{failed_state}" fejlede for {record_id}, og ingen valgte at prøve igen eller afslutte '
        f'i {days} dage. Forløbet er derfor afsluttet (som med "afslut").\n\n'
        f"Se forløbet med: backup-ops show {record_id}{kind_option}\n\n"
        "Skal personen alligevel fortsætte, så kontakt personen og lad dem søge eller henvise igen.\n\n"
        f"{SIGNATURE}",
    )


# What a volunteer hears when their journey takes a step: what went well, what comes next and who
# acts. (The first step, the phone call, is announced by the application's receipt; the last, being
# ready for a match, has its own letter.)
NEXT_STEP_NEWS: dict[Stage, tuple[str, str]] = {
    Stage.HOME_VISIT: (
        "Næste skridt i BackUp: et besøg hos dig",
        "Tak for samtalen i telefonen. Næste skridt er, at din konsulent besøger dig derhjemme. Så kan I tale "
        "roligt sammen om BackUp, om dig og om, hvad en ung kan have brug for. Konsulenten kontakter dig for "
        "at aftale en dag, der passer dig.",
    ),
    Stage.CHILD_CERTIFICATE: (
        "Næste skridt i BackUp: din børneattest",
        "Tak for besøget. Næste skridt er din børneattest, som alle frivillige, der er sammen med unge under "
        "18 år, skal have. Røde Kors beder om den, og du får en besked i din digitale postkasse, hvor du giver "
        "samtykke. Det tager kun et øjeblik, og du skal ikke gøre mere, før beskeden kommer.",
    ),
    Stage.TRAINING: (
        "Næste skridt i BackUp: uddannelsen",
        "Din børneattest er i orden. Det sidste skridt er BackUps uddannelse for frivillige, hvor du møder "
        "andre frivillige og bliver klædt på til at være en stabil voksen for en ung. Din konsulent fortæller "
        "dig, hvornår og hvor den foregår.",
    ),
}


def next_step(to: str, first_name: str, stage: Stage) -> Email:
    """The short letter that tells a volunteer their journey has taken a step."""
    subject, news = NEXT_STEP_NEWS[stage]
    return compose(to, subject, f"Kære {first_name}\n\n{news}\n\n{SIGNATURE}")
