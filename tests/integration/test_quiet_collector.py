"""The local stack's full garbage collections run while nobody waits for an answer
(local_stack/collector.py): never in the middle of a request unless garbage has piled up, and the
process's own settings are given back when the stack stops."""

from __future__ import annotations

import gc
import sys
import time
import weakref
from collections.abc import Iterator

import pytest

from local_stack import collector
from local_stack.collector import QuietCollector


@pytest.fixture
def running() -> Iterator[QuietCollector]:
    before = gc.get_threshold(), gc.get_freeze_count()
    quiet = QuietCollector()
    quiet.start()
    yield quiet
    quiet.stop()
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def grown_by(quiet: QuietCollector, factor: float) -> None:
    """As if the heap had grown by `factor` since the last full collection."""
    quiet._baseline = int(sys.getallocatedblocks() / factor)


def idle_for_a_while(quiet: QuietCollector) -> None:
    quiet._last_answer = time.monotonic() - 10 * collector.QUIET_SECONDS


def test_while_it_runs_python_makes_no_full_collection_of_its_own(running: QuietCollector) -> None:
    young, middle, full = gc.get_threshold()
    assert full == collector.NEVER
    assert gc.get_freeze_count() > 0  # what existed at the start is not walked again


def test_a_heap_grown_by_a_quarter_is_collected_once_the_front_door_is_idle(running: QuietCollector) -> None:
    grown_by(running, 1.3)
    idle_for_a_while(running)
    assert running.due()


def test_nothing_is_collected_while_a_request_waits_for_its_answer(running: QuietCollector) -> None:
    grown_by(running, 1.9)
    idle_for_a_while(running)
    with running.answering():
        assert not running.due()


def test_nothing_is_collected_just_after_an_answer(running: QuietCollector) -> None:
    grown_by(running, 1.9)
    with running.answering():
        pass
    assert not running.due()  # the next request of a burst is likely on its way


def test_a_heap_that_doubled_is_collected_even_while_busy(running: QuietCollector) -> None:
    grown_by(running, 2.1)
    with running.answering():
        assert running.due()


def test_a_heap_that_hardly_grew_is_left_alone(running: QuietCollector) -> None:
    grown_by(running, 1.1)
    idle_for_a_while(running)
    assert not running.due()


def test_garbage_cycles_are_collected_by_the_collectors_own_thread(running: QuietCollector) -> None:
    class Node:
        pass

    node = Node()
    node.itself = node  # type: ignore[attr-defined]  # a cycle: only a collection frees it
    gone = weakref.ref(node)
    for _ in range(3):  # alive, it passes through the young generations into the old one
        gc.collect(1)
    del node  # garbage now, where only a full collection looks
    gc.collect(1)
    assert gone() is not None
    grown_by(running, 1.5)
    idle_for_a_while(running)
    deadline = time.monotonic() + 30
    while gone() is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert gone() is None
    assert running.collections >= 1
    assert sys.getallocatedblocks() / running._baseline < collector.GROWTH  # measured again after it


def test_two_stacks_in_one_process_share_it_and_the_last_to_stop_restores(running: QuietCollector) -> None:
    running.start()  # a second stack in the same process
    running.stop()
    assert gc.get_threshold()[2] == collector.NEVER  # the first still runs
