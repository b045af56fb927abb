"""The emails of a match's support (backup.domain.support), in plain, kind Danish; composed like
every other email (backup.domain.emails)."""

from __future__ import annotations

from backup.domain.emails import SIGNATURE, Email, compose

# what each support step is called in a sentence
STEP_NAMES = {"ROLES": "rollefordelingen", "CHECK_IN": "opfølgningssamtalen"}


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


def roles_confirm_request(to: str, contact_name: str, youth_first_name: str, url: str) -> Email:
    return compose(
        to,
        f"Bekræft rollefordelingen om {youth_first_name} i BackUp",
        f"Kære {contact_name}\n\nKonsulenten i Røde Kors har skrevet jeres aftale ned om, hvem der gør hvad "
        f"omkring {youth_first_name}, og hvordan I når hinanden. Læs den, og bekræft den med ét tryk, hvis den "
        f"passer. Passer den ikke, så kontakt konsulenten.\n\n{url}\n\n{SIGNATURE}",
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
