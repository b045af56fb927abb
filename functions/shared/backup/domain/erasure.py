"""Erasure (GDPR art. 17) as rules: which of a person's values must leave the table, how a value
is taken out of something that stays (another person's history, a proposal that named them), and
the one anonymous receipt that says an erasure happened.

What the person told us is deleted with their record. What stays elsewhere is scrubbed: their id
becomes an anonymous id everywhere (so another person's history still reads "a proposal with
someone"), and in what is about them (the proposals that named them, their partners' histories,
anything holding their id) any text holding their name, address, email or phone reads
"[slettet]". Nobody else's own record is touched beyond the id: another volunteer who shares a
first name or a birth date keeps theirs.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from backup.domain.kinds import RecordKind
from backup.domain.records import Person, Volunteer, YoungPerson

ERASED = "[slettet]"
# a single letter would match too much; two ("Bo") is matched as a whole word only
SHORTEST_VALUE = 2
# values every person shares a set of: not theirs alone, and scrubbing them would blank others
SHARED_FIELDS = frozenset({"postcode", "gender", "availability", "interests", "placement", "preferences"})


def anonymous_id() -> str:
    """What an erased person's id becomes where it stays: unguessable, and says what it is."""
    return f"slettet-{secrets.token_hex(6)}"


def personal_values(person: Person) -> list[str]:
    """Every text of theirs that could have been copied elsewhere: names, contact details, free
    text (and, for a young person, their contact adult's details, which were given about them)."""
    values: set[str] = set()

    def add(value: Any) -> None:
        if isinstance(value, str) and len(value.strip()) >= SHORTEST_VALUE:
            values.add(value.strip())
        elif isinstance(value, (date, datetime)):
            values.add(value.isoformat())
        elif isinstance(value, (list, tuple)):
            for item in value:
                add(item)

    details = person.details.model_dump()
    for name, value in details.items():
        if name not in SHARED_FIELDS:
            add(value)
    if isinstance(person, Volunteer):
        add(person.details.full_name)
    if isinstance(person, YoungPerson):
        add(person.details.contact_adult_email)
        add(person.details.contact_adult_phone)
        if person.details.guardian_consent is not None:  # a guardian's name, given about them
            add(person.details.guardian_consent.name)
    return sorted(values, key=len, reverse=True)  # the longest first: "Mette Hansen" before "Mette"


class Scrubber:
    """Takes one person's values out of anything stored: their id becomes the anonymous id, any
    other value of theirs becomes "[slettet]", matched as a whole word, ignoring case."""

    def __init__(self, person_id: str, anonymous: str, values: list[str]):
        self.person_id = person_id
        self.anonymous = anonymous
        words = [re.escape(v) for v in values if v != person_id]
        self._values = re.compile(rf"(?<!\w)(?:{'|'.join(words)})(?!\w)", re.IGNORECASE) if words else None

    def text(self, value: str) -> str:
        value = value.replace(self.person_id, self.anonymous)
        return self._values.sub(ERASED, value) if self._values is not None else value

    def value(self, value: Any) -> Any:
        """The same structure with their id and every value of theirs scrubbed, for what is about
        them (a proposal that named them, the history of someone they were proposed to)."""
        return _each_text(value, self.text)

    def ids(self, value: Any) -> Any:
        """The same structure with only their id replaced: for another person's own record, whose
        details may share a value with theirs (a birth date, a first name) and must stay whole."""
        return _each_text(value, lambda text: text.replace(self.person_id, self.anonymous))

    def holds(self, value: Any) -> bool:
        return bool(self.value(value) != value)

    def holds_id(self, value: Any) -> bool:
        return bool(self.ids(value) != value)


def _each_text(value: Any, change: Callable[[str], str]) -> Any:
    """`value` with `change` applied to every text in it, dict keys included."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        return {_each_text(k, change): _each_text(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_each_text(v, change) for v in value]
    if isinstance(value, tuple):
        return tuple(_each_text(v, change) for v in value)
    if isinstance(value, (set, frozenset)):
        return type(value)(_each_text(v, change) for v in value)
    return value


class ErasureReceipt(BaseModel):
    """The one thing kept about an erasure: that it happened, when, by whom and how much went.
    No personal data, not even the erased person's id."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    anonymous_id: str
    kind: RecordKind
    at: datetime
    by: str
    deleted: int  # the record, its history, its links, its submissions
    scrubbed: int  # items elsewhere that named them (proposals, other people's histories)
