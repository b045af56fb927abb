"""`backup-ops show <match> --kind match`: a match's support and its check-in timeline."""

import io
from datetime import UTC, datetime, timedelta

from backup.domain.evidence import Evidence
from backup.domain.proposals import Candidate
from backup.domain.records import ProposalRecord
from backup.domain.stages import Stage
from backup_ops.cli import print_support
from backup_ops.support_views import support_summary

AT = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def _check_in(day: str, how: str, at: datetime) -> Evidence:
    fields = {"check_in_date": day, "with_whom": "volunteer,youth", "how": how}
    return Evidence(decision="recorded", decided_by="k@rodekors.example", decided_at=at, link_id="l", fields=fields)


def test_a_match_shows_its_support_and_check_ins_in_order():
    match = ProposalRecord(
        id="m1",
        stage=Stage.MATCHED,
        stage_since=AT - timedelta(days=40),
        created_at=AT - timedelta(days=60),
        youth_id="y1",
        volunteer_id="v1",
        chosen=Candidate("v1", 90.0, "tæt på"),
        support_run=2,
        check_ins={
            "b": _check_in("2026-11-20", "svaert", AT),
            "a": _check_in("2026-11-01", "godt", AT - timedelta(days=19)),
        },
        check_ins_missed=1,
        support_paused=True,
    )
    summary = support_summary(match, AT)
    assert summary["support_execution"] == "support-m1-r2" and summary["days_matched"] == 40.0
    assert [c["how"] for c in summary["check_ins"]] == ["Godt", "Svært"]
    out = io.StringIO()
    print_support(summary, out)
    text = out.getvalue()
    assert "2 recorded, 1 missed" in text and "2026-11-01" in text.split("2026-11-20")[0]


def test_a_proposal_that_never_became_a_match_shows_no_support():
    proposal = ProposalRecord(
        id="m2",
        stage=Stage.CLOSED,
        stage_since=AT,
        created_at=AT,
        youth_id="y",
        volunteer_id="v",
        chosen=Candidate("v", 1.0, ""),
    )
    assert support_summary(proposal, AT) is None
