"""DynamoDB adapter: volunteers, their history and their decision links in one table.

Item layout (pk / sk):
  VOLUNTEER#<id> / PROFILE        the person's details, current stage and open step
  VOLUNTEER#<id> / EVENT#<time>#… one item per history event, written once, never updated
  LINK#<link id> / LINK           a decision or withdrawal link and (server-side) its task token
"""

from __future__ import annotations

import random
import secrets
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import boto3
from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError

from backup import clock
from backup.history import Event
from backup.links import Link, LinkStatus
from backup.stages import Stage


class Waiting(NamedTuple):
    kind: str  # VOLUNTEER or YOUTH
    person_id: str
    since: datetime


@dataclass(frozen=True)
class ProfileChange:
    """One person's profile update (with its condition) and the history event it leaves."""

    person_id: str
    kind: str
    set_values: dict[str, Any]
    remove: tuple[str, ...] = ()
    condition: str | None = None
    condition_values: dict[str, Any] = field(default_factory=dict)
    event: Event | None = None
    condition_names: dict[str, str] = field(default_factory=dict)


class NotFound(Exception):
    pass


class Conflict(Exception):
    """A conditional write lost: somebody else changed the item first."""


VOLUNTEER = "VOLUNTEER"
YOUTH = "YOUTH"
MATCH = "MATCH"  # a proposal and, if it succeeds, the match: a record with its own stage and history


def _person_key(person_id: str, kind: str = VOLUNTEER) -> dict[str, str]:
    return {"pk": f"{kind}#{person_id}", "sk": "PROFILE"}


def _link_key(link_id: str) -> dict[str, str]:
    return {"pk": f"LINK#{link_id}", "sk": "LINK"}


def event_item(person_id: str, event: Event, kind: str = VOLUNTEER) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": f"{kind}#{person_id}",
        # time first so a query returns the trail in order; random tail keeps two events of
        # the same microsecond apart
        "sk": f"EVENT#{clock.iso(event.at)}#{secrets.token_hex(4)}",
        "kind": event.kind.value,
        "at": clock.iso(event.at),
    }
    if event.stage is not None:
        item["event_stage"] = event.stage.value
    for name in ("by", "notes"):
        if getattr(event, name):
            item[name] = getattr(event, name)
    if event.details:
        item["details"] = dict(event.details)
    return item


def _is_conditional_failure(error: ClientError) -> bool:
    code = error.response["Error"]["Code"]
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = error.response.get("CancellationReasons") or []
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons) or not reasons
    return False


def _is_transaction_conflict(error: ClientError) -> bool:
    """Another transaction touched the same item at the same moment (DynamoDB cancels both ways)."""
    reasons = error.response.get("CancellationReasons") or []
    return error.response["Error"]["Code"] == "TransactionCanceledException" and any(
        r.get("Code") == "TransactionConflict" for r in reasons)


