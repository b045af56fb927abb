"""A journey waiting for ops after a failure does not wait forever: after OpsWaitDays it is ended as
ops' "end" would, with an alarm and an email, and not before."""

from datetime import timedelta

import pytest

from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.usecases.ops_commands import OpsCommands
from backup.usecases.ops_waits import OpsWaits
from tests.factories import volunteer

from .conftest import OPS

VOLUNTEER = RecordKind.VOLUNTEER


@pytest.fixture
def waiting_for_ops(programme):
    programme.repository.create_person(
        volunteer("a1", "HOME_VISIT"), Event(at=programme.clock(), kind=EventKind.APPLIED)
    )
    programme.results.waiting.add("ops-token")
    programme.journeys.ask_ops(VOLUNTEER, "a1", "Home visit", "States.TaskFailed", "boom", "ops-token", True)
    ops = OpsCommands(
        programme.repository, programme.letters, programme.steps, programme.outbox, programme.settings, programme.clock
    )
    programme.ops_waits = OpsWaits(
        programme.repository, ops, programme.letters, programme.settings, programme.clock, programme.metrics
    )
    return programme


def test_a_wait_for_ops_is_left_alone_within_ops_wait_days(waiting_for_ops):
    waiting_for_ops.clock.at += timedelta(days=29)
    assert waiting_for_ops.ops_waits.expire() == 0
    assert waiting_for_ops.results.resumed == []


def test_after_ops_wait_days_the_journey_ends_as_ops_end_would_with_an_alarm_and_an_email(waiting_for_ops):
    world = waiting_for_ops
    world.clock.at += timedelta(days=31)
    assert world.ops_waits.expire() == 1
    (resumed,) = world.results.resumed
    assert resumed[0] == "ops-token" and resumed[1]["choice"] == "end"
    assert ("OpsWaitExpired", None) in world.metrics.counts
    assert "ingen valgte i 30 dage" in world.mailer.to(OPS)[-1].subject
    decided = [e for e in world.repository.history(VOLUNTEER, "a1") if e.kind is EventKind.OPS_ENDED]
    assert decided and decided[0].by == "the wait for ops ran out after 30 days"
    assert world.ops_waits.expire() == 0  # once
