"""The emails of a match's support (backup.domain.support), in plain, kind Danish; composed like
every other email (backup.domain.emails)."""

from __future__ import annotations

from backup.domain.emails import SIGNATURE, Email, compose

# what each support step is called in a sentence
STEP_NAMES = {
    "ROLES": "rollefordelingen",
    "CHECK_IN": "opfølgningssamtalen",
    "CLOSURE": "afslutningen",
    "CONCERN": "beslutningen om en bekymring",
}


def roles_request(to: str, match_id: str, youth_first_name: str, volunteer_first_name: str, url: str) -> Email:
    return compose(
        to,
        f"BackUp: aftal rollerne for {youth_first_name} og {volunteer_first_name} (match {match_id})",
        f"Hej\n\n{youth_first_name} og {volunteer_first_name} er matchet. Aftal med kontaktpersonen eller "
        "efterværnet, hvem der gør hvad, og hvordan I når hinanden. Den frivillige er et supplement til "
        "den professionelle støtte, ikke en erstatning.\n\nRegistrér aftalen her; kontaktpersonen får "
        f"den derefter til bekræftelse:\n\n{url}\n\n{SIGNATURE}",
        action="Registrér aftalen",
    )


def roles_confirm_request(to: str, contact_name: str, youth_first_name: str, url: str, concern_url: str) -> Email:
    worried = f"\n\nJeg er bekymret: {concern_url}" if concern_url else ""
    return compose(
        to,
        f"Bekræft rollefordelingen om {youth_first_name} i BackUp",
        f"Kære {contact_name}\n\nKonsulenten i Røde Kors har skrevet jeres aftale ned om, hvem der gør hvad "
        f"omkring {youth_first_name}, og hvordan I når hinanden. Læs den, og bekræft den med ét tryk, hvis den "
        f"passer. Passer den ikke, så kontakt konsulenten.\n\n{url}{worried}\n\n{SIGNATURE}",
        action="Læs og bekræft",
    )


def check_in_request(to: str, match_id: str, number: int, youth_first_name: str, url: str) -> Email:
    first = " Det er den første: skriv også, hvad de to vil lave sammen, og hvor tit." if number == 1 else ""
    return compose(
        to,
        f"BackUp: opfølgning nr. {number} med {youth_first_name} og den frivillige (match {match_id})",
        f"Hej\n\nDet er tid til opfølgning nr. {number} på matchet. Tal med den frivillige, den unge og "
        f"eventuelt kontaktpersonen, og registrér samtalen her.{first}\n\n{url}\n\n{SIGNATURE}",
        action="Registrér opfølgningen",
    )


def support_reminder(to: str, step: str, match_id: str, url: str, number: int) -> Email:
    return compose(
        to,
        f"Påmindelse {number}: {STEP_NAMES.get(step, step)} venter (match {match_id})",
        f"Hej\n\n{STEP_NAMES.get(step, step).capitalize()} for match {match_id} er endnu ikke registreret. "
        f"Brug linket herunder:\n\n{url}\n\n{SIGNATURE}",
        action="Registrér nu",
    )


def support_escalation(to: str, step: str, match_id: str, reminders: int) -> Email:
    return compose(
        to,
        f"BackUp: {STEP_NAMES.get(step, step)} er ikke registreret (match {match_id})",
        f"Hej\n\n{STEP_NAMES.get(step, step).capitalize()} for match {match_id} er ikke registreret efter "
        f"{reminders} påmindelser til konsulenten. Tal med konsulenten, eller giv opgaven videre.\n\n"
        f"Se matchet med: backup-ops show {match_id} --kind match\n\n{SIGNATURE}",
    )


def check_in_missed(to: str, match_id: str, number: int) -> Email:
    return compose(
        to,
        f"BackUp: opfølgning nr. {number} blev ikke til noget (match {match_id})",
        f"Hej\n\nOpfølgning nr. {number} på match {match_id} blev ikke registreret, før linket udløb. "
        "Kontakt den frivillige og den unge snart: hyppig opfølgning er det, der holder et match i gang. "
        f"Næste opfølgning kommer som planlagt.\n\n{SIGNATURE}",
    )


def closure_request(to: str, match_id: str, youth_first_name: str, url: str, aged_out: bool = False) -> Email:
    why = (
        f"{youth_first_name} er fyldt 25 og forlader BackUp, så matchet afsluttes (planlagt)."
        if aged_out
        else "Du har valgt, at matchet skal afsluttes."
    )
    return compose(
        to,
        f"BackUp: registrér afslutningen af matchet med {youth_first_name} (match {match_id})",
        f"Hej\n\n{why} Hold en afslutningssamtale med hver af dem, og "
        "registrér her årsagen, samtalerne, og hvad hver af dem vil nu. Først da afsluttes matchet, og "
        f"de får besked.\n\n{url}\n\n{SIGNATURE}",
        action="Registrér afslutningen",
    )


def match_closed_youth(to: str, first_name: str, new_volunteer: bool) -> Email:
    after = (
        "Du har sagt, at du gerne vil have en ny frivillig. Vi leder efter en, der passer til dig, og "
        "kontakter dig, når vi har et forslag."
        if new_volunteer
        else "Du er altid velkommen til at kontakte os igen, hvis du får brug for en frivillig senere."
    )
    return compose(
        to,
        "Jeres match i BackUp er afsluttet",
        f"Hej {first_name}\n\nTak for tiden med din frivillige i BackUp. Som I har talt om med konsulenten, "
        f"er jeres match nu afsluttet. Det, I har haft sammen, har betydning.\n\n{after}\n\n{SIGNATURE}",
    )


