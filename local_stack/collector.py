"""Python's full garbage collection in the stack's process, run while nobody waits for an answer.

With a thousand people waiting the stack's process holds about 1.3 million objects: 0.3 million
from its start (moto, botocore's models, the template) and about a thousand for each waiting run
(its thread's frames, its state, its history). CPython's automatic full collection walks every
one of them, 1.0-1.3 s on this machine, and no thread of the process runs meanwhile. It comes
when the objects that survived since the last one reach a quarter of the old ones, which under
load is in the middle of a burst of requests: each request in flight then waits that second
(measured, docs/benchmarks.md: it was the slowest five percent of `POST /apply`).

So while a stack runs, this module:

- freezes what exists when the stack has started (`gc.freeze`: the modules and models live as
  long as the process, a full collection need not walk them again);
- takes full collections off Python's schedule and runs them itself, every half second checking
  whether the heap (`sys.getallocatedblocks`) grew by a quarter since the last one (Python's own
  proportion) and the front door has answered everything and been idle for a moment;
- collects anyway once the heap doubled, busy or not, so that garbage cannot pile up under a
  sustained load. Young collections (generations 0 and 1, in proportion to what was just made)
  stay automatic.

The process's settings are restored when the last stack using it stops (the probe and the
benchmarks run a stack inside their own process)."""

from __future__ import annotations

import gc
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

GROWTH = 1.25  # collect when idle after the heap grew by a quarter (CPython's proportion)
FORCED_GROWTH = 2.0  # collect even while busy once it doubled
QUIET_SECONDS = 0.5  # idle for that long: no request in flight, none answered just now
CHECK_SECONDS = 0.5
NEVER = 1 << 30  # a generation-2 threshold no count of generation-1 collections reaches


class QuietCollector:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users = 0
        self._in_flight = 0
        self._last_answer = time.monotonic()
        self._baseline = 0
        self._thresholds: tuple[int, int, int] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.collections = 0  # full collections this module ran

    def start(self) -> None:
        with self._lock:
            self._users += 1
            if self._users > 1:
                return
            self._thresholds = gc.get_threshold()
            gc.collect()
            gc.freeze()
            self._baseline = sys.getallocatedblocks()
            young, middle, _ = self._thresholds
            gc.set_threshold(young, middle, NEVER)
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._run, name="quiet-collector", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._lock:
            self._users -= 1
            if self._users > 0:
                return
            self._users = 0
            self._stop.set()
            thread, self._thread = self._thread, None
            if self._thresholds is not None:
                gc.set_threshold(*self._thresholds)
            gc.unfreeze()
        if thread is not None:
            thread.join()

    @contextmanager
    def answering(self) -> Iterator[None]:
        """Around each request somebody waits for (the front door's)."""
        with self._lock:
            self._in_flight += 1
        try:
            yield
        finally:
            with self._lock:
                self._in_flight -= 1
                self._last_answer = time.monotonic()

    def due(self) -> bool:
        """Whether a full collection should run now."""
        grown = sys.getallocatedblocks() / max(self._baseline, 1)
        if grown >= FORCED_GROWTH:
            return True
        with self._lock:
            quiet = self._in_flight == 0 and time.monotonic() - self._last_answer >= QUIET_SECONDS
        return quiet and grown >= GROWTH

    def collect(self) -> None:
        gc.collect()
        self._baseline = sys.getallocatedblocks()
        self.collections += 1

    def _run(self) -> None:
        stop = self._stop
        while not stop.wait(CHECK_SECONDS):
            if self.due():
                self.collect()


COLLECTOR = QuietCollector()  # one per process: the thresholds and the freeze are the process's
