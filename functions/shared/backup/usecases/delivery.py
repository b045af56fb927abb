"""Task results to waiting executions, delivered even when Step Functions hiccups.

The links function (behind /decisions and /withdraw) is the only one allowed to send task results.
It sends them with a few quick retries; what still fails is left in the table as a Delivery and
sent again on a schedule, with backoff, so a recorded decision reaches its run within seconds
and is never lost (the step's own wait, which finds the used link, stays the last safety net).
Other functions that find a result owed leave a Delivery through the Outbox and ring the links
function to send it now.
"""

from __future__ import annotations

import contextlib
import random
import time
from collections.abc import Callable
from typing import Any

from backup.domain.deliveries import Delivery
from backup.domain.errors import StepNotWaiting
from backup.domain.kinds import RecordKind
from backup.usecases.ports import Clock, Courier, Metrics, Repository, TaskResults

QUICK_ATTEMPTS = 3  # in the request itself: about a second and a half in all
QUICK_PAUSE_SECONDS = 0.25


class Outbox:
    """For functions that may not send task results: leave the result owed, and ring."""

    def __init__(self, repository: Repository, courier: Courier, now: Clock):
        self.repository = repository
        self.courier = courier
        self.now = now

    def owe(self, about: tuple[RecordKind, str], task_token: str, output: dict[str, Any]) -> None:
        self._owe(Delivery.owed(about, task_token, output, self.now()))

    def fail_wait(self, about: tuple[RecordKind, str], task_token: str, error: str, cause: str) -> None:
        """The Waits port: the wait ends with `error` (its run takes that branch), sent by the links
        function."""
        self._owe(Delivery.owed(about, task_token, {}, self.now(), error=error, cause=cause))

    def _owe(self, delivery: Delivery) -> None:
        self.repository.put_delivery(delivery)
        self.courier.ring(delivery.id)


class Deliverer:
    """The links function's side: sends task results now, or again later."""

    def __init__(
        self,
        repository: Repository,
        results: TaskResults,
        now: Clock,
        metrics: Metrics,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.repository = repository
        self.results = results
        self.now = now
        self.metrics = metrics
        self.sleep = sleep

    def resume(self, task_token: str, output: dict[str, Any]) -> None:
        """Resume the wait, trying again for a moment if Step Functions fails; StepNotWaiting if the
        wait is over, the last error if it still fails."""
        self._send(lambda: self.results.resume(task_token, output))

    def _send_delivery(self, delivery: Delivery) -> None:
        if delivery.error:
            error = delivery.error
            self._send(lambda: self.results.fail(delivery.task_token, error, delivery.cause))
        else:
            self._send(lambda: self.results.resume(delivery.task_token, delivery.output))

    def _send(self, call: Callable[[], None]) -> None:
        for attempt in range(QUICK_ATTEMPTS):
            try:
                call()
                return
            except StepNotWaiting:
                raise
            except Exception:
                if attempt == QUICK_ATTEMPTS - 1:
                    raise
                self.sleep(random.uniform(0, QUICK_PAUSE_SECONDS * 2**attempt))  # noqa: S311 - jitter
        raise AssertionError("unreachable")

    def resume_or_owe(self, about: tuple[RecordKind, str], task_token: str, output: dict[str, Any]) -> None:
        """Resume the wait now; if Step Functions keeps failing, the result is owed and sent again
        on the schedule (nothing is lost). StepNotWaiting if the wait is over."""
        self._send_or_owe(Delivery.owed(about, task_token, output, self.now()))

    def fail_wait(self, about: tuple[RecordKind, str], task_token: str, error: str, cause: str) -> None:
        """The Waits port: end the wait with `error` now, or owe it; a wait that is over already
        needs nothing."""
        with contextlib.suppress(StepNotWaiting):
            self._send_or_owe(Delivery.owed(about, task_token, {}, self.now(), error=error, cause=cause))

    def _send_or_owe(self, delivery: Delivery) -> None:
        try:
            self._send_delivery(delivery)
        except StepNotWaiting:
            raise
        except Exception:
            self.repository.put_delivery(delivery.later(self.now()))
            self.metrics.count("DeliveryPostponed")

    def deliver(self, delivery_id: str) -> str:
        """Send one owed result: delivered, gone (the wait is over), later (it failed again), or
        unknown (nothing owed under that id)."""
        delivery = self.repository.get_delivery(delivery_id)
        if delivery is None:
            return "unknown"
        at = self.now()
        try:
            self._send_delivery(delivery)
        except StepNotWaiting:
            self.repository.remove_delivery(delivery.id)
            return "gone"
        except Exception:
            if delivery.given_up(at):
                self.repository.remove_delivery(delivery.id)
                self.metrics.count("DeliveryAbandoned")
                return "gone"
            self.repository.put_delivery(delivery.later(at))
            self.metrics.count("DeliveryPostponed")
            return "later"
        self.repository.remove_delivery(delivery.id)
        self.metrics.count("DeliveryDelivered")
        return "delivered"

    def drain(self) -> dict[str, int]:
        """Every owed result that is due, once (the schedule runs this)."""
        counts: dict[str, int] = {}
        for delivery in self.repository.due_deliveries(self.now()):
            outcome = self.deliver(delivery.id)
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts
