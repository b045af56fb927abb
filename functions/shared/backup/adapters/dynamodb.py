"""DynamoDB adapter: every record, its history and the emailed links in one table.

Item layout (pk / sk), known only here:
  VOLUNTEER#<id> / PROFILE          a volunteer: details, current stage, open step, ...
  YOUTH#<id>     / PROFILE          a young person
  MATCH#<id>     / PROFILE          a proposal (details: youth_id, volunteer_id, chosen, alternatives)
  <kind>#<id>    / EVENT#<time>#…   one item per history event, written once, never updated
  LINK#<link id> / LINK             an emailed link and (server-side) the task token it resumes
  DELIVERY#<id>  / DELIVERY         a task result owed to a waiting run
  ERASURE#<anonymous id> / ERASURE  the anonymous receipt of an erasure
  LIMIT#<sha256 of an address> / <YYYY-MM-DD>[#YOUTH]   a day's count of form submissions (2 days)
  idempotency#<function> / <hash>   Powertools' record of a form submission (a day)
"""

from __future__ import annotations

import functools
import json
import random
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from enum import Enum
from typing import Any, TypeVar

from backup.adapters import aws
from backup.adapters.reads import TypedReads
from backup.domain import clock
from backup.domain.deliveries import Delivery
from backup.domain.erasure import ErasureReceipt, Scrubber
from backup.domain.errors import Conflict, NotFound
from backup.domain.history import Event
from backup.domain.kinds import Party, RecordKind
from backup.domain.links import Link, LinkStatus
from backup.domain.records import (
    RECORD_MODELS,
    Person,
    ProposalRecord,
    Record,
    Waiting,
    known_details,
)
from backup.domain.stages import Stage
from backup.usecases.ports import Change, Expect

T = TypeVar("T")
PROFILE = "PROFILE"
# Where a model's field lives in its item, where the two differ.
_PATHS: dict[str, str] = {"id": "application_id", "created_at": "applied_at"}
_PROPOSAL_PATHS: dict[str, str] = {
    **_PATHS,
    **{name: f"details.{name}" for name in ("youth_id", "volunteer_id", "chosen", "alternatives")},
}
_CONFLICT_RETRIES = 4


def _record_key(kind: RecordKind, record_id: str) -> dict[str, str]:
    return {"pk": f"{kind.value}#{record_id}", "sk": PROFILE}


def _link_key(link_id: str) -> dict[str, str]:
    return {"pk": f"LINK#{link_id}", "sk": "LINK"}


