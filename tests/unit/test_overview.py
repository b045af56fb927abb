"""A consultant's overview lists the steps waiting for them, oldest first: only open links sent to
them, in a stage that has a consultant's step; a reassigned step shows with its new consultant."""

from datetime import timedelta

from backup.domain.kinds import RecordKind
from backup.domain.links import LinkKind, LinkStatus
from backup.domain.overview import Candidate, open_steps
from backup.domain.stages import Stage
from tests.factories import NOW, link

ME = "Anna.Konsulent@rodekors.example"
VOLUNTEER, YOUTH, MATCH = RecordKind.VOLUNTEER, RecordKind.YOUTH, RecordKind.MATCH


def candidate(record_id, stage=Stage.PHONE_SCREENING, kind=VOLUNTEER, first_name="Mette", days_ago=1, **changes):
    changes.setdefault("sent_to", "anna.konsulent@rodekors.example")  # the address in other letter case
    sent = link(
        f"link-{record_id}",
        LinkKind.PROPOSAL if kind is MATCH else LinkKind.DECISION,
        record_id,
        kind,
        created_at=NOW - timedelta(days=days_ago),
        **changes,
    )
    return Candidate(kind, record_id, stage, sent, first_name)


def test_the_oldest_step_comes_first_and_each_says_whom_and_what():
    steps = open_steps(
        ME,
        [
            candidate("v1", Stage.HOME_VISIT, days_ago=2),
            candidate("y1", Stage.REFERRAL_CHECK, YOUTH, "Sara", days_ago=9),
            candidate("m1", Stage.MATCH_PROPOSED, MATCH, "Sara", days_ago=4),
        ],
        NOW,
    )
    assert [(s.about, s.step) for s in steps] == [
        ("ung Sara", "Samtale med den unge"),
        ("forslag til Sara", "Vælg en frivillig"),
        ("frivillig Mette", "Hjemmebesøg"),
    ]
    assert steps[0].link_id == "link-y1" and steps[0].waiting_since == NOW - timedelta(days=9)


def test_another_consultants_steps_are_not_shown():
    theirs = candidate("v2", sent_to="bo@rodekors.example")
    assert [s.record_id for s in open_steps(ME, [theirs, candidate("v1")], NOW)] == ["v1"]
    assert open_steps("bo@rodekors.example", [candidate("v1")], NOW) == []


def test_a_used_expired_or_missing_link_is_no_open_step():
    decided = candidate("v1", status=LinkStatus.USED, decision="approve")
    killed = candidate("v2", status=LinkStatus.INVALIDATED)
    expired = candidate("v3", expires_at=NOW - timedelta(seconds=1))
    none = Candidate(VOLUNTEER, "v4", Stage.PHONE_SCREENING, None, "Mette")
    assert open_steps(ME, [decided, killed, expired, none], NOW) == []


def test_a_link_left_from_a_stage_without_a_consultants_step_is_not_shown():
    assert open_steps(ME, [candidate("v1", Stage.READY_FOR_MATCH)], NOW) == []
