"""What `backup-ops show <match> --kind match` adds for a running or ended match: its support run,
the roles, the check-in timeline, concerns and the monthly answers, and how it ended."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backup.domain import clock
from backup.domain.closure import REASONS
from backup.domain.records import ProposalRecord
from backup.domain.support import HOW, support_execution

SECONDS_PER_DAY = 86400


def support_summary(match: ProposalRecord, now: datetime) -> dict[str, Any] | None:
    """None for a proposal that never became a match."""
    if not match.support_run:
        return None
    check_ins = [
        {
            "date": check.fields.get("check_in_date", ""),
            "recorded_at": clock.iso(check.decided_at),
            "by": check.decided_by,
            "with": check.fields.get("with_whom", ""),
            "how": HOW.get(check.fields.get("how", ""), ""),
        }
        for check in sorted(match.check_ins.values(), key=lambda c: c.decided_at)
    ]
    closure = match.closure
    return {
        "support_execution": support_execution(match.id, match.support_run),
        "days_matched": round((now - match.stage_since).total_seconds() / SECONDS_PER_DAY, 1),
        "roles": "confirmed by the contact adult"
        if match.roles_confirmed
        else ("agreed, not yet confirmed" if match.roles else "not yet agreed"),
        "check_ins": check_ins,
        "check_ins_missed": match.check_ins_missed,
        "next_check_in": clock.iso(match.next_check_in_at) if match.next_check_in_at else "",
        "paused": match.support_paused,
        "concerns": len(match.concerns),
        "concern_open": match.concern_open,
        "pulse_answers": {key: answer.decision for key, answer in sorted(match.pulses.items())},
        "closure": {
            "kind": closure.fields.get("closure_kind", ""),
            "reason": REASONS.get(closure.fields.get("closure_reason", ""), ("", False))[0],
            "by": closure.decided_by,
        }
        if closure
        else None,
    }
