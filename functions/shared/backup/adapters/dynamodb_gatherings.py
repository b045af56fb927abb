"""The gathering store on the programme's one table. Item layout, known only here:

  GATHERING / <id>                       a gathering: details, status, seats taken, and (for the
                                         conditions) seats_total, signup_until and begins_at as top-level values
  GATHERING#<id> / INVITE#<link id>      one invitation: who, their answer, attendance
  GATHERING#<id> / WHO#<kind>#<person>   the guard that lets a person be invited once

A seat is taken only by a transaction whose condition sees one free on the gathering's item
(`seats_taken < seats_total`), together with the invitation's change: two clicks at the same moment cannot
both take the last seat. A write whose condition failed is decided again on a fresh read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from backup.adapters.dynamodb import DynamoRepository, _is_transient_conflict, stored
from backup.domain import clock
from backup.domain.errors import Conflict, NotFound
from backup.domain.gatherings import (
    Answer,
    Gathering,
    GatheringDetails,
    GatheringStatus,
    Invitation,
    check_answerable,
    waiting_order,
)
from backup.domain.settings import DEFAULT_RETENTION_DAYS

LIST_PK = "GATHERING"
# a lost condition means another answer got in first; each loss is someone else's progress
_ATTEMPTS = 25
_OPEN = "#status = :open AND signup_until > :at AND begins_at > :at"


def _meta_key(gathering_id: str) -> dict[str, str]:
    return {"pk": LIST_PK, "sk": gathering_id}


def _invite_key(gathering_id: str, link_id: str) -> dict[str, str]:
    return {"pk": f"{LIST_PK}#{gathering_id}", "sk": f"INVITE#{link_id}"}


def _number(value: Any) -> int:
    return int(value) if isinstance(value, (Decimal, int)) else 0


def gathering_from_item(item: dict[str, Any]) -> Gathering:
    details = dict(item["details"])
    details["capacity"] = _number(details["capacity"])
    return Gathering(
        id=item["sk"],
        details=GatheringDetails.model_validate(details),
        status=item["status"],
        taken=_number(item.get("seats_taken", 0)),
        created_by=item["created_by"],
        created_at=clock.parse(item["created_at"]),
        cancel_reason=item.get("cancel_reason"),
    )


def _condition_values(details: GatheringDetails) -> dict[str, Any]:
    return {
        "seats_total": details.capacity,
        "signup_until": clock.iso(details.deadline),
        "begins_at": clock.iso(details.starts_at),
    }


def invitation_from_item(item: dict[str, Any]) -> Invitation:
    def moment(name: str) -> datetime | None:
        return clock.parse(item[name]) if item.get(name) else None

    return Invitation(
        gathering_id=item["gathering_id"],
        link_id=item["link_id"],
        person_kind=item["person_kind"],
        person_id=item["invitee_id"],
        answer=item.get("reply", Answer.NONE.value),
        answered_at=moment("answered_at"),
        waiting_since=moment("waiting_since"),
        attended=item.get("attended"),
        invited_at=clock.parse(item["invited_at"]),
    )


class DynamoGatherings(DynamoRepository):
    """The gathering store; shares the table, its clients and its retries with the repository.
    Every item of a gathering expires (the table's TTL) `retention_days` after it ended."""

    retention_days = DEFAULT_RETENTION_DAYS

    def _expiry(self, details: GatheringDetails) -> int:
        return int((details.ends_at + timedelta(days=self.retention_days)).timestamp())

    def _write(self, items: list[dict[str, Any]]) -> bool:
        """The items written all or none (the repository's _transact); False if a condition failed, or
        other transactions on the same items kept getting in first (nothing written: the caller decides
        again on a fresh read)."""
        try:
            self._transact(items)
        except Conflict:
            return False
        except Exception as error:
            if _is_transient_conflict(error):
                return False
            raise
        return True

    def _until_decided(self, attempt: Callable[[], Any | None]) -> Any:
        for _ in range(_ATTEMPTS):
            outcome = attempt()
            if outcome is not None:
                return outcome
        raise Conflict("too many answers at the same moment; try again")

    # --- gatherings ----------------------------------------------------------------------------

    def create_gathering(self, gathering: Gathering) -> None:
        item = {
            **_meta_key(gathering.id),
            "details": stored(gathering.details),
            "status": gathering.status.value,
            "seats_taken": gathering.taken,
            "created_by": gathering.created_by,
            "created_at": clock.iso(gathering.created_at),
            "expires_at": self._expiry(gathering.details),
            **_condition_values(gathering.details),
        }
        put = {"TableName": self.table_name, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}
        if not self._write([{"Put": put}]):
            raise Conflict(f"gathering {gathering.id} exists")

    def get_gathering(self, gathering_id: str) -> Gathering:
        item = self.table.get_item(Key=_meta_key(gathering_id), ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound(f"gathering {gathering_id}")
        return gathering_from_item(item)

    def list_gatherings(self) -> list[Gathering]:
        items = self._query(KeyConditionExpression="pk = :pk", ExpressionAttributeValues={":pk": LIST_PK})
        return sorted((gathering_from_item(i) for i in items), key=lambda g: (g.starts_at, g.id))

    def update_details(self, gathering_id: str, details: GatheringDetails) -> Gathering:
        values = _condition_values(details)
        update = {
            "TableName": self.table_name,
            "Key": _meta_key(gathering_id),
            # the expiry moves with the end (it was computed and never written: real DynamoDB refuses an
            # update with a value it does not use, a single UpdateItem in moto too)
            "UpdateExpression": "SET details = :details, seats_total = :seats_total, signup_until = :signup_until, "
            "begins_at = :begins_at, expires_at = :expires_at",
            "ConditionExpression": "attribute_exists(pk) AND #status = :open AND seats_taken <= :seats_total",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {
                ":details": stored(details),
                ":expires_at": self._expiry(details),
                ":open": GatheringStatus.OPEN.value,
                **{f":{k}": v for k, v in values.items()},
            },
        }
        if not self._write([{"Update": update}]):
            self.get_gathering(gathering_id)  # NotFound, if that is why
            raise Conflict("the gathering is not open, or more seats are taken than the new capacity")
        return self.get_gathering(gathering_id)

    def end(self, gathering_id: str, status: GatheringStatus, reason: str | None = None) -> bool:
        update = {
            "TableName": self.table_name,
            "Key": _meta_key(gathering_id),
            "UpdateExpression": "SET #status = :status" + (", cancel_reason = :reason" if reason else ""),
            "ConditionExpression": "attribute_exists(pk) AND #status = :open",
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {
                ":status": status.value,
                ":open": GatheringStatus.OPEN.value,
                **({":reason": reason} if reason else {}),
            },
        }
        if self._write([{"Update": update}]):
            return True
        self.get_gathering(gathering_id)
        return False

    # --- invitations ---------------------------------------------------------------------------

    def add_invitation(self, invitation: Invitation) -> bool:
        pk = f"{LIST_PK}#{invitation.gathering_id}"
        # as long as the gathering (a change of its dates later does not move these; they go with it)
        expires = self._expiry(self.get_gathering(invitation.gathering_id).details)
        guard = {"pk": pk, "sk": f"WHO#{invitation.person_kind.value}#{invitation.person_id}", "expires_at": expires}
        item = {
            **_invite_key(invitation.gathering_id, invitation.link_id),
            "gathering_id": invitation.gathering_id,
            "link_id": invitation.link_id,
            "person_kind": invitation.person_kind.value,
            "invitee_id": invitation.person_id,
            "reply": invitation.answer.value,
            "invited_at": clock.iso(invitation.invited_at),
            "expires_at": expires,
        }
        new = "attribute_not_exists(pk)"
        return self._write(
            [
                {"Put": {"TableName": self.table_name, "Item": guard, "ConditionExpression": new}},
                {"Put": {"TableName": self.table_name, "Item": item, "ConditionExpression": new}},
            ]
        )

    def get_invitation(self, gathering_id: str, link_id: str) -> Invitation | None:
        key = _invite_key(gathering_id, link_id)
        item = self.table.get_item(Key=key, ConsistentRead=True).get("Item")
        return invitation_from_item(item) if item else None

    def invitations(self, gathering_id: str) -> list[Invitation]:
        items = self._query(
            KeyConditionExpression="pk = :pk AND begins_with(sk, :invite)",
            ExpressionAttributeValues={":pk": f"{LIST_PK}#{gathering_id}", ":invite": "INVITE#"},
            ConsistentRead=True,
        )
        return sorted((invitation_from_item(i) for i in items), key=lambda i: i.link_id)

    def _seat(self, gathering_id: str, change: int, condition: str, values: dict[str, Any]) -> dict[str, Any]:
        """The gathering's part in an answer: a seat taken (+1) or given back (-1), or (0) only
        checked, under `condition`."""
        part: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _meta_key(gathering_id),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {"#status": "status"},
            "ExpressionAttributeValues": {":open": GatheringStatus.OPEN.value, **values},
        }
        if change == 0:
            return {"ConditionCheck": part}
        part["UpdateExpression"] = "SET seats_taken = seats_taken + :change"
        part["ExpressionAttributeValues"][":change"] = change
        return {"Update": part}

    def _set_answer(
        self, gathering_id: str, link_id: str, before: Answer, after: Answer, at: datetime | None
    ) -> dict[str, Any]:
        values: dict[str, Any] = {":before": before.value, ":after": after.value}
        sets = ["reply = :after"]
        if at is not None:
            values[":at"] = clock.iso(at)
            sets.append("answered_at = :at")
            if after is Answer.WAITING:
                sets.append("waiting_since = :at")
        expression = "SET " + ", ".join(sets) + ("" if after is Answer.WAITING else " REMOVE waiting_since")
        return {
            "Update": {
                "TableName": self.table_name,
                "Key": _invite_key(gathering_id, link_id),
                "UpdateExpression": expression,
                "ConditionExpression": "attribute_exists(pk) AND reply = :before",
                "ExpressionAttributeValues": values,
            }
        }

    def answer(self, gathering_id: str, link_id: str, yes: bool, at: datetime) -> Answer:
        when = {":at": clock.iso(at)}

        def attempt() -> Answer | None:
            invitation = self.get_invitation(gathering_id, link_id)
            if invitation is None:
                raise NotFound("invitation")
            gathering = self.get_gathering(gathering_id)
            check_answerable(gathering, at)
            before = invitation.answer
            if (yes and before in (Answer.YES, Answer.WAITING)) or (not yes and before is Answer.NO):
                return before
            if yes and gathering.free > 0:
                seat = self._seat(gathering_id, 1, f"{_OPEN} AND seats_taken < seats_total", when)
                after = Answer.YES
            elif yes:  # full: the waiting list, only while it is still full
                seat = self._seat(gathering_id, 0, f"{_OPEN} AND seats_taken >= seats_total", when)
                after = Answer.WAITING
            elif before is Answer.YES:
                seat = self._seat(gathering_id, -1, f"{_OPEN} AND seats_taken > :zero", {**when, ":zero": 0})
                after = Answer.NO
            else:
                seat = self._seat(gathering_id, 0, _OPEN, when)
                after = Answer.NO
            if self._write([seat, self._set_answer(gathering_id, link_id, before, after, at)]):
                return after
            return None

        result: Answer = self._until_decided(attempt)
        return result

    def promote_next(self, gathering_id: str) -> Invitation | None:
        def attempt() -> Invitation | bool | None:
            gathering = self.get_gathering(gathering_id)
            waiting = waiting_order(self.invitations(gathering_id))
            if gathering.status is not GatheringStatus.OPEN or gathering.free == 0 or not waiting:
                return False
            first = waiting[0]
            seat = self._seat(gathering_id, 1, "#status = :open AND seats_taken < seats_total", {})
            if self._write([seat, self._set_answer(gathering_id, first.link_id, Answer.WAITING, Answer.YES, None)]):
                return self.get_invitation(gathering_id, first.link_id)
            return None

        outcome = self._until_decided(attempt)
        return outcome if isinstance(outcome, Invitation) else None

    def record_attendance(self, gathering_id: str, link_id: str, attended: bool, at: datetime) -> None:
        held = {":at": clock.iso(at), ":cancelled": GatheringStatus.CANCELLED.value}
        check = self._seat(gathering_id, 0, "#status <> :cancelled AND begins_at <= :at", held)
        check["ConditionCheck"]["ExpressionAttributeValues"].pop(":open")
        mark = {
            "Update": {
                "TableName": self.table_name,
                "Key": _invite_key(gathering_id, link_id),
                "UpdateExpression": "SET attended = :attended",
                "ConditionExpression": "attribute_exists(pk)",
                "ExpressionAttributeValues": {":attended": attended},
            }
        }
        if not self._write([check, mark]):
            if self.get_invitation(gathering_id, link_id) is None:
                raise NotFound("invitation")
            raise Conflict("the gathering is cancelled or has not begun")
