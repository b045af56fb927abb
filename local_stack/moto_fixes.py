"""Where moto differs from AWS in a way our guarantees depend on, the local stack corrects it.

DynamoDB applies each request to an item atomically; moto checks a condition and writes in two
steps without a lock, so two threads can both pass one condition, and a read can walk an item's
attributes while another thread changes them ("dictionary changed size during iteration", seen
in a batch read during overlapping matching runs). Serialising moto's DynamoDB requests restores
AWS's behaviour for single-use links, never-twice matches and consistent reads.
"""

from __future__ import annotations

import functools
import threading
from typing import Any

_LOCK = threading.RLock()
_WRITES = ("put_item", "update_item", "delete_item", "transact_write_items", "batch_write_item")


def _locked(owner: type, name: str) -> None:
    method = getattr(owner, name)
    if getattr(method, "_serialised", False):
        return

    @functools.wraps(method)
    def locked(self: Any, *args: Any, __method: Any = method, **kwargs: Any) -> Any:
        with _LOCK:
            return __method(self, *args, **kwargs)

    locked._serialised = True  # type: ignore[attr-defined]
    setattr(owner, name, locked)


def serialise_dynamodb_writes() -> None:
    """One DynamoDB request at a time, reads included: every request moto answers (whole, from
    parsing to the response it builds, which also reads items) and every backend write."""
    from moto.dynamodb.models import DynamoDBBackend
    from moto.dynamodb.responses import DynamoHandler

    _locked(DynamoHandler, "call_action")
    for name in _WRITES:
        _locked(DynamoDBBackend, name)
