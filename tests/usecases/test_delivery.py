"""A recorded decision reaches its run even when Step Functions fails for a while: tried again at
once, then left owed and sent again on the schedule; and the consultant is told it is recorded."""

from datetime import timedelta

import pytest

from backup.domain.deliveries import delivery_id
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.stages import Stage
from tests.factories import volunteer

VOLUNTEER = RecordKind.VOLUNTEER


class Flaky:
    """Step Functions refusing the next `failures` calls (throttled, a 5xx), then answering."""

    def __init__(self, results, failures):
        self.results = results
        self.failures = failures

    def resume(self, token, output):
        if self.failures:
            self.failures -= 1
            raise RuntimeError("ServiceUnavailable")
        self.results.resume(token, output)

    def fail(self, token, error, cause):
        self.results.fail(token, error, cause)


@pytest.fixture
def world(programme):
    programme.repository.create_person(
        volunteer("a1", first_name="Mette"), Event(at=programme.clock(), kind=EventKind.APPLIED)
    )
    programme.results.waiting.add("t1")
    programme.journeys.open_step(VOLUNTEER, "a1", Stage.PHONE_SCREENING, "t1", "test")
    return programme


def flaky(world, failures):
    real = world.results
    world.deliverer.results = Flaky(real, failures)
    return real


def test_a_short_failure_is_tried_again_at_once_and_the_decision_arrives(world):
    real = flaky(world, failures=2)  # three quick tries in the request: the third gets through
    link_id = world.repository.get_volunteer("a1").open_link_id
    world.decisions.decide(link_id, "approve")
    assert real.resumed == [("t1", {"outcome": "approve", "link_id": link_id})]
    assert world.repository.due_deliveries(world.clock() + timedelta(days=1)) == []


def test_a_longer_failure_leaves_the_decision_owed_and_the_schedule_delivers_it(world):
    real = flaky(world, failures=7)  # three quick tries in the request, three in the first retry
    link_id = world.repository.get_volunteer("a1").open_link_id
    decided = world.decisions.decide(link_id, "approve")  # the consultant sees it recorded, not a 500
    assert decided.decision == "approve" and real.resumed == []
    (owed,) = world.repository.due_deliveries(world.clock() + timedelta(minutes=1))
    assert owed.id == delivery_id("t1") and owed.attempts == 1
    assert world.deliverer.drain() == {}  # not due yet: it waits its backoff
    world.clock.at += timedelta(seconds=3)
    assert world.deliverer.drain() == {"later": 1}  # Step Functions still refuses
    world.clock.at += timedelta(seconds=5)
    assert world.deliverer.drain() == {"delivered": 1}
    assert real.resumed == [("t1", {"outcome": "approve", "link_id": link_id})]
    assert world.repository.due_deliveries(world.clock() + timedelta(days=1)) == []
    assert ("DeliveryDelivered", None) in world.metrics.counts


def test_an_owed_result_whose_wait_is_over_is_dropped_and_one_nobody_can_deliver_is_given_up(world):
    flaky(world, failures=100)
    link_id = world.repository.get_volunteer("a1").open_link_id
    world.decisions.decide(link_id, "approve")
    world.clock.at += timedelta(days=1, minutes=1)
    assert world.deliverer.drain() == {"gone": 1}  # a day of refusals: the step's own wait takes over
    assert ("DeliveryAbandoned", None) in world.metrics.counts
    world.deliverer.results = world.results
    world.outbox.owe((VOLUNTEER, "a1"), "a-token-no-wait-has", {"outcome": "approve"})
    assert world.repository.due_deliveries(world.clock() + timedelta(days=1)) == []  # rung, tried, gone


def test_the_same_result_owed_twice_is_one_delivery(world):
    flaky(world, failures=100)
    world.outbox.owe((VOLUNTEER, "a1"), "t1", {"outcome": "matched"})
    world.outbox.owe((VOLUNTEER, "a1"), "t1", {"outcome": "matched"})
    assert len(world.repository.due_deliveries(world.clock() + timedelta(days=1))) == 1
    assert world.courier.rung == [delivery_id("t1")] * 2
