"""Who has waited in a stage longer than its limit: the hourly watch and `backup-ops stuck` agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from backup.domain.stages import Stage
from backup.usecases.ports import Repository

SECONDS_PER_DAY = 86400


@dataclass(frozen=True)
class StageCount:
    stage: Stage
    waiting: int
    over_limit: int
    oldest_days: float


def count_waiting(repository: Repository, limits: dict[Stage, float], now: datetime) -> list[StageCount]:
    """Per stage with a limit: how many wait, how many past the limit, and the longest wait."""
    counts = []
    for stage, limit_days in limits.items():
        people = repository.waiting_in_stage(stage)
        cutoff = now - timedelta(days=limit_days)
        oldest = (now - people[0].since).total_seconds() / SECONDS_PER_DAY if people else 0.0
        counts.append(StageCount(stage, len(people), sum(1 for p in people if p.since < cutoff), oldest))
    return counts
