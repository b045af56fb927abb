"""The rules of a gathering's details, the waiting list's order and why an answer is over."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from backup.domain.gatherings import (
    Answer,
    Audience,
    GatheringKind,
    GatheringStatus,
    SignUpClosed,
    Tally,
    check_answerable,
    waiting_order,
)
from tests.factories import NOW
from tests.gathering_factories import details, gathering, invitation


def test_supervision_is_for_volunteers_only_and_has_a_supervisor():
    with pytest.raises(ValidationError, match="kun for frivillige"):
        details(kind=GatheringKind.SUPERVISION, supervisor="Hanne", audiences=(Audience.PAIRS,))
    with pytest.raises(ValidationError, match="supervisor"):
        details(kind=GatheringKind.SUPERVISION, audiences=(Audience.VOLUNTEERS,))
    assert details(kind=GatheringKind.SUPERVISION, supervisor="Hanne", audiences=("VOLUNTEERS",)).supervisor == "Hanne"


@pytest.mark.parametrize(
    "changes,message",
    [
        ({"capacity": 0}, "greater than or equal to 1"),
        ({"capacity": 501}, "less than or equal to 500"),
        ({"ends_at": NOW}, "Sluttidspunktet"),
        ({"signup_deadline": NOW + timedelta(days=11)}, "Fristen"),
        ({"region": "Skåne"}, "Vælg en region"),
        ({"region": 7}, "Vælg en region"),
        ({"audiences": ()}, "at least 1"),
        ({"audiences": ("EVERYONE",)}, "PAIRS"),
        ({"theme": "x"}, "at least 3"),
        ({"surprise": 1}, "Extra inputs"),
    ],
)
def test_details_that_do_not_hold_are_refused_with_the_reason(changes, message):
    with pytest.raises(ValidationError, match=message):
        details(**changes)


def test_a_region_is_read_in_any_case_and_nationwide_is_no_region():
    assert details(region="nordjylland").region == "Nordjylland"
    assert details(region="Hele landet").region is None and gathering(region=None).where == "Hele landet"
    assert details(audiences=("PAIRS", "PAIRS", "YOUTH")).audiences == (Audience.PAIRS, Audience.YOUTH)


def test_a_time_without_a_zone_is_danish_time_and_the_deadline_defaults_to_a_day_before():
    typed = details(starts_at="2027-01-15T10:00", ends_at="2027-01-15T15:00")
    assert typed.starts_at.utcoffset() == timedelta(hours=1)  # winter in Copenhagen
    assert typed.deadline == typed.starts_at - timedelta(days=1)


def test_answers_are_over_when_cancelled_held_or_past_the_deadline():
    open_one = gathering()
    check_answerable(open_one, NOW)
    with pytest.raises(SignUpClosed) as late:
        check_answerable(open_one, open_one.deadline)
    assert late.value.status_code == 409 and "Fristen" in late.value.message
    with pytest.raises(SignUpClosed) as cancelled:
        check_answerable(open_one.model_copy(update={"status": GatheringStatus.CANCELLED}), NOW)
    assert cancelled.value.status_code == 410 and cancelled.value.title == "Arrangementet er aflyst"
    with pytest.raises(SignUpClosed, match="fundet sted"):
        check_answerable(open_one, open_one.starts_at)


def test_the_waiting_list_is_first_come_first():
    waiting = [
        invitation(link, person).model_copy(
            update={"answer": Answer.WAITING, "waiting_since": NOW + timedelta(minutes=m)}
        )
        for link, person, m in (("a", "v1", 5), ("b", "v2", 1), ("c", "v3", 3))
    ]
    yes = invitation("d", "v4").model_copy(update={"answer": Answer.YES})
    assert [i.link_id for i in waiting_order([*waiting, yes])] == ["b", "c", "a"]
    assert Tally.of([*waiting, yes]) == Tally(invited=4, signed_up=1, waiting=3)
