"""The letters about network days and supervision sessions, in plain, kind Danish: the
invitation (with its calendar file and yes/no links), the copy for a young person's contact adult,
a seat from the waiting list, the reminder and the cancellation."""

from __future__ import annotations

from dataclasses import replace

from backup.domain import clock
from backup.domain.calendar_entry import CalendarEntry
from backup.domain.emails import SIGNATURE, Email, compose
from backup.domain.gatherings import Gathering, GatheringKind

YES, NO = "ja", "nej"


def fact_rows(gathering: Gathering) -> list[tuple[str, str]]:
    """The practical details as (what, value), for a letter and for the page alike."""
    details = gathering.details
    ends = details.ends_at.astimezone(clock.DANISH_TIME).strftime("%H:%M")
    rows = [
        ("Hvad", f"{details.kind.label}: {details.theme}"),
        ("Hvornår", f"{clock.danish(details.starts_at)} til {ends}"),
        ("Hvor", details.place),
    ]
    if details.kind is GatheringKind.SUPERVISION and details.supervisor:
        rows.append(("Supervisor", details.supervisor))
    return rows


def facts(gathering: Gathering) -> str:
    """The practical details, one per line."""
    return "\n".join(f"{what}: {value}" for what, value in fact_rows(gathering))


def calendar_entry(gathering: Gathering, page_url: str, cancelled: bool = False) -> CalendarEntry:
    details = gathering.details
    return CalendarEntry(
        uid=f"gathering-{gathering.id}@backup.rodekors.dk",
        summary=f"BackUp: {details.kind.label}: {details.theme}",
        starts_at=details.starts_at,
        ends_at=details.ends_at,
        location=details.place,
        description=f"Røde Kors BackUp. Tilmelding og afmelding: {page_url}",
        url=page_url,
        cancelled=cancelled,
        sequence=1 if cancelled else 0,
    )


def _name(kind: GatheringKind) -> str:
    return "netværksdag" if kind is GatheringKind.NETWORK_DAY else "supervision"


def _to_person(
    to: str,
    subject: str,
    first_name: str,
    before: str,
    gathering: Gathering,
    after: str,
    action: str = "Se eller ændr dit svar",
    calendar: CalendarEntry | None = None,
) -> Email:
    """A letter to an invited person: a greeting, what happened, the practical details, what to do."""
    text = f"Kære {first_name}\n\n{before}\n\n{facts(gathering)}\n\n{after}\n\n{SIGNATURE}"
    return replace(compose(to, subject, text, action=action), calendar=calendar)


def invitation(to: str, first_name: str, gathering: Gathering, page_url: str) -> Email:
    kind = gathering.details.kind
    about = (
        "en netværksdag, hvor unge og frivillige i BackUp mødes om et emne fra voksenlivet"
        if kind is GatheringKind.NETWORK_DAY
        else "supervision, hvor du som frivillig kan tale om dit forløb med en erfaren supervisor"
    )
    return _to_person(
        to,
        f"Invitation: {_name(kind)} om {gathering.details.theme}",
        first_name,
        f"Du er inviteret til {about}.",
        gathering,
        f"Der er plads til {gathering.details.capacity}. Svar gerne senest {clock.danish(gathering.deadline)}; "
        "indtil da kan du altid ændre dit svar. Er der fuldt, kommer du på venteliste, og vi skriver til dig, "
        "hvis der bliver en plads.\n\n"
        f"Ja, jeg kommer: {page_url}?svar={YES}\n"
        f"Nej tak: {page_url}?svar={NO}\n\n"
        "I kalenderfilen (vedhæftet) står tid og sted, så du kan lægge det i din kalender.",
        action="Svar på invitationen",
        calendar=calendar_entry(gathering, page_url),
    )


def contact_adult_copy(to: str, contact_name: str, youth_first_name: str, gathering: Gathering) -> Email:
    """For information: the young person is under 18 and answers the invitation themselves."""
    return compose(
        to,
        f"Til orientering: {youth_first_name} er inviteret til {_name(gathering.details.kind)}",
        f"Kære {contact_name or 'kontaktperson'}\n\n"
        f"Til orientering: {youth_first_name} er inviteret til en {_name(gathering.details.kind)} i BackUp. "
        f"{youth_first_name} har fået invitationen og svarer selv.\n\n"
        f"{facts(gathering)}\n\n"
        "Har du spørgsmål, så kontakt gerne den konsulent i Røde Kors, I plejer at tale med.\n\n"
        f"{SIGNATURE}",
    )


def seat_from_waiting_list(to: str, first_name: str, gathering: Gathering, page_url: str) -> Email:
    return _to_person(
        to,
        f"Der er blevet plads til dig: {gathering.details.theme}",
        first_name,
        "Godt nyt: der er blevet en plads ledig, og du er nu tilmeldt.",
        gathering,
        f"Kan du alligevel ikke komme, så meld gerne fra, så pladsen kan gå videre:\n{page_url}",
        calendar=calendar_entry(gathering, page_url),
    )


def reminder(to: str, first_name: str, gathering: Gathering, page_url: str) -> Email:
    return _to_person(
        to,
        f"Påmindelse: {gathering.details.theme} {clock.danish(gathering.starts_at)}",
        first_name,
        "Vi glæder os til at se dig.",
        gathering,
        f"Kan du alligevel ikke komme, så sig det gerne her, så en anden kan få pladsen:\n{page_url}",
    )


def cancelled(to: str, first_name: str, gathering: Gathering, page_url: str) -> Email:
    reason = f"\n\nGrunden: {gathering.cancel_reason}" if gathering.cancel_reason else ""
    return _to_person(
        to,
        f"Aflyst: {gathering.details.theme} {clock.danish(gathering.starts_at)}",
        first_name,
        f"Vi må desværre aflyse dette arrangement, som du var tilmeldt eller på venteliste til.{reason}",
        gathering,
        "Du skal ikke gøre mere. Vi beklager, og vi håber at se dig en anden gang.",
        action="Åbn siden",
        calendar=calendar_entry(gathering, page_url, cancelled=True),
    )


def attendance_request(to: str, gathering: Gathering, tally_signed_up: int, page_url: str) -> Email:
    """To the organiser, when it has ended: record who came."""
    return compose(
        to,
        f"Registrér fremmøde: {gathering.details.theme}",
        f"Hej\n\n{gathering.details.kind.label} om {gathering.details.theme} er slut. "
        f"{tally_signed_up} var tilmeldt.\n\n"
        "Registrér gerne, hvem der kom: så står det i deres historik, og tallene kommer med på oversigten. "
        f"Du logger ind som medarbejder:\n{page_url}\n\n{SIGNATURE}",
        action="Registrér fremmøde",
    )
