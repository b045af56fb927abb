"""The one place that reads the time, so tests and records agree on the format."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

# People read times in Danish time; records keep UTC. tzdata (a layer requirement) makes the
# zone available on any runtime.
DANISH_TIME = ZoneInfo("Europe/Copenhagen")


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """UTC, microseconds, sortable as text (history items are ordered by it)."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def danish(moment: datetime) -> str:
    """A time as a Danish reader expects it: 25.11.2026 kl. 10:30."""
    return moment.astimezone(DANISH_TIME).strftime("%d.%m.%Y kl. %H:%M")