def stored(value: Any) -> Any:
    """A Python value in the form DynamoDB keeps: enums as their names, times as sortable text,
    numbers as Decimals, tuples as lists, models and dataclasses as maps."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return clock.iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool) or value is None or isinstance(value, (str, int, Decimal)):
        return value
    if isinstance(value, float):
        return Decimal(str(round(value, 6)))
    if hasattr(value, "model_dump"):
        return stored(value.model_dump())
    if is_dataclass(value) and not isinstance(value, type):
        return stored(asdict(value))
    if isinstance(value, Mapping):
        return {stored(k): stored(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [stored(v) for v in value]
    raise TypeError(f"cannot store a {type(value).__name__}")


def event_item(kind: RecordKind, record_id: str, event: Event) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": f"{kind.value}#{record_id}",
        # time first so a query returns the trail in order; a random tail keeps two events of the
        # same microsecond apart
        "sk": f"EVENT#{clock.iso(event.at)}#{secrets.token_hex(4)}",
        "kind": event.kind.value,
        "at": clock.iso(event.at),
    }
    if event.stage is not None:
        item["event_stage"] = event.stage.value
    if event.by:
        item["by"] = event.by
    if event.notes:
        item["notes"] = event.notes
    if event.details:
        item["details"] = dict(event.details)
    return item


def event_from_item(item: Mapping[str, Any]) -> Event:
    return Event(
        at=clock.parse(str(item["at"])),
        kind=item["kind"],
        stage=item.get("event_stage"),
        by=item.get("by"),
        notes=item.get("notes"),
        details=dict(item.get("details") or {}),
    )


def record_from_item(kind: RecordKind, item: Mapping[str, Any]) -> Record:
    data = dict(item)
    data["id"] = item["application_id"]
    data["created_at"] = item.get("applied_at") or item["stage_since"]
    if kind is RecordKind.MATCH:
        data.pop("details", None)
        data.update(item.get("details") or {})
    return RECORD_MODELS[kind].model_validate(data)


def record_item(record: Record) -> dict[str, Any]:
    """The profile item of a new record."""
    # what is not set is not stored: an absent attribute is how a condition asks "not yet"
    data = record.model_dump(exclude_none=True, exclude_defaults=True)
    item: dict[str, Any] = {**_record_key(record.kind, record.id), "kind": record.kind.value}
    if isinstance(record, Person):
        item["evidence"] = {}  # each step's evidence is set as its own key, so the map must exist
    paths = _PROPOSAL_PATHS if record.kind is RecordKind.MATCH else _PATHS
    for name, value in data.items():
        path = paths.get(name, name)
        if "." in path:
            head, tail = path.split(".", 1)
            item.setdefault(head, {})[tail] = stored(value)
        else:
            item[path] = stored(value)
    return item


def link_item(link: Link, keep_until: datetime | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        **_link_key(link.link_id),
        "link_id": link.link_id,
        "link_kind": link.kind.value,
        "application_id": link.record_id,
        "person_kind": link.record_kind.value,
        "sent_to": link.sent_to,
        "created_at": clock.iso(link.created_at),
        "link_expires": clock.iso(link.expires_at),
        "status": link.status.value,
    }
    if keep_until is not None:  # else kept as long as its record: its end stamps it
        item["expires_at"] = int(keep_until.timestamp())
    if link.stage is not None:
        item["link_stage"] = link.stage.value
    if link.record_kind is RecordKind.MATCH:
        item["proposal_id"] = link.record_id
    for name in ("failed_state", "error", "party", "task_token"):
        value = getattr(link, name)
        if value:
            item[name] = stored(value)
    return item


def link_from_item(item: Mapping[str, Any]) -> Link:
    return Link(
        link_id=item["link_id"],
        kind=item["link_kind"],
        record_kind=item.get("person_kind", "VOLUNTEER"),
        record_id=item["application_id"],
        stage=item.get("link_stage"),
        sent_to=item["sent_to"],
        created_at=clock.parse(item["created_at"]),
        expires_at=clock.parse(item["link_expires"]),
        status=item["status"],
        task_token=item.get("task_token"),
        decision=item.get("decision"),
        decided_by=item.get("decided_by"),
        decided_at=clock.parse(item["decided_at"]) if item.get("decided_at") else None,
        invalid_reason=item.get("invalid_reason"),
        failed_state=item.get("failed_state"),
        error=item.get("error"),
        party=item.get("party"),
    )


def _is_conditional_failure(error: Exception) -> bool:
    response = getattr(error, "response", {})
    code = response.get("Error", {}).get("Code")
    if code == "ConditionalCheckFailedException":
        return True
    if code == "TransactionCanceledException":
        reasons = response.get("CancellationReasons") or []
        return any(r.get("Code") == "ConditionalCheckFailed" for r in reasons) or not reasons
    return False


def _is_transient_conflict(error: Exception) -> bool:
    """Another transaction touched the same item at the same moment: DynamoDB cancels a
    transaction (TransactionConflict) or refuses a single write (TransactionConflictException)."""
    response = getattr(error, "response", {})
    code = response.get("Error", {}).get("Code")
    if code == "TransactionConflictException":
        return True
    reasons = response.get("CancellationReasons") or []
    return code == "TransactionCanceledException" and any(r.get("Code") == "TransactionConflict" for r in reasons)


def _field_path(model: type[Record], paths: dict[str, str], name: str) -> str:
    """Where a model's field lives in its item; "evidence.TRAINING" is one key of a map field."""
    field, _, key = name.partition(".")
    if field not in model.model_fields:
        raise ValueError(f"{model.__name__} has no field {field}")
    return paths.get(field, field) + (f".{key}" if key else "")


class _Expression:
    """Placeholders for one update or condition expression."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}
        self.values: dict[str, Any] = {}

    def name(self, path: str) -> str:
        parts = []
        for part in path.split("."):
            key = f"#n{len(self.names)}"
            self.names[key] = part
            parts.append(key)
        return ".".join(parts)

    def value(self, value: Any) -> str:
        key = f":v{len(self.values)}"
        self.values[key] = value
        return key

    def arguments(self) -> dict[str, Any]:
        arguments: dict[str, Any] = {}
        if self.names:
            arguments["ExpressionAttributeNames"] = self.names
        if self.values:
            arguments["ExpressionAttributeValues"] = self.values
        return arguments


_ITEM_READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan"})
_BINARY = re.compile(rb'"BS?"\s*:')


def _items_as_sent(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], operation_model: Any, **_: Any
) -> None:
    """An item read's answer is DynamoDB's typed JSON, which botocore's parser copies value by value
    while walking the service model: two thirds of reading a 25,000-person pool (docs/benchmarks.md).
    For a successful item read with no binary value (which botocore would decode from base64), the
    JSON itself is the parsed answer: botocore is given an empty body to parse and merges this in
    (`customized_response_dict`, what its before-parse event is for). Errors, and every other call,
    are parsed as before; the resource's conversion to Python values runs after, as it always did."""
    body = response_dict.get("body")
    if (
        response_dict.get("status_code") != 200
        or operation_model.name not in _ITEM_READS
        or not isinstance(body, bytes)
        or _BINARY.search(body)
    ):
        return
    customized_response_dict.update(json.loads(body))
    response_dict["body"] = b"{}"