class Repository:
    # Concurrent transactions on one item are cancelled with TransactionConflict; a few quick
    # retries let the conditions decide who wins, as they do when the calls are not concurrent.
    conflict_retries = 4

    def _transact(self, items: list[dict[str, Any]]) -> None:
        for attempt in range(self.conflict_retries + 1):
            try:
                self.client.transact_write_items(TransactItems=items)
                return
            except ClientError as error:
                if not _is_transaction_conflict(error) or attempt == self.conflict_retries:
                    raise
                time.sleep(random.uniform(0, 0.05 * 2 ** attempt))  # noqa: S311 - jitter, not secrecy

    def __init__(self, table_name: str, client: Any | None = None):
        self.table_name = table_name
        resource = boto3.resource("dynamodb") if client is None else client
        self.table = resource.Table(table_name)
        # the resource's client converts Python values to DynamoDB's typed form, transactions included
        self.client = self.table.meta.client

    # --- people (volunteers and young people) ---------------------------------------------------

    def create_volunteer(self, application_id: str, details: dict[str, Any], event: Event) -> bool:
        """Store a new volunteer and its first event; False if the id is already taken."""
        return self.create_person(application_id, details, event, VOLUNTEER, Stage.APPLIED)

    def create_person(self, person_id: str, details: dict[str, Any], event: Event, kind: str, stage: Stage) -> bool:
        """Store a new person in their first stage with their first event; False if the id is taken."""
        profile = {
            **_person_key(person_id, kind),
            "application_id": person_id,
            "kind": kind,
            "stage": stage.value,
            "stage_since": clock.iso(event.at),
            "applied_at": clock.iso(event.at),
            "details": details,
            "reminders_sent": 0,
        }
        try:
            self._transact(
                [
                    {"Put": {"TableName": self.table_name, "Item": profile,
                             "ConditionExpression": "attribute_not_exists(pk)"}},
                    self._event_put(person_id, event, kind),
                ]
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    def get_volunteer(self, person_id: str, kind: str = VOLUNTEER) -> dict[str, Any]:
        item = self.table.get_item(Key=_person_key(person_id, kind), ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound(person_id)
        return item

    get_person = get_volunteer

    def get_people(self, person_ids: list[str], kind: str) -> list[dict[str, Any]]:
        """Many profiles at once (100 per request, DynamoDB's limit), unprocessed keys retried."""
        found: list[dict[str, Any]] = []
        for start in range(0, len(person_ids), 100):
            keys = [_person_key(p, kind) for p in person_ids[start:start + 100]]
            request: dict[str, Any] = {self.table_name: {"Keys": keys, "ConsistentRead": True}}
            while request:
                page = self.client.batch_get_item(RequestItems=request)
                found.extend(page["Responses"].get(self.table_name, []))
                request = page.get("UnprocessedKeys") or {}
        return found

    def history(self, person_id: str, kind: str = VOLUNTEER) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        query = {
            "KeyConditionExpression": Key("pk").eq(f"{kind}#{person_id}") & Key("sk").begins_with("EVENT#"),
            "ConsistentRead": True,
        }
        while True:
            page = self.table.query(**query)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def add_event(self, person_id: str, event: Event, kind: str = VOLUNTEER) -> None:
        """One event on the trail. One that arrives after the journey ended (a late bounce, a
        decision too late) takes the profile's expiry, so it goes when the rest of the person goes.
        Written first, looked at after: the journey's end writes the expiry first and stamps the
        trail after (expire_trail), so one of the two always sees the other."""
        item = event_item(person_id, event, kind)
        self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")
        profile = self.table.get_item(Key=_person_key(person_id, kind), ProjectionExpression="expires_at",
                                      ConsistentRead=True).get("Item") or {}
        if "expires_at" in profile:
            try:
                self.table.update_item(Key={"pk": item["pk"], "sk": item["sk"]}, UpdateExpression="SET expires_at = :e",
                                       ConditionExpression="attribute_not_exists(expires_at)",
                                       ExpressionAttributeValues={":e": profile["expires_at"]})
            except ClientError as error:
                if not _is_conditional_failure(error):  # else expire_trail stamped it meanwhile
                    raise

    def expire_trail(self, person_id: str, kind: str, expires_at: int) -> int:
        """Give every item of a person (profile, history, letters sent) the retention expiry, so
        DynamoDB's TTL deletes all of them together. Idempotent: items already stamped keep theirs.
        Returns how many were stamped now."""
        stamped = 0
        query: dict[str, Any] = {"KeyConditionExpression": Key("pk").eq(f"{kind}#{person_id}"),
                                 "ProjectionExpression": "pk, sk, expires_at", "ConsistentRead": True}
        while True:
            page = self.table.query(**query)
            for item in page["Items"]:
                if "expires_at" in item:
                    continue
                try:
                    self.table.update_item(
                        Key={"pk": item["pk"], "sk": item["sk"]}, UpdateExpression="SET expires_at = :e",
                        ConditionExpression="attribute_exists(pk) AND attribute_not_exists(expires_at)",
                        ExpressionAttributeValues={":e": expires_at})
                    stamped += 1
                except ClientError as error:
                    if not _is_conditional_failure(error):
                        raise
            if "LastEvaluatedKey" not in page:
                return stamped
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def update_volunteer(
        self,
        person_id: str,
        event: Event | None,
        set_values: dict[str, Any] | None = None,
        remove: tuple[str, ...] = (),
        condition: str | None = None,
        condition_values: dict[str, Any] | None = None,
        kind: str = VOLUNTEER,
        condition_names: dict[str, str] | None = None,
    ) -> None:
        """Change the profile and add its history event in one transaction."""
        change = ProfileChange(person_id, kind, set_values or {}, remove, condition, condition_values or {}, event,
                               condition_names or {})
        self.change_people([change])

    update_person = update_volunteer

    def change_people(self, changes: list[ProfileChange], puts: tuple[dict[str, Any], ...] = ()) -> None:
        """Several people's profiles (each with its event) and other items, all or nothing:
        a proposal claims a young person and a volunteer in one transaction or not at all."""
        items: list[dict[str, Any]] = []
        for change in changes:
            items.append({"Update": self._profile_update(change)})
            if change.event is not None:
                items.append(self._event_put(change.person_id, change.event, change.kind))
        for item in puts:
            items.append({"Put": {"TableName": self.table_name, "Item": item,
                                  "ConditionExpression": "attribute_not_exists(pk)"}})
        try:
            self._transact(items)
        except ClientError as error:
            if _is_conditional_failure(error):
                raise Conflict(", ".join(c.person_id for c in changes)) from error
            raise

    def _profile_update(self, change: ProfileChange) -> dict[str, Any]:
        names: dict[str, str] = dict(change.condition_names)
        values: dict[str, Any] = dict(change.condition_values)
        sets = []
        for index, (path, value) in enumerate(change.set_values.items()):
            # "answers.youth" sets a field inside a map: one placeholder per part of the path
            parts = path.split(".")
            for depth, part in enumerate(parts):
                names[f"#s{index}_{depth}"] = part
            values[f":s{index}"] = value
            sets.append(".".join(f"#s{index}_{depth}" for depth in range(len(parts))) + f" = :s{index}")
        removes = []
        for index, attribute in enumerate(change.remove):
            names[f"#r{index}"] = attribute
            removes.append(f"#r{index}")
        expression = ""
        if sets:
            expression += "SET " + ", ".join(sets)
        if removes:
            expression += " REMOVE " + ", ".join(removes)
        update: dict[str, Any] = {
            "TableName": self.table_name,
            "Key": _person_key(change.person_id, change.kind),
            "UpdateExpression": expression.strip(),
            "ConditionExpression": "attribute_exists(pk)" + (f" AND ({change.condition})" if change.condition else ""),
            "ExpressionAttributeNames": names,
        }
        if values:
            update["ExpressionAttributeValues"] = values
        return update

    def _event_put(self, person_id: str, event: Event, kind: str) -> dict[str, Any]:
        return {"Put": {"TableName": self.table_name, "Item": event_item(person_id, event, kind),
                        "ConditionExpression": "attribute_not_exists(pk)"}}

    def enter_stage(self, person_id: str, stage: Stage, event: Event, extra: dict[str, Any] | None = None,
                    kind: str = VOLUNTEER) -> None:
        self.update_volunteer(person_id, event, {"stage": stage.value, "stage_since": clock.iso(event.at),
                                                 **(extra or {})}, kind=kind)

    def volunteers_in_stage(self, stage: Stage) -> list[str]:
        """Application ids of volunteers waiting in `stage`, longest-waiting first."""
        return [w.person_id for w in self.waiting_in_stage(stage) if w.kind == "VOLUNTEER"]

    def waiting_in_stage(self, stage: Stage, since_before: datetime | None = None) -> list[Waiting]:
        """Everyone in `stage`, longest-waiting first; with `since_before`, only those who
        entered the stage before that moment."""
        condition = Key("stage").eq(stage.value)
        if since_before is not None:
            condition = condition & Key("stage_since").lt(clock.iso(since_before))
        query: dict[str, Any] = {"IndexName": "by_stage", "KeyConditionExpression": condition}
        found: list[Waiting] = []
        while True:
            page = self.table.query(**query)
            for item in page["Items"]:
                if item.get("sk") == "PROFILE":
                    kind, person_id = item["pk"].split("#", 1)
                    found.append(Waiting(kind, person_id, clock.parse(item["stage_since"])))
            if "LastEvaluatedKey" not in page:
                return found
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    # --- links ------------------------------------------------------------------------------

    def put_link(self, link: Link, task_token: str | None, keep_until: datetime) -> None:
        item = {**_link_key(link.link_id), **_link_to_item(link), "expires_at": int(keep_until.timestamp())}
        if task_token:
            item["task_token"] = task_token
        self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)")

    def get_link(self, link_id: str) -> tuple[Link, str | None] | None:
        item = self.table.get_item(Key=_link_key(link_id), ConsistentRead=True).get("Item")
        if item is None:
            return None
        return _link_from_item(item), item.get("task_token")

    def refresh_token(self, link_id: str, task_token: str) -> None:
        """The step waits again (after a reminder) under a new token; the link stays the same."""
        try:
            self.table.update_item(
                Key=_link_key(link_id),
                UpdateExpression="SET task_token = :t",
                ConditionExpression="#st = :open",
                ExpressionAttributeNames={"#st": "status"},
                ExpressionAttributeValues={":t": task_token, ":open": LinkStatus.OPEN.value},
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                raise Conflict(link_id) from error
            raise

    def use_link(self, link_id: str, decision: str, decided_by: str, at: datetime, application_id: str,
                 event: Event, kind: str = VOLUNTEER) -> None:
        """Mark an open link used and record the decision, atomically; Conflict if it was not open."""
        try:
            self._transact(
                [
                    {"Update": {
                        "TableName": self.table_name,
                        "Key": _link_key(link_id),
                        "UpdateExpression": "SET #st = :used, decision = :d, decided_by = :b, decided_at = :at",
                        "ConditionExpression": "#st = :open AND link_expires > :at",
                        "ExpressionAttributeNames": {"#st": "status"},
                        "ExpressionAttributeValues": {
                            ":used": LinkStatus.USED.value, ":open": LinkStatus.OPEN.value,
                            ":d": decision, ":b": decided_by, ":at": clock.iso(at),
                        },
                    }},
                    self._event_put(application_id, event, kind),
                ]
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                raise Conflict(link_id) from error
            raise

    def invalidate_link(self, link_id: str, reason: str) -> bool:
        """Kill an open link; False if it was no longer open."""
        try:
            self.table.update_item(
                Key=_link_key(link_id),
                UpdateExpression="SET #st = :invalid, invalid_reason = :r REMOVE task_token",
                ConditionExpression="#st = :open",
                ExpressionAttributeNames={"#st": "status"},
                ExpressionAttributeValues={":invalid": LinkStatus.INVALIDATED.value, ":open": LinkStatus.OPEN.value,
                                           ":r": reason},
            )
        except ClientError as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True


def _link_to_item(link: Link) -> dict[str, Any]:
    item: dict[str, Any] = {
        "link_id": link.link_id,
        "link_kind": link.kind.value,
        "application_id": link.application_id,
        "sent_to": link.sent_to,
        "created_at": clock.iso(link.created_at),
        "link_expires": clock.iso(link.expires_at),
        "status": link.status.value,
    }
    if link.stage is not None:
        item["link_stage"] = link.stage.value
    for name in ("failed_state", "error", "proposal_id", "party"):
        if getattr(link, name):
            item[name] = getattr(link, name)
    item["person_kind"] = link.person_kind
    return item


def _link_from_item(item: dict[str, Any]) -> Link:
    return Link(
        link_id=item["link_id"],
        kind=item["link_kind"],
        application_id=item["application_id"],
        stage=item.get("link_stage"),
        sent_to=item["sent_to"],
        created_at=clock.parse(item["created_at"]),
        expires_at=clock.parse(item["link_expires"]),
        status=item["status"],
        decision=item.get("decision"),
        decided_by=item.get("decided_by"),
        decided_at=clock.parse(item["decided_at"]) if item.get("decided_at") else None,
        invalid_reason=item.get("invalid_reason"),
        failed_state=item.get("failed_state"),
        error=item.get("error"),
        proposal_id=item.get("proposal_id"),
        party=item.get("party"),
        person_kind=item.get("person_kind", VOLUNTEER),
    )


def keep_until(at: datetime, days: int) -> datetime:
    return at + timedelta(days=days)

