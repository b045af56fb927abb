"""A calendar entry sent along with an email (an invitation to a network day or a supervision
session), as data; the mail adapter writes it as an .ics file (RFC 5545)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class CalendarEntry:
    uid: str  # the same for every email about one gathering, so a calendar updates its entry
    summary: str
    starts_at: datetime
    ends_at: datetime
    location: str
    description: str
    url: str
    cancelled: bool = False
    sequence: int = 0  # a later version of the same entry (a cancellation) has a higher number