def match_closed_volunteer(to: str, first_name: str, again: bool, cleared: bool) -> Email:
    if again and cleared:
        after = "Du har sagt, at du gerne vil matches igen. Du er nu klar til et nyt match, og vi kontakter dig."
    elif again:
        after = (
            "Du har sagt, at du gerne vil matches igen. Før det kan ske, skal din børneattest eller uddannelse "
            "være opdateret; konsulenten kontakter dig om det."
        )
    else:
        after = "Tak for din indsats som frivillig i BackUp. Du er altid velkommen tilbage."
    return compose(
        to,
        "Jeres match i BackUp er afsluttet",
        f"Hej {first_name}\n\nTak for den tid og omsorg, du har givet i BackUp. Som I har talt om med "
        f"konsulenten, er jeres match nu afsluttet.\n\n{after}\n\n{SIGNATURE}",
    )


def match_closed_contact_adult(to: str, contact_name: str, youth_first_name: str, new_volunteer: bool) -> Email:
    after = (
        f"{youth_first_name} vil gerne have en ny frivillig, og vi leder efter en."
        if new_volunteer
        else f"{youth_first_name} stopper i BackUp."
    )
    return compose(
        to,
        f"Matchet med {youth_first_name} i BackUp er afsluttet",
        f"Kære {contact_name}\n\nMatchet mellem {youth_first_name} og den frivillige er afsluttet efter en "
        f"afslutningssamtale med hver af dem. {after} Kontakt konsulenten, hvis I har spørgsmål.\n\n{SIGNATURE}",
    )


def concern_link_letter(to: str, greeting: str, youth_first_name: str, url: str) -> Email:
    return compose(
        to,
        "Hvis du bliver bekymret i BackUp",
        f"{greeting}\n\nI BackUp følger en konsulent fra Røde Kors matchet med {youth_first_name} og taler med jer "
        "jævnligt. Bliver du på noget tidspunkt bekymret, for dig selv eller for en anden, så sig til her. "
        "Konsulenten får besked med det samme. Gem denne e-mail; linket virker, så længe matchet varer.\n\n"
        f"Jeg er bekymret: {url}\n\n{SIGNATURE}",
        action="Jeg er bekymret",
    )


def concern_alert(to: str, match_id: str, party: str, safeguarding: bool) -> Email:
    safety = (
        "Bekymringen handler om nogens sikkerhed. Den frivillige er suspenderet fra alle match og fra puljen, "
        "og opfølgningen er sat på pause, indtil en konsulent har taget stilling.\n\n"
        if safeguarding
        else ""
    )
    return compose(
        to,
        f"BackUp: bekymring i match {match_id} (fra {party})" + (" - sikkerhed" if safeguarding else ""),
        f"Hej\n\n{party.capitalize()} har sagt, at de er bekymrede, i match {match_id}. {safety}"
        "Konsulenten får et link til at læse bekymringen og beslutte, om matchet fortsætter, sættes på pause "
        f"eller afsluttes.\n\nSe matchet med: backup-ops show {match_id} --kind match\n\n{SIGNATURE}",
    )


def concern_decision_request(to: str, match_id: str, youth_first_name: str, url: str) -> Email:
    return compose(
        to,
        f"BackUp: tag stilling til en bekymring om {youth_first_name} (match {match_id})",
        "Hej\n\nDer er meldt en bekymring i matchet, eller matchet har været sat på pause et stykke tid. Læs "
        "den, tal med dem, det angår, og beslut, om matchet fortsætter, sættes på pause eller afsluttes:\n\n"
        f"{url}\n\n{SIGNATURE}",
        action="Tag stilling",
    )


def pulse_request(to: str, greeting: str, url: str, concern_url: str) -> Email:
    return compose(
        to,
        "Hvordan går det i BackUp?",
        f"{greeting}\n\nHvordan går det med jer? Tryk på linket, og vælg godt, okay eller svært. Det tager et "
        "øjeblik, og du kan skrive en kommentar, hvis du vil. Konsulenten ser svaret.\n\n"
        f"{url}\n\nJeg er bekymret: {concern_url}\n\n{SIGNATURE}",
        action="Svar her",
    )


def pulse_alert(to: str, match_id: str, party: str, comment: str) -> Email:
    said = f'\n\nKommentar: "{comment}"' if comment else ""
    return compose(
        to,
        f"BackUp: {party} svarer, at det går svært (match {match_id})",
        f'Hej\n\n{party.capitalize()} har svaret "svært" på den månedlige "hvordan går det?".{said}\n\n'
        f"Tag kontakt snart. Se matchet med: backup-ops show {match_id} --kind match\n\n{SIGNATURE}",
    )


def pulse_missing(to: str, match_id: str, number: int) -> Email:
    return compose(
        to,
        f'BackUp: ingen svar på "hvordan går det?" (match {match_id})',
        f"Hej\n\nHverken den frivillige eller den unge har svaret på runde {number} af den månedlige "
        '"hvordan går det?". Det kan være helt i orden, men tag gerne kontakt og hør, hvordan det går.\n\n'
        f"{SIGNATURE}",
    )
