"""Deliveries: a task result owed to a waiting execution.

Only the function behind the decision links may send task results (states:SendTask*). Every
other function that finds a result owed (a decision recorded while its step's wait was between
two tokens, a match made while a person's pool wait was being stored) leaves a Delivery in the
table and rings the links function, which delivers it at once; a delivery that fails for a
moment is tried again, with backoff, by the same function on a schedule. The id comes from the
token, so the same result owed twice is one delivery.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from backup.domain.kinds import RecordKind

# tried again after 2, 4, 8 ... seconds, at most a minute apart, for at most a day (a wait that
# has not come back by then ends through its own timeout, the last safety net)
RETRY_BASE_SECONDS = 2.0
RETRY_MAX_SECONDS = 60.0
GIVE_UP_AFTER = timedelta(days=1)


def delivery_id(task_token: str) -> str:
    return hashlib.sha256(task_token.encode()).hexdigest()[:32]


class Delivery(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    record_kind: RecordKind  # whose wait it is (for the history and the logs)
    record_id: str
    task_token: str = Field(repr=False)
    output: dict[str, Any] = Field(default_factory=dict)
    # a failure instead of a result: the run takes its branch for this error (Withdrawn, PersonGone)
    error: str | None = None
    cause: str = ""
    created_at: datetime
    due_at: datetime
    attempts: int = 0

    @classmethod
    def owed(
        cls,
        about: tuple[RecordKind, str],
        task_token: str,
        output: dict[str, Any],
        at: datetime,
        error: str | None = None,
        cause: str = "",
    ) -> Delivery:
        return cls(
            id=delivery_id(task_token),
            record_kind=about[0],
            record_id=about[1],
            task_token=task_token,
            output=output,
            error=error,
            cause=cause,
            created_at=at,
            due_at=at,
        )

    def later(self, at: datetime) -> Delivery:
        """The same delivery after one more failed attempt: due again after a growing pause."""
        pause = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**self.attempts)
        return self.model_copy(update={"attempts": self.attempts + 1, "due_at": at + timedelta(seconds=pause)})

    def given_up(self, at: datetime) -> bool:
        return at - self.created_at > GIVE_UP_AFTER
