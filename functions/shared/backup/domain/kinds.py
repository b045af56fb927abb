"""Kinds of records and the parties of a proposal: the enums every layer shares."""

from __future__ import annotations

from enum import StrEnum


class RecordKind(StrEnum):
    """Whom a record is about. Each kind has its own state machine and execution prefix."""

    VOLUNTEER = "VOLUNTEER"
    YOUTH = "YOUTH"
    MATCH = "MATCH"  # a proposal and, if both say yes, the match

    @property
    def noun(self) -> str:
        """What ops call it in a sentence."""
        return {"VOLUNTEER": "volunteer", "YOUTH": "young person", "MATCH": "match proposal"}[self.value]

    @property
    def prefix(self) -> str:
        """The start of its executions' names: volunteer-<id>, youth-<id>, match-<id>."""
        return {"VOLUNTEER": "volunteer", "YOUTH": "youth", "MATCH": "match"}[self.value]

    @classmethod
    def read(cls, text: str) -> RecordKind:
        """A kind from its name or its execution prefix, in any case ("youth", "YOUTH")."""
        wanted = text.strip().upper()
        for kind in cls:
            if wanted in (kind.value, kind.prefix.upper()):
                return kind
        raise ValueError(f"'{text}' is not a kind of record; the kinds are {', '.join(k.prefix for k in cls)}.")


PERSON_KINDS = (RecordKind.VOLUNTEER, RecordKind.YOUTH)


class Party(StrEnum):
    """The two people a proposal asks whether to continue."""

    YOUTH = "youth"
    VOLUNTEER = "volunteer"
