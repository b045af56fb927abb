"""What an emailed link may still do, and the page a dead one gets."""

from datetime import UTC, datetime

import pytest

from backup.domain.links import (
    ExpiredLink,
    InvalidatedLink,
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


def test_a_used_link_is_409_and_says_who_decided_and_when():
    used = link(
        status=LinkStatus.USED, decided_by="konsulent@example.org", decided_at=datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
    )
    with pytest.raises(UsedLink) as dead:
        check_usable(used, NOW)
    assert dead.value.status_code == 409
    assert "konsulent@example.org" in dead.value.message and "25.11.2026 kl. 10:30" in dead.value.message  # Danish time


def test_an_expired_link_is_410():
    with pytest.raises(ExpiredLink) as dead:
        check_usable(link(expires_at=NOW), NOW)
    assert dead.value.status_code == 410


@pytest.mark.parametrize(
    "reason, fragment",
    [("withdrawn", "trukket"), ("reassigned", "anden konsulent"), ("timed_out", "drift"), ("resent", "nyt link")],
)
def test_an_invalidated_link_is_410_and_says_why(reason, fragment):
    with pytest.raises(InvalidatedLink) as dead:
        check_usable(link(status=LinkStatus.INVALIDATED, invalid_reason=reason), NOW)
    assert dead.value.status_code == 410
    assert fragment in dead.value.message
