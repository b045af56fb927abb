"""What an emailed link may still do, and the page a dead one gets."""

from datetime import UTC, datetime

import pytest

from backup.domain.kinds import RecordKind
from backup.domain.links import (
    ExpiredLink,
    InvalidatedLink,
    LinkKind,
    LinkStatus,
    UnknownLink,
    UsedLink,
    check_usable,
    new_link_id,
)
from backup.domain.stages import Stage
from tests import factories

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def link(**changes):
    return factories.link(at=NOW, **{"stage": Stage.HOME_VISIT, **changes})


def test_a_link_id_carries_at_least_128_random_bits_and_never_repeats():
    ids = {new_link_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(len(i) >= 22 for i in ids)  # 22 base64 characters hold 128 bits; ours hold 256


def test_an_open_link_within_its_time_can_be_used():
    assert check_usable(link(), NOW).link_id == "abc"


def test_an_unknown_link_is_404():
    with pytest.raises(UnknownLink) as dead:
        check_usable(None, NOW)
    assert dead.value.status_code == 404


def test_a_used_link_is_409_and_tells_the_consultant_they_decided_it_and_when():
    used = link(
        status=LinkStatus.USED,
        sent_to="konsulent@example.org",
        decided_by="konsulent@example.org",
        decided_at=datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
    )
    with pytest.raises(UsedLink) as dead:
        check_usable(used, NOW)
    assert dead.value.status_code == 409
    assert "afgjort af dig den 25.11.2026 kl. 10:30" in dead.value.message  # Danish time
    assert "Du skal ikke gøre mere" in dead.value.message


def test_a_step_decided_by_a_colleague_names_the_colleague_to_the_consultant():
    used = link(status=LinkStatus.USED, sent_to="a@example.org", decided_by="b@example.org", decided_at=NOW)
    with pytest.raises(UsedLink) as dead:
        check_usable(used, NOW)
    assert "afgjort af b@example.org" in dead.value.message


@pytest.mark.parametrize("party", ["youth", "volunteer"])
def test_the_young_person_or_volunteer_reopening_their_answer_link_never_sees_a_staff_address(party):
    answered = link(
        kind=LinkKind.CONTINUE,
        party=party,
        stage=None,
        sent_to="sofie@example.org",
        status=LinkStatus.USED,
        decision="no",
        decided_by="hanna@example.org",
        decided_at=datetime(2026, 11, 25, 9, 30, tzinfo=UTC),
    )
    with pytest.raises(UsedLink) as dead:
        check_usable(answered, NOW)
    said = dead.value.title + " " + dead.value.message
    assert "@" not in said
    assert "afgjort" not in said and "Trinnet" not in said
    assert dead.value.title == "Du har allerede svaret"
    assert "vi har fået dit svar den 25.11.2026 kl. 10:30" in dead.value.message
    assert "konsulent i Røde Kors kontakter dig" in dead.value.message  # what happens next


def test_an_answer_link_that_no_longer_waits_speaks_to_its_reader_and_says_what_happens_next():
    closed = link(kind=LinkKind.CONTINUE, stage=None, status=LinkStatus.INVALIDATED, invalid_reason="step_closed")
    with pytest.raises(InvalidatedLink) as dead:
        check_usable(closed, NOW)
    assert "Trinnet" not in dead.value.message
    assert "kontakter dig" in dead.value.message


def test_a_withdrawal_link_reopened_after_saying_no_speaks_to_the_person_not_of_an_applicant():
    withdrawn = link(kind=LinkKind.WITHDRAW, stage=None, status=LinkStatus.INVALIDATED, invalid_reason="withdrawn")
    with pytest.raises(InvalidatedLink) as dead:
        check_usable(withdrawn, NOW)
    assert "Ansøgeren" not in dead.value.message
    assert dead.value.message.startswith("Du har sagt fra")


def test_an_unknown_link_says_what_to_try_and_where_to_write():
    with pytest.raises(UnknownLink) as dead:
        check_usable(None, NOW)
    assert "tryk på linket i e-mailen igen" in dead.value.message
    assert "skriv til Røde Kors" in dead.value.message


def test_an_expired_link_tells_staff_and_people_different_next_steps():
    with pytest.raises(ExpiredLink) as staff:
        check_usable(link(expires_at=NOW), NOW)
    assert "bed programmets drift om at sende et nyt link" in staff.value.message
    with pytest.raises(ExpiredLink) as person:
        check_usable(link(kind=LinkKind.CONTINUE, stage=None, expires_at=NOW), NOW)
    assert "drift" not in person.value.message and "kontakter dig" in person.value.message
    assert "26.11.2026 kl. 13:00" in person.value.message  # Danish time


def test_an_expired_link_is_410():
    with pytest.raises(ExpiredLink) as dead:
        check_usable(link(expires_at=NOW), NOW)
    assert dead.value.status_code == 410


@pytest.mark.parametrize(
    "reason, fragment",
    [
        ("withdrawn", "trukket sin ansøgning tilbage"),
        ("reassigned", "anden konsulent"),
        ("timed_out", "drift"),
        ("resent", "nyt link"),
    ],
)
def test_an_invalidated_link_is_410_and_says_why(reason, fragment):
    with pytest.raises(InvalidatedLink) as dead:
        check_usable(link(status=LinkStatus.INVALIDATED, invalid_reason=reason), NOW)
    assert dead.value.status_code == 410
    assert fragment in dead.value.message


def test_a_consultants_link_to_a_young_person_who_left_does_not_speak_of_an_application():
    youth_link = link(
        record_kind=RecordKind.YOUTH,
        stage=Stage.REFERRAL_CHECK,
        status=LinkStatus.INVALIDATED,
        invalid_reason="withdrawn",
    )
    with pytest.raises(InvalidatedLink) as dead:
        check_usable(youth_link, NOW)
    assert "ansøgning" not in dead.value.message.lower()
    assert "ikke længere med i BackUp" in dead.value.message


def test_a_no_to_continuing_counts_only_once_confirmed_and_nothing_else_is_asked_twice():
    from backup.domain.match_choices import no_unconfirmed

    answer = link(kind=LinkKind.CONTINUE, record_kind=RecordKind.MATCH)
    assert no_unconfirmed(answer, "no", {})
    assert not no_unconfirmed(answer, "no", {"confirm": "yes"})
    assert not no_unconfirmed(answer, "yes", {})  # a yes is easy to take back with the consultant
    assert not no_unconfirmed(link(kind=LinkKind.INTRO, record_kind=RecordKind.MATCH), "no", {})