def read_items_directly(client: Any) -> None:
    """Item reads on this client skip botocore's parser (_items_as_sent); once per client."""
    client.meta.events.register("before-parse.dynamodb", _items_as_sent, unique_id="backup-items-as-sent")


# boto3's context for DynamoDB's numbers (boto3.dynamodb.types.DYNAMODB_CONTEXT): 38 digits, and
# a number that would lose any of them is an error, not a rounded value
_NUMBERS = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])


def plain_value(typed: Mapping[str, Any]) -> Any:
    """One of DynamoDB's typed values as Python, exactly as boto3's TypeDeserializer gives it (the
    tests compare the two for every type): numbers as Decimal, sets as sets, binary as Binary. Used
    where many items are read at once, for which boto3's resource walks the service model and calls
    its deserializer once per value, several times slower (docs/benchmarks.md, matching)."""
    for tag, value in typed.items():  # one tag per value
        if tag == "S":
            return value
        if tag == "M":
            return {name: plain_value(inner) for name, inner in value.items()}
        if tag == "N":
            return _NUMBERS.create_decimal(value)
        if tag == "L":
            return [plain_value(inner) for inner in value]
        if tag in ("BOOL", "NULL"):
            return None if tag == "NULL" else value
        if tag == "SS":
            return set(value)
        if tag == "NS":
            return {_NUMBERS.create_decimal(number) for number in value}
        if tag in ("B", "BS"):
            from boto3.dynamodb.types import Binary  # botocore has decoded the base64 already

            return Binary(value) if tag == "B" else {Binary(inner) for inner in value}
    raise TypeError(f"not a DynamoDB value: {sorted(typed)}")


def plain_item(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: plain_value(typed) for name, typed in item.items()}


# Reading many profiles: DynamoDB answers up to 100 keys per BatchGetItem; this many requests are
# in flight at once (botocore's connection pool holds 10), so a 25,000-person pool waits for
# DynamoDB about a thirtieth as long as one request after another would
_BATCH_KEYS = 100
_BATCHES_AT_ONCE = 8
_UNPROCESSED_ATTEMPTS = 16  # with pauses growing to a second: about ten seconds of a busy table


def _projection(kind: RecordKind, details: tuple[str, ...]) -> dict[str, Any]:
    """A ProjectionExpression for a person's profile with only these of its details: every other
    attribute the record's model reads is named, so a field added to the model is read by default
    (the safeguarding check must see all of it); names go through placeholders (many are DynamoDB's
    reserved words)."""
    paths = [_PATHS.get(name, name) for name in RECORD_MODELS[kind].model_fields if name != "details"]
    paths.append("stage_since")  # a record's created_at when it has no applied_at
    paths += [f"details.{detail}" for detail in known_details(kind, details)]
    parts = dict.fromkeys(part for path in paths for part in path.split("."))
    placeholder = {name: f"#a{number}" for number, name in enumerate(parts)}
    return {
        "ProjectionExpression": ", ".join(
            ".".join(placeholder[part] for part in path.split(".")) for path in dict.fromkeys(paths)
        ),
        "ExpressionAttributeNames": {key: name for name, key in placeholder.items()},
    }


