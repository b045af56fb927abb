"""How the matches stand now, for the hourly watch's log line and the dashboard's table: how many
are matched, how many have a concern waiting for the consultant, how many are paused, and how long
they have lasted. The programme reports these to its funders; counted from the table, not events,
so "open" means open now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backup.domain.errors import NotFound
from backup.domain.kinds import RecordKind
from backup.domain.stages import Stage
from backup.usecases.ports import Repository

SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class MatchCount:
    matched: int
    concerns_open: int
    paused: int
    average_days: float  # how long the current matches have lasted, on average
    longest_days: float


def count_matches(repository: Repository, now: datetime) -> MatchCount:
    concerns = paused = 0
    lengths: list[float] = []
    for waiting in repository.waiting_in_stage(Stage.MATCHED):
        if waiting.kind is not RecordKind.MATCH:
            continue  # the two people are MATCHED too: a match is counted once, by its own record
        try:
            match = repository.get_proposal(waiting.id)
        except NotFound:  # closed or erased meanwhile
            continue
        concerns += bool(match.concern_open)
        paused += bool(match.support_paused)
        lengths.append((now - waiting.since).total_seconds() / SECONDS_PER_DAY)
    average = sum(lengths) / len(lengths) if lengths else 0.0
    return MatchCount(len(lengths), concerns, paused, round(average, 1), round(max(lengths, default=0.0), 1))
