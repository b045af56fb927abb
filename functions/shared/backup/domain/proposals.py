"""What a matching run proposes: the one shape the assignment produces and the proposals take."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    """A volunteer proposed for a young person, with the score and the reason to show the consultant."""

    volunteer_id: str
    score: float
    reason: str


@dataclass(frozen=True)
class Proposal:
    """The chosen volunteer for one young person and up to two alternatives, best first."""

    young_id: str
    chosen: Candidate
    alternatives: tuple[Candidate, ...] = ()
