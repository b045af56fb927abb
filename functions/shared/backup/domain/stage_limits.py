"""How long a person may wait in a stage before ops should look: `backup-ops stuck` and (later)
the template's alarm read the same limits, written as text like
"PHONE_SCREENING=14,HOME_VISIT=21" (days; fractions allowed, so tests can use tiny limits).
"""

from __future__ import annotations

import math

from backup.domain.stages import Stage

DEFAULT_STAGE_LIMIT_DAYS: dict[Stage, float] = {
    Stage.PHONE_SCREENING: 14,
    Stage.HOME_VISIT: 21,
    Stage.CHILD_CERTIFICATE: 30,
    Stage.TRAINING: 60,
    Stage.READY_FOR_MATCH: 120,
    Stage.REFERRAL_CHECK: 14,
    Stage.WAITING_FOR_MATCH: 120,
    Stage.MATCH_PROPOSED: 14,
    Stage.INTRO_MEETING: 30,
}


class StageLimitError(ValueError):
    """The limits text cannot be read; the message is one sentence for the person who wrote it."""


def parse_stage_limits(text: str) -> dict[Stage, float]:
    """Read "STAGE=DAYS,STAGE=DAYS" into {Stage: days}; only the stages named are returned.

    Stage names are case-insensitive; blanks around names, numbers and commas are ignored; an
    empty text gives {}. Merge with the defaults as needed: `{**DEFAULT_STAGE_LIMIT_DAYS, **parsed}`.
    """
    limits: dict[Stage, float] = {}
    for part in text.split(","):
        part = part.strip()
        if not part:
            continue
        name, equals, number = part.partition("=")
        if not equals:
            raise StageLimitError(f"'{part}' is not STAGE=DAYS (e.g. PHONE_SCREENING=14).")
        name = name.strip().upper()
        try:
            stage = Stage(name)
        except ValueError:
            known = ", ".join(s.value for s in Stage if not s.is_final)
            raise StageLimitError(f"'{name}' is not a stage; the stages are {known}.") from None
        if stage.is_final:
            raise StageLimitError(f"{stage.value} is a final stage: nobody waits in it, so it takes no limit.")
        try:
            days = float(number.strip())
        except ValueError:
            raise StageLimitError(
                f"The limit for {stage.value} must be a number of days, not '{number.strip()}'."
            ) from None
        if not math.isfinite(days) or days < 0:
            raise StageLimitError(f"The limit for {stage.value} must be zero or more days, not '{number.strip()}'.")
        if stage in limits:
            raise StageLimitError(f"{stage.value} is given a limit twice.")
        limits[stage] = days
    return limits


def format_stage_limits(limits: dict[Stage, float]) -> str:
    """The text form of `limits`, as parse_stage_limits reads it (e.g. for a template parameter)."""
    return ",".join(f"{stage.value}={days:g}" for stage, days in limits.items())
