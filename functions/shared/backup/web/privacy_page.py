"""The privacy notice (/privatliv), linked from both forms, every page and every email. It states
the retention the template actually configures, so the page and the deletions never disagree.
docs/privacy/ holds the data inventory behind it."""

from __future__ import annotations

from dataclasses import dataclass

from backup.domain.consent import PRIVACY_NOTICE_VERSION
from backup.domain.settings import ACTIVITY_ANSWER_DAYS
from backup.web.html import e, layout


@dataclass(frozen=True)
class Retention:
    """The retention schedule's figures, as the template gives them (days)."""

    after_match: int
    unsuccessful: int
    inactivity: int


def _months(days: int) -> str:
    if days % 365 == 0:
        return f"{days // 365} år"
    if days >= 60:
        return f"cirka {round(days / 30.4)} måneder ({days} dage)"
    return f"{days} dage"


def privacy_page(retention: Retention, contact_email: str) -> str:
    contact = f'<a href="mailto:{e(contact_email)}">{e(contact_email)}</a>'
    body = f"""
<h1>Sådan behandler Røde Kors dine oplysninger i BackUp</h1>
<p>BackUp finder frivillige voksne til unge, der bor i plejefamilie, på opholdssted eller døgninstitution.
Her kan du læse, hvilke oplysninger vi gemmer, hvorfor, hvor længe, og hvilke rettigheder du har.</p>

<h2>Hvem er ansvarlig?</h2>
<p>Dansk Røde Kors, Blegdamsvej 27, 2100 København Ø, er dataansvarlig. Spørgsmål om dine oplysninger kan du
sende til {contact}.</p>

<h2>Hvilke oplysninger gemmer vi?</h2>
<p><strong>Frivillige:</strong> det, du skriver i ansøgningen (navn, kontaktoplysninger, fødselsdato, adresse,
køn hvis du oplyser det, interesser, hvor tit du kan mødes, motivation, erfaring og to referencer),
konsulentens noter og afgørelser for hvert trin i optagelsen, og om din børneattest er modtaget og uden
anmærkninger (dato og ja/nej; aldrig attestens indhold).</p>
<p><strong>Unge:</strong> det, kontaktpersonen skriver i henvisningen (fornavn, fødselsdato, postnummer, hvor den
unge bor, interesser, ønsker til den frivillige, hvor tit den unge kan mødes og den unges kontaktoplysninger),
konsulentens noter, og hvem der har givet samtykke.
<strong>Kontaktpersoner:</strong> navn, e-mail og arbejdsplads.</p>
<p>For alle gemmer vi, hvilke e-mails vi har sendt (emne, modtager og tidspunkt) og hvornår der er sket noget i
forløbet. Vi gemmer ikke personoplysninger i vores tekniske logfiler.</p>

<h2>Hvorfor, og med hvilket grundlag?</h2>
<p>Vi bruger oplysningerne til at vurdere ansøgninger og henvisninger, finde et godt match og følge det.
Grundlaget er dit samtykke (databeskyttelsesforordningens artikel 6, stk. 1, litra a). Børneattesten indhenter vi
med dit samtykke efter reglerne om børneattester, fordi frivillige i BackUp har kontakt med børn og unge under 15
år; oplysninger om strafbare forhold behandles efter databeskyttelseslovens § 8. Vi gemmer, hvilken tekst du har
sagt ja til, og hvornår.</p>
<p><strong>Unge under 18 år:</strong> den unge siger altid selv ja. Er den unge under 18, skal også den, der har
forældremyndigheden, eller den anbringende kommune sige ja; kontaktpersonen skriver, hvem der gav samtykket,
hvordan og hvornår.</p>

<h2>Hvem ser oplysningerne?</h2>
<p>Konsulenterne i BackUp og de få medarbejdere, der driver systemet. Konsulenten præsenterer den unge og den
frivillige for hinanden; når begge har sagt ja til at fortsætte, nævner vores e-mails jeres fornavne for hinanden
og for den unges kontaktperson. Oplysningerne ligger hos Amazon Web Services i EU som vores databehandler.</p>

<h2>Hvor længe gemmer vi dem?</h2>
<ul>
<li>Bliver en ansøgning eller henvisning ikke til et match (afslag, tilbagetrækning eller afslutning), sletter vi
alt efter {_months(retention.unsuccessful)}.</li>
<li>Et match og begge parters oplysninger gemmer vi, så længe matchet varer, og i
{_months(retention.after_match)} efter, at det er afsluttet, hvis der senere skulle opstå spørgsmål om forløbet.</li>
<li>Sker der ikke noget i et forløb i {_months(retention.inactivity)}, spørger konsulenten, om du stadig vil være
med. Hører vi ikke fra dig inden for {ACTIVITY_ANSWER_DAYS} dage, afslutter vi forløbet, og reglen ovenfor gælder.</li>
</ul>
<p>Sikkerhedskopier af databasen kan indeholde slettede oplysninger i op til 35 dage, før de også er væk.</p>

<h2>Dine rettigheder</h2>
<ul>
<li>Du kan få en kopi af alt, vi har om dig, også i et maskinlæsbart format (indsigt og dataportabilitet).</li>
<li>Du kan få rettet forkerte oplysninger og få dine oplysninger slettet.</li>
<li>Du kan trække dit samtykke tilbage når som helst med linket i vores e-mails. Så stopper forløbet. Er du
frivillig og matchet med en ung, så tal med din konsulent, så I kan afslutte forløbet ordentligt.</li>
<li>Du kan gøre indsigelse mod og bede om begrænsning af behandlingen.</li>
<li>Du kan klage til Datatilsynet, <a href="https://www.datatilsynet.dk">www.datatilsynet.dk</a>.</li>
</ul>
<p>Skriv til {contact}, så hjælper vi dig.</p>
<p class="hint">Version {e(PRIVACY_NOTICE_VERSION)}.</p>"""
    return layout("Privatliv", body)
