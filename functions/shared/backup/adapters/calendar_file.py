"""A calendar entry (backup.domain.calendar_entry) as an .ics file (RFC 5545), written by the
icalendar library: the attachment of an invitation, a seat from the waiting list or a
cancellation. A cancellation has the same UID, a higher SEQUENCE and METHOD:CANCEL, so a calendar
that took the invitation removes the entry."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from backup.domain.calendar_entry import CalendarEntry

FILENAME = "invitation.ics"
CONTENT_TYPE = ("text", "calendar")


def ics(entry: CalendarEntry, stamp: datetime | None = None) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Røde Kors//BackUp//DA")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if entry.cancelled else "PUBLISH")
    event = CalendarEvent()
    event.add("uid", entry.uid)
    event.add("dtstamp", stamp or datetime.now(UTC))
    event.add("dtstart", entry.starts_at.astimezone(UTC))
    event.add("dtend", entry.ends_at.astimezone(UTC))
    event.add("summary", entry.summary)
    event.add("location", entry.location)
    event.add("description", entry.description)
    event.add("url", entry.url)
    event.add("sequence", entry.sequence)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    calendar.add_component(event)
    return bytes(calendar.to_ical())