class DynamoRepository(TypedReads):
    """The repository port on one DynamoDB table. Clients are made on first use: a function that
    never touches the table pays nothing for it at a cold start."""

    def __init__(
        self,
        table_name: str,
        resource: Any | None = None,
        sleep: Callable[[float], None] = time.sleep,
        reader: Any | None = None,
    ):
        """resource: boto3's DynamoDB resource, reader: a plain DynamoDB client for reading many
        items at once (get_people); each made on first use when not given (a reader for a given
        resource's endpoint and region; a caller with credentials of its own gives both, as the
        ops tool does)."""
        self.table_name = table_name
        self._resource = resource
        self._table: Any = None
        self._sleep = sleep
        self._reader = reader
        if reader is not None:
            read_items_directly(reader)

    @property
    def table(self) -> Any:
        if self._table is None:
            if self._resource is None:
                self._resource = aws.resource("dynamodb")
            self._table = self._resource.Table(self.table_name)
            read_items_directly(self._table.meta.client)
        return self._table

    @property
    def client(self) -> Any:
        # the resource's client converts Python values to DynamoDB's typed form, transactions included
        return self.table.meta.client

    @property
    def reader(self) -> Any:
        """A plain client: its answers stay in DynamoDB's typed form, which get_people converts
        itself (plain_item) instead of the resource's conversion along the service model."""
        if self._reader is None:
            if self._resource is None:
                self._reader = aws.client("dynamodb")
            else:  # the same table as the resource's: its endpoint, region and settings
                import boto3

                meta = self._resource.meta.client.meta
                self._reader = boto3.client(
                    "dynamodb", endpoint_url=meta.endpoint_url, region_name=meta.region_name, config=meta.config
                )
            read_items_directly(self._reader)
        return self._reader

    def _retrying(self, call: Callable[[], T]) -> T:
        """A write that met a concurrent transaction is tried again after a short random pause, so
        the conditions decide who wins, as they do when the writes are not concurrent."""
        for attempt in range(_CONFLICT_RETRIES + 1):
            try:
                return call()
            except Exception as error:
                if not _is_transient_conflict(error) or attempt == _CONFLICT_RETRIES:
                    raise
                self._sleep(random.uniform(0, 0.05 * 2**attempt))  # noqa: S311 - jitter, not secrecy
        raise AssertionError("unreachable")

    def _transact(self, items: list[dict[str, Any]]) -> None:
        """Write the items all or none. One item is one conditional write, not a transaction: the
        same condition holds it, at half the write units (a transaction costs two per item)."""
        if len(items) == 1 and ("Update" in items[0] or "Put" in items[0]):
            kind, request = next(iter(items[0].items()))
            call = functools.partial(self.client.update_item if kind == "Update" else self.client.put_item, **request)
        else:
            call = functools.partial(self.client.transact_write_items, TransactItems=items)
        try:
            self._retrying(call)
        except Exception as error:
            if _is_conditional_failure(error):
                raise Conflict(str(error)) from error
            raise

    # --- records ------------------------------------------------------------------------------

    def create_person(self, person: Person, event: Event) -> bool:
        try:
            self._transact([self._put_new(record_item(person)), self._event_put(person.kind, person.id, event)])
        except Conflict:
            return False
        return True

    def _item(self, kind: RecordKind, record_id: str) -> dict[str, Any]:
        item = self.table.get_item(Key=_record_key(kind, record_id), ConsistentRead=True).get("Item")
        if item is None:
            raise NotFound(f"{kind.noun} {record_id}")
        return dict(item)

    def get_record(self, kind: RecordKind, record_id: str) -> Record:
        return record_from_item(kind, self._item(kind, record_id))

    def get_people(
        self,
        kind: RecordKind,
        person_ids: list[str],
        *,
        may_be_stale: bool = False,
        only_details: tuple[str, ...] | None = None,
    ) -> list[Person]:
        """Many profiles at once: 100 keys per request (DynamoDB's limit), several requests in
        flight, unprocessed keys asked for again; eventually consistent when may_be_stale (half the
        read units); only_details: a projection, the details' other keys never leave the table."""
        reading: dict[str, Any] = {"ConsistentRead": not may_be_stale}
        if only_details is not None:
            reading.update(_projection(kind, only_details))
        unique = list(dict.fromkeys(person_ids))  # DynamoDB refuses a request that names a key twice
        if not unique:
            return []
        batches = [unique[start : start + _BATCH_KEYS] for start in range(0, len(unique), _BATCH_KEYS)]
        reader = self.reader  # made here, once, not by the threads at the same time

        def read(batch: list[str]) -> list[dict[str, Any]]:
            return self._batch_items(reader, kind, batch, reading)

        if len(batches) > 1:
            from concurrent.futures import ThreadPoolExecutor  # here: most functions never read many

            # botocore clients may be shared between threads (resources may not: this is the reader)
            with ThreadPoolExecutor(min(_BATCHES_AT_ONCE, len(batches))) as pool:
                answers = list(pool.map(read, batches))
        else:
            answers = [read(batch) for batch in batches]
        items = [item for answer in answers for item in answer]
        found: list[Person] = []
        for item in items:
            person = record_from_item(kind, plain_item(item))
            assert isinstance(person, Person)
            found.append(person)
        return found

    def _batch_items(
        self, reader: Any, kind: RecordKind, ids: list[str], reading: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """The typed items of one BatchGetItem's keys, asking again for those DynamoDB left."""
        items: list[dict[str, Any]] = []
        keys = [{name: {"S": value} for name, value in _record_key(kind, p).items()} for p in ids]
        request: dict[str, Any] = {self.table_name: {"Keys": keys, **reading}}
        for attempt in range(_UNPROCESSED_ATTEMPTS):
            page = reader.batch_get_item(RequestItems=request)
            items.extend(page["Responses"].get(self.table_name, []))
            request = page.get("UnprocessedKeys") or {}
            if not request:
                return items
            if attempt < _UNPROCESSED_ATTEMPTS - 1:
                # DynamoDB leaves keys when the table is busy: ask again after a growing random pause
                self._sleep(random.uniform(0, min(1.0, 0.05 * 2**attempt)))  # noqa: S311 - jitter, not secrecy
        raise RuntimeError(f"DynamoDB left {kind.noun} keys unread after {_UNPROCESSED_ATTEMPTS} attempts")

    def update(
        self,
        kind: RecordKind,
        record_id: str,
        *,
        set: Mapping[str, Any] | None = None,  # noqa: A002
        remove: Iterable[str] = (),
        event: Event | None = None,
        expect: Expect | None = None,
    ) -> None:
        self.change_together([Change(kind, record_id, dict(set or {}), tuple(remove), event, expect or Expect())])

    def change_together(
        self,
        changes: list[Change],
        *,
        new_proposal: ProposalRecord | None = None,
        new_proposal_event: Event | None = None,
    ) -> None:
        items: list[dict[str, Any]] = []
        for change in changes:
            items.append(self._update(change))
            if change.event is not None:
                items.append(self._event_put(change.kind, change.record_id, change.event))
        if new_proposal is not None:
            items.append(self._put_new(record_item(new_proposal)))
            if new_proposal_event is not None:
                items.append(self._event_put(RecordKind.MATCH, new_proposal.id, new_proposal_event))
        self._transact(items)

    def _update(self, change: Change) -> dict[str, Any]:
        model = RECORD_MODELS[change.kind]
        paths = _PROPOSAL_PATHS if change.kind is RecordKind.MATCH else _PATHS
        expression = _Expression()
        sets, removes = [], []
        for name, value in change.set.items():
            path = _field_path(model, paths, name)
            if value is None:
                removes.append(expression.name(path))
            else:
                sets.append(f"{expression.name(path)} = {expression.value(stored(value))}")
        for name in change.remove:
            removes.append(expression.name(_field_path(model, paths, name)))
        text = ("SET " + ", ".join(sets) if sets else "") + (" REMOVE " + ", ".join(removes) if removes else "")
        request = {
            "TableName": self.table_name,
            "Key": _record_key(change.kind, change.record_id),
            "ConditionExpression": self._condition(change.expect, expression),
        }
        if not text:  # only an event (and the expectation) for this record
            return {"ConditionCheck": {**request, **expression.arguments()}}
        return {"Update": {**request, "UpdateExpression": text.strip(), **expression.arguments()}}

    @staticmethod
    def _condition(expect: Expect, expression: _Expression) -> str:
        parts = ["attribute_exists(pk)"]
        if expect.stages:
            choices = ", ".join(expression.value(stage.value) for stage in sorted(expect.stages))
            parts.append(f"{expression.name('stage')} IN ({choices})")
        if expect.held_by is not None:
            parts.append(f"{expression.name('proposal_id')} = {expression.value(expect.held_by)}")
        if expect.free:
            parts.append(f"attribute_not_exists({expression.name('proposal_id')})")
        if expect.open_link is not None:
            parts.append(f"{expression.name('open_link_id')} = {expression.value(expect.open_link)}")
        for name in sorted(expect.unset):  # never set, or a flag set to false
            placeholder = expression.name(name)
            parts.append(f"(attribute_not_exists({placeholder}) OR {placeholder} = {expression.value(False)})")
        if expect.cleared_after is not None:
            parts.append(f"{expression.name('cleared_until')} > {expression.value(expect.cleared_after.isoformat())}")
        if expect.run_below is not None:
            run = expression.name("run")
            parts.append(f"(attribute_not_exists({run}) OR {run} < {expression.value(expect.run_below)})")
        return " AND ".join(parts)

    def record_answer(self, proposal_id: str, party: Party, answer: str) -> ProposalRecord:
        try:
            self._retrying(
                lambda: self.table.update_item(
                    Key=_record_key(RecordKind.MATCH, proposal_id),
                    UpdateExpression="SET #a.#p = :v",
                    ConditionExpression="attribute_exists(pk) AND attribute_exists(#l) AND attribute_exists(#a)",
                    ExpressionAttributeNames={"#a": "answers", "#p": party.value, "#l": "answer_links"},
                    ExpressionAttributeValues={":v": answer},
                )
            )
        except Exception as error:
            if _is_conditional_failure(error):
                raise NotFound(f"match proposal {proposal_id} asks nobody yet") from error
            raise
        return self.get_proposal(proposal_id)

    def _put_new(self, item: dict[str, Any]) -> dict[str, Any]:
        return {"Put": {"TableName": self.table_name, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}

    def _event_put(self, kind: RecordKind, record_id: str, event: Event) -> dict[str, Any]:
        return self._put_new(event_item(kind, record_id, event))

    # --- history ------------------------------------------------------------------------------

    def add_event(self, kind: RecordKind, record_id: str, event: Event) -> None:
        """Written first, looked at after: the journey's end writes the expiry first and stamps the
        trail after (expire_trail), so one of the two always sees the other."""
        item = event_item(kind, record_id, event)
        # only onto a record that exists: an erased person's trail must not grow back (an erasure
        # deletes the record first and its trail after, so it finds any event written before)
        exists = {
            "ConditionCheck": {
                "TableName": self.table_name,
                "Key": _record_key(kind, record_id),
                "ConditionExpression": "attribute_exists(pk)",
            }
        }
        try:
            self._transact([exists, self._put_new(item)])
        except Conflict:
            raise NotFound(f"{kind.noun} {record_id}") from None
        profile = (
            self.table.get_item(
                Key=_record_key(kind, record_id), ProjectionExpression="expires_at", ConsistentRead=True
            ).get("Item")
            or {}
        )
        if "expires_at" in profile:
            self._stamp({"pk": item["pk"], "sk": item["sk"]}, int(profile["expires_at"]))

    def _stamp(self, key: dict[str, Any], expires_at: int) -> bool:
        try:
            self._retrying(
                lambda: self.table.update_item(
                    Key=key,
                    UpdateExpression="SET expires_at = :e",
                    ConditionExpression="attribute_exists(pk) AND attribute_not_exists(expires_at)",
                    ExpressionAttributeValues={":e": expires_at},
                )
            )
        except Exception as error:
            if _is_conditional_failure(error):
                return False  # stamped meanwhile, or gone
            raise
        return True

    def _query(self, **query: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = self.table.query(**query)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def history(self, kind: RecordKind, record_id: str) -> list[Event]:
        from boto3.dynamodb.conditions import Key

        items = self._query(
            KeyConditionExpression=Key("pk").eq(f"{kind.value}#{record_id}") & Key("sk").begins_with("EVENT#"),
            ConsistentRead=True,
        )
        return [event_from_item(item) for item in sorted(items, key=lambda i: str(i["sk"]))]

    def expire_trail(self, kind: RecordKind, record_id: str, expires_at: int) -> int:
        from boto3.dynamodb.conditions import Key

        items = self._query(
            KeyConditionExpression=Key("pk").eq(f"{kind.value}#{record_id}"),
            ProjectionExpression="pk, sk, expires_at",
            ConsistentRead=True,
        )
        stamped = sum(
            self._stamp({"pk": item["pk"], "sk": item["sk"]}, expires_at) for item in items if "expires_at" not in item
        )
        profile = self.table.get_item(
            Key=_record_key(kind, record_id), ProjectionExpression="withdraw_link_id", ConsistentRead=True
        ).get("Item")
        link_id = (profile or {}).get("withdraw_link_id")
        if link_id:  # the person's own link lives as long as they do (a step's link has its own expiry)
            stamped += self._stamp(_link_key(str(link_id)), expires_at)
        return stamped

    def expiries(self, kind: RecordKind, record_id: str) -> list[int | None]:
        """Each stored item's expiry: the record's first, then its events' (for tests and checks)."""
        from boto3.dynamodb.conditions import Key

        items = self._query(KeyConditionExpression=Key("pk").eq(f"{kind.value}#{record_id}"), ConsistentRead=True)
        items.sort(key=lambda item: (item["sk"] != PROFILE, str(item["sk"])))
        return [int(item["expires_at"]) if "expires_at" in item else None for item in items]

    def waiting_in_stage(self, stage: Stage, since_before: datetime | None = None) -> list[Waiting]:
        from boto3.dynamodb.conditions import Key

        condition = Key("stage").eq(stage.value)
        if since_before is not None:
            condition = condition & Key("stage_since").lt(clock.iso(since_before))
        found = []
        for item in self._query(IndexName="by_stage", KeyConditionExpression=condition):
            if item.get("sk") == PROFILE:
                kind, record_id = str(item["pk"]).split("#", 1)
                found.append(Waiting(kind=RecordKind(kind), id=record_id, since=clock.parse(item["stage_since"])))
        return found

    # --- links --------------------------------------------------------------------------------

    def put_link(self, link: Link, keep_until: datetime | None) -> None:
        item = link_item(link, keep_until)
        self._retrying(lambda: self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(pk)"))

    def get_link(self, link_id: str) -> Link | None:
        item = self.table.get_item(Key=_link_key(link_id), ConsistentRead=True).get("Item")
        return None if item is None else link_from_item(item)

    def refresh_token(self, link_id: str, task_token: str) -> None:
        try:
            self._retrying(
                lambda: self.table.update_item(
                    Key=_link_key(link_id),
                    UpdateExpression="SET task_token = :t",
                    ConditionExpression="#st = :open",
                    ExpressionAttributeNames={"#st": "status"},
                    ExpressionAttributeValues={":t": task_token, ":open": LinkStatus.OPEN.value},
                )
            )
        except Exception as error:
            if _is_conditional_failure(error):
                raise Conflict(link_id) from error
            raise

    def use_link_once(
        self,
        link: Link,
        decision: str,
        decided_by: str,
        at: datetime,
        event: Event,
        record_set: Mapping[str, Any] | None = None,
    ) -> None:
        record = [self._update(Change(link.record_kind, link.record_id, dict(record_set)))] if record_set else []
        self._transact(
            [
                *record,
                {
                    "Update": {
                        "TableName": self.table_name,
                        "Key": _link_key(link.link_id),
                        "UpdateExpression": "SET #st = :used, decision = :d, decided_by = :b, decided_at = :at",
                        "ConditionExpression": "#st = :open AND link_expires > :at",
                        "ExpressionAttributeNames": {"#st": "status"},
                        "ExpressionAttributeValues": {
                            ":used": LinkStatus.USED.value,
                            ":open": LinkStatus.OPEN.value,
                            ":d": decision,
                            ":b": decided_by,
                            ":at": clock.iso(at),
                        },
                    }
                },
                self._event_put(link.record_kind, link.record_id, event),
            ]
        )

    def invalidate_link(self, link_id: str, reason: str) -> bool:
        try:
            self._retrying(
                lambda: self.table.update_item(
                    Key=_link_key(link_id),
                    UpdateExpression="SET #st = :invalid, invalid_reason = :r REMOVE task_token",
                    ConditionExpression="#st = :open",
                    ExpressionAttributeNames={"#st": "status"},
                    ExpressionAttributeValues={
                        ":invalid": LinkStatus.INVALIDATED.value,
                        ":open": LinkStatus.OPEN.value,
                        ":r": reason,
                    },
                )
            )
        except Exception as error:
            if _is_conditional_failure(error):
                return False
            raise
        return True

    # --- deliveries ---------------------------------------------------------------------------

    def put_delivery(self, delivery: Delivery) -> None:
        item = {
            **_delivery_key(delivery.id),
            # on the stage index under a stage of its own, so the schedule finds what is due
            "stage": DELIVERY_STAGE,
            "stage_since": clock.iso(delivery.due_at),
            "record_kind": delivery.record_kind.value,
            "record_id": delivery.record_id,
            "task_token": delivery.task_token,
            "output": json.dumps(delivery.output),
            **({"error": delivery.error, "cause": delivery.cause} if delivery.error else {}),
            "created_at": clock.iso(delivery.created_at),
            "attempts": delivery.attempts,
            "expires_at": int((delivery.created_at + DELIVERY_KEPT).timestamp()),
        }
        self._retrying(lambda: self.table.put_item(Item=item))

    def get_delivery(self, delivery_id: str) -> Delivery | None:
        item = self.table.get_item(Key=_delivery_key(delivery_id), ConsistentRead=True).get("Item")
        if item is None:
            return None
        return Delivery(
            id=delivery_id,
            record_kind=item["record_kind"],
            record_id=item["record_id"],
            task_token=item["task_token"],
            output=json.loads(item["output"]),
            error=item.get("error"),
            cause=item.get("cause", ""),
            created_at=clock.parse(item["created_at"]),
            due_at=clock.parse(item["stage_since"]),
            attempts=int(item.get("attempts", 0)),
        )

    def due_deliveries(self, at: datetime) -> list[Delivery]:
        from boto3.dynamodb.conditions import Key

        items = self._query(
            IndexName="by_stage",
            KeyConditionExpression=Key("stage").eq(DELIVERY_STAGE) & Key("stage_since").lte(clock.iso(at)),
        )
        found = [self.get_delivery(str(item["pk"]).split("#", 1)[1]) for item in items]
        return [delivery for delivery in found if delivery is not None]

    def remove_delivery(self, delivery_id: str) -> None:
        self._retrying(lambda: self.table.delete_item(Key=_delivery_key(delivery_id)))

    # --- a person's rights: what names them, and erasure ------------------------------------------
    # Scans read the whole table: these run for the rare request, never on a journey's path.

    def _scan(self, **scan: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        while True:
            page = self.table.scan(ConsistentRead=True, **scan)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            scan["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def proposals_naming(self, person_id: str) -> list[ProposalRecord]:
        from boto3.dynamodb.conditions import Attr

        items = self._scan(FilterExpression=Attr("pk").begins_with("MATCH#") & Attr("sk").eq(PROFILE))
        proposals = [record_from_item(RecordKind.MATCH, item) for item in items]
        return [
            p
            for p in proposals
            if isinstance(p, ProposalRecord)
            and person_id in {p.youth_id, p.volunteer_id, *(c.volunteer_id for c in p.candidates)}
        ]

    def links_about(self, record_ids: set[str]) -> list[Link]:
        from boto3.dynamodb.conditions import Attr

        if not record_ids:
            return []
        items = self._scan(
            FilterExpression=Attr("pk").begins_with("LINK#") & Attr("application_id").is_in(sorted(record_ids))
        )
        return [link_from_item(item) for item in items]

    def delete_record(self, kind: RecordKind, record_id: str) -> int:

        keys = self._scan_partition(f"{kind.value}#{record_id}")
        with self.table.batch_writer() as batch:
            for key in keys:
                batch.delete_item(Key=key)
        return len(keys)

    def _scan_partition(self, pk: str) -> list[dict[str, Any]]:
        from boto3.dynamodb.conditions import Key

        keys: list[dict[str, Any]] = []
        query: dict[str, Any] = {
            "KeyConditionExpression": Key("pk").eq(pk),
            "ProjectionExpression": "pk, sk",
            "ConsistentRead": True,
        }
        while True:
            page = self.table.query(**query)
            keys.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                return keys
            query["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def delete_link(self, link_id: str) -> None:
        self._retrying(lambda: self.table.delete_item(Key=_link_key(link_id)))

    def scrub_everywhere(self, scrubber: Scrubber, around: set[tuple[RecordKind, str]]) -> tuple[int, int]:
        around_keys = {f"{kind.value}#{record_id}" for kind, record_id in around}
        scrubbed = deleted = 0
        for item in self._scan():
            pk = str(item["pk"])
            key = {"pk": item["pk"], "sk": item["sk"]}
            # a record around them, its history, or a link about it (a proposal's links)
            about = f"{item.get('person_kind')}#{item.get('application_id')}" if pk.startswith("LINK#") else pk
            if pk.startswith(f"{ERASURE}#") or not (about in around_keys or scrubber.holds_id(item)):
                continue
            if scrubber.holds_id(key) or pk.startswith(_IDEMPOTENCY):
                # an item keyed by them, or a submission of theirs: theirs alone
                self._retrying(lambda key=key: self.table.delete_item(Key=key))  # type: ignore[misc]
                deleted += 1
                continue
            someone_else = item["sk"] == PROFILE and pk.split("#", 1)[0] in {k.value for k in PERSON_KINDS}
            clean = scrubber.ids if someone_else else scrubber.value
            changed = {name: clean(value) for name, value in item.items() if name not in key and clean(value) != value}
            if not changed:
                continue
            names = {f"#a{i}": name for i, name in enumerate(changed)}
            values = {f":v{i}": value for i, value in enumerate(changed.values())}
            try:
                self._retrying(
                    lambda key=key, names=names, values=values: self.table.update_item(  # type: ignore[misc]
                        Key=key,
                        UpdateExpression="SET " + ", ".join(f"#a{i} = :v{i}" for i in range(len(names))),
                        ConditionExpression="attribute_exists(pk)",
                        ExpressionAttributeNames=names,
                        ExpressionAttributeValues=values,
                    )
                )
            except Exception as error:
                if not _is_conditional_failure(error):
                    raise
                continue  # expired or deleted meanwhile
            scrubbed += 1
        return scrubbed, deleted

    def put_erasure(self, receipt: ErasureReceipt, keep_until: datetime) -> None:
        item = {
            "pk": f"{ERASURE}#{receipt.anonymous_id}",
            "sk": ERASURE,
            "record_kind": receipt.kind.value,
            "at": clock.iso(receipt.at),
            "by": receipt.by,
            "deleted": receipt.deleted,
            "scrubbed": receipt.scrubbed,
            "expires_at": int(keep_until.timestamp()),
        }
        self._retrying(lambda: self.table.put_item(Item=item))

    # --- the public forms' daily limit --------------------------------------------------------------

    def count_submission(self, kind: RecordKind, sender: str, day: date, submission: str, limit: int) -> bool:
        # one item per address and day: its count, and the submissions counted (digests), so that the
        # same one again is recognised instead of counted
        key = {
            "pk": f"{LIMIT}#{sender}",
            "sk": day.isoformat() + ("" if kind is RecordKind.VOLUNTEER else f"#{kind.value}"),
        }
        expires = datetime.combine(day + LIMIT_KEPT, datetime.min.time(), tzinfo=UTC)
        try:
            self._retrying(
                lambda: self.table.update_item(
                    Key=key,
                    UpdateExpression="SET #e = if_not_exists(#e, :expires) ADD #n :one, #s :these",
                    ConditionExpression="(attribute_not_exists(#n) OR #n < :limit) AND NOT contains(#s, :this)",
                    ExpressionAttributeNames={"#n": "count", "#s": "submissions", "#e": "expires_at"},
                    ExpressionAttributeValues={
                        ":expires": int(expires.timestamp()),
                        ":one": 1,
                        ":these": {submission},
                        ":this": submission,
                        ":limit": limit,
                    },
                )
            )
        except Exception as error:
            if not _is_conditional_failure(error):
                raise
            # the limit is reached, or this very submission was counted (then it stays counted)
            item = self.table.get_item(Key=key, ConsistentRead=True).get("Item") or {}
            return submission in (item.get("submissions") or set())
        return True


DELIVERY_STAGE = "DELIVERY"
ERASURE = "ERASURE"
LIMIT = "LIMIT"
LIMIT_KEPT = timedelta(days=2)
_IDEMPOTENCY = "idempotency#"
PERSON_KINDS = (RecordKind.VOLUNTEER, RecordKind.YOUTH)
DELIVERY_KEPT = timedelta(days=2)


def _delivery_key(delivery_id: str) -> dict[str, str]:
    return {"pk": f"DELIVERY#{delivery_id}", "sk": "DELIVERY"}
