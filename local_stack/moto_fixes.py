"""Where moto differs from AWS in a way our guarantees depend on, the local stack corrects it.

DynamoDB applies each request to an item atomically; moto checks a condition and writes in two
steps without a lock, so two threads can both pass one condition, and a read can walk an item's
attributes while another thread changes them ("dictionary changed size during iteration", seen
in a batch read during overlapping matching runs). Serialising moto's DynamoDB requests restores
AWS's behaviour for single-use links, never-twice matches and consistent reads.
"""

from __future__ import annotations

import copy
import functools
import json
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


# --- DynamoDB transactions: back up the items a transaction writes, not every table it names -------


class _TablesAsThemselves:
    """What moto's DynamoDB models module sees as `copy`: a deep copy of a whole table is the table
    itself (the only one is transact_write_items' backup for a rollback, which `_transact_write_items`
    below does per item instead); every other deep copy is copy.deepcopy."""

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, self._table_type):
            return value
        return copy.deepcopy(value, memo)

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)


_Saved = tuple[Any, Any, Any, Any]  # table, hash key, range key (or None), the item as it was (or None)


def _items_written(backend: Any, transact_items: list[dict[str, Any]]) -> list[_Saved]:
    from moto.dynamodb.models.dynamo_type import DynamoType

    saved: list[_Saved] = []
    for entry in transact_items:
        for op in entry.values():
            table: Any = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
            key = (op.get("Key") or op.get("Item")) if table is not None else None
            if table is None or not isinstance(key, dict) or table.hash_key_attr not in key:
                continue  # moto refuses it before writing anything
            hash_key = DynamoType(key[table.hash_key_attr])
            range_key = None
            if table.range_key_attr is not None:
                if table.range_key_attr not in key:
                    continue
                range_key = DynamoType(key[table.range_key_attr])
                item = table.items.get(hash_key, {}).get(range_key)
            else:
                item = table.items.get(hash_key)
            saved.append((table, hash_key, range_key, copy.deepcopy(item)))
    return saved


def _put_back(saved: list[_Saved]) -> None:
    for table, hash_key, range_key, item in reversed(saved):
        if range_key is None:
            if item is None:
                table.items.pop(hash_key, None)
            else:
                table.items[hash_key] = item
        elif item is None:
            table.items.get(hash_key, {}).pop(range_key, None)
        else:
            table.items[hash_key][range_key] = item


def back_up_transactions_by_item() -> None:
    """moto 5 backs up a transaction by deep-copying every table it names (dynamodb/models/__init__.py,
    transact_write_items), whatever the transaction writes: each profile write (a two-item transaction)
    copied the whole table, so a write cost time and memory in proportion to everybody stored, and
    the copies (cyclic: items refer to their table's types) lived until Python's full garbage
    collection. Here a transaction keeps a copy of only the items it writes, and puts them back
    if it fails (also where moto would leave a half-written transaction: two operations in one entry)."""
    import moto.dynamodb.models as models
    from moto.dynamodb.models.table import Table

    if isinstance(getattr(models, "copy", None), _TablesAsThemselves):
        return
    setattr(models, "copy", _TablesAsThemselves(Table))  # noqa: B010 - the module's own name for copy
    original = models.DynamoDBBackend.transact_write_items

    @functools.wraps(original)
    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        with _LOCK:
            saved = _items_written(self, transact_items)
            try:
                original(self, transact_items)
            except BaseException:
                _put_back(saved)
                raise

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]


# --- Step Functions: a waiting execution holds one thread, not three ---------------------------------

_INLINE = threading.local()


class _ThreadOrInline:
    """The `Thread` moto's execute_state module starts a task's work in: run in the calling thread
    when `_evaluate_in_caller` asked for it, else a real thread."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if getattr(_INLINE, "asked", False):
            _INLINE.asked = False
            return super().__new__(cls)
        return threading.Thread(*args, **kwargs)

    def __init__(self, target: Any, daemon: bool | None = None) -> None:
        self._target = target

    def start(self) -> None:
        target, self._target = self._target, None  # as Thread.run: moto's TMP_THREADS keeps us forever
        target()

    def is_alive(self) -> bool:
        return False


def one_thread_per_execution() -> None:
    """moto's interpreter holds three threads for every execution waiting on a task token: the
    execution's, the program's (`Program.eval` starts it only to `join` it, with the machine's
    TimeoutSeconds, which our definitions do not set) and the task's (`ExecutionState._evaluate_with_timeout`
    runs the task in a thread and waits for it with the state's timeout, while the task's callback
    wait already waits with that same timeout). Here the program runs in the execution's thread
    when it has no timeout, and a waitForTaskToken task without a heartbeat runs in the state's
    thread: its callback wait ends at the state's timeout (measured from after the Lambda invoke,
    not from before it: later by the invoke's duration) and raises the same States.Timeout."""
    from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
    from moto.stepfunctions.parser.asl.component.program.program import Program
    from moto.stepfunctions.parser.asl.component.state.exec import execute_state
    from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
        ResourceCondition,
    )

    if getattr(Program.eval, "_one_thread", False):
        return
    program_eval = Program.eval

    def eval_(self: Any, env: Any) -> None:
        if self.timeout_seconds is not None:
            program_eval(self, env)
            return
        env.next_state_name = self.start_at.start_at_name
        try:
            EvalComponent.eval(self, env)
        except Exception:  # as moto's program thread would: it logged it, the execution stays as it is
            return

    eval_._one_thread = True  # type: ignore[attr-defined]
    Program.eval = eval_  # type: ignore[method-assign]

    setattr(execute_state, "Thread", _ThreadOrInline)  # noqa: B010 - the module's own name for Thread
    evaluate_with_timeout = execute_state.ExecutionState._evaluate_with_timeout

    def _evaluate_with_timeout(self: Any, env: Any) -> None:
        resource = getattr(self, "resource", None)
        _INLINE.asked = (
            getattr(resource, "condition", None) == ResourceCondition.WaitForTaskToken
            and getattr(self, "heartbeat", None) is None
        )
        try:
            evaluate_with_timeout(self, env)
        finally:
            _INLINE.asked = False

    execute_state.ExecutionState._evaluate_with_timeout = _evaluate_with_timeout  # type: ignore[method-assign]


def parse_each_definition_once() -> None:
    """moto parses a state machine's definition (ANTLR) again for every execution it starts: about
    half a second of CPU for the volunteer machine, and the parsed program (about 0.3 MiB) is held
    by every waiting execution. The parsed program keeps no state of an execution (moto runs one
    program's states in many threads at once for Map and Parallel; what an evaluation holds is in
    its Environment), so each definition is parsed once and its program shared."""
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser
    from moto.stepfunctions.parser.backend.execution_worker import ExecutionWorker

    if getattr(ExecutionWorker._get_evaluation_entrypoint, "_cached", False):
        return

    @functools.lru_cache(maxsize=32)
    def parsed(definition: str) -> Any:
        return AmazonStateLanguageParser.parse(definition)[0]

    def entrypoint(self: Any) -> Any:
        return parsed(self._evaluation_details.state_machine_details.definition)

    entrypoint._cached = True  # type: ignore[attr-defined]
    ExecutionWorker._get_evaluation_entrypoint = entrypoint  # type: ignore[method-assign]


# --- DynamoDB queries: read the partition (or the index's matches), not the whole table, sorted ------

_QUERY = threading.local()


def _equals(attribute: Any, value: Any) -> bool:
    return attribute is not None and bool(attribute == value)


def query_only_what_can_match() -> None:
    """moto 5's `Table.query` starts from `Table.all_items()`, which lists and sorts every item of the
    table, for a query of one partition as for an index: each query cost O(n log n) in everybody
    stored, under the lock that serialises DynamoDB (the delivery schedule's index query, every
    second locally, took about half a second at 1,000 people). Here `all_items`, while a query asks,
    gives only the queried partition's items, or for an index the items whose attributes equal the
    query's hash key conditions; moto's own checks and sort then run on those as before."""
    from moto.dynamodb.models.table import Table

    if getattr(Table.query, "_narrowed", False):
        return
    query, all_items = Table.query, Table.all_items

    def narrowed(self: Any) -> list[Any]:
        asked = getattr(_QUERY, "asked", None)
        if asked is None or asked[0] is not self:
            return all_items(self)
        _, hash_key, index_name, conditions = asked
        if index_name is None:
            group = self.items.get(hash_key)
            found = [] if group is None else (list(group.values()) if self.range_key_attr else [group])
        else:
            found = [
                item
                for group in self.items.values()
                for item in (group.values() if self.range_key_attr else [group])
                if all(_equals(item.attrs.get(name), value) for name, value in conditions)
            ]
        return sorted(found, key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)

    @functools.wraps(query)
    def narrowed_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = kwargs.get("index_name", args[6] if len(args) > 6 else None)
        conditions = kwargs.get("hash_key_conditions") or []
        if (index_name is None and hash_key is None) or (index_name is not None and not conditions):
            return query(self, hash_key, *args, **kwargs)
        _QUERY.asked = (self, hash_key, index_name, list(conditions))
        try:
            return query(self, hash_key, *args, **kwargs)
        finally:
            _QUERY.asked = None

    narrowed_query._narrowed = True  # type: ignore[attr-defined]
    Table.query = narrowed_query  # type: ignore[method-assign]
    Table.all_items = narrowed  # type: ignore[method-assign]


# --- Step Functions: one AWS client per service, not a new one for every task ------------------------


def one_client_per_service() -> None:
    """moto's interpreter creates a new boto3 client (`boto_client_for`) for every Lambda task it
    runs: loading the service model, building the client class and its endpoint resolver each time,
    about 15 ms of CPU in the process that also answers every AWS call (profiled at programme scale).
    The clients it creates differ only by region and service (`state_credentials` is not used), and a
    botocore client is safe to share between threads, so each (region, service) gets one, kept."""
    from moto.stepfunctions.parser.asl.component.state.exec.state_task import lambda_eval_utils
    from moto.stepfunctions.parser.asl.utils import boto_client

    if getattr(boto_client.boto_client_for, "_kept", False):
        return
    create = boto_client.boto_client_for

    @functools.cache
    def client(region: str, service: str) -> Any:
        return create(region=region, service=service)

    def boto_client_for(region: str, service: str, state_credentials: Any = None) -> Any:
        return client(region, service)

    boto_client_for._kept = True  # type: ignore[attr-defined]
    for module in (boto_client, lambda_eval_utils):  # the interpreter's Lambda tasks import it by name
        setattr(module, "boto_client_for", boto_client_for)  # noqa: B010


# --- moto's server: what depends only on the host or the handler class, found once -------------------


def dispatch_without_repeated_lookups() -> None:
    """For every AWS call, moto's server finds the service (`DomainDispatcherApplication.get_backend_for_host`)
    by listing moto's package folder (a `stat` of each of its ~200 entries) and then trying each
    service's URL patterns in turn, under one lock; and the handler then lists its class's methods with
    `inspect.getmembers` (`method_names_from_class`) to see whether it has the action. The first
    depends on the host name alone (dynamodb.eu-west-1.amazonaws.com), the second on the class alone,
    so each is kept (together about a sixth of the engine process's CPU per application, profiled)."""
    from moto.core import responses
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    if getattr(DomainDispatcherApplication.get_backend_for_host, "_kept", False):
        return
    find = DomainDispatcherApplication.get_backend_for_host
    found: dict[str | None, Any] = {}

    def get_backend_for_host(self: Any, host: str | None) -> Any:
        if host not in found:  # under the dispatcher's lock
            found[host] = find(self, host)
        return found[host]

    get_backend_for_host._kept = True  # type: ignore[attr-defined]
    DomainDispatcherApplication.get_backend_for_host = get_backend_for_host  # type: ignore[method-assign]
    names = functools.cache(getattr(responses, "method_names_from_class"))  # noqa: B009
    setattr(responses, "method_names_from_class", names)  # noqa: B010


# --- Step Functions: each JSONPath parsed once ---------------------------------------------------------


def parse_each_json_path_once() -> None:
    """moto's interpreter parses a state's JSONPath (`$.person_id`, a ResultPath) again each time it
    is evaluated, with jsonpath_ng's `parse`, which builds a new PLY parser (its grammar tables) every
    time: about a tenth of the engine process's CPU per application (profiled). A parsed path keeps
    nothing of what it is evaluated on (`find` and `update_or_create` read and write only the data they
    are given), so each path text is parsed once and its expression shared."""
    from moto.stepfunctions.parser.asl.component.common.path import result_path
    from moto.stepfunctions.parser.asl.utils import json_path

    for module in (json_path, result_path):
        parse = module.parse
        if not getattr(parse, "_kept", False):
            kept = functools.lru_cache(maxsize=1024)(parse)
            kept._kept = True  # type: ignore[attr-defined]
            module.parse = kept  # type: ignore[attr-defined]


# --- DynamoDB: each update expression parsed once -----------------------------------------------------


def parse_each_update_expression_once() -> None:
    """moto parses an UpdateItem's expression twice per request (once to check the request, once
    again to apply it), the same for each Update of a transaction, with a tokenizer and a recursive
    parser in Python: about a sixth of its CPU for an update (profiled). The tree it makes is only
    read, or deep-copied by the validator before it puts the item's values into it, so each
    expression text is parsed once and its tree shared. A text that cannot be parsed raises as
    before, every time (a failure is not kept)."""
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]  # untyped, as moto imports it

    if getattr(UpdateExpressionParser.make, "_kept", False):
        return
    make = UpdateExpressionParser.make

    @functools.lru_cache(maxsize=1024)
    def parsed(text: str) -> Any:
        return make(text)

    def kept(cls: Any, text: Any) -> Any:
        return parsed(text) if isinstance(text, str) else make(text)

    kept._kept = True  # type: ignore[attr-defined]
    UpdateExpressionParser.make = classmethod(kept)


# --- DynamoDB: the items a read returns, written as JSON directly --------------------------------------

_ITEM_READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan"})


def _json_default(value: Any) -> Any:
    import base64

    if isinstance(value, bytes):  # a binary attribute, as DynamoDB's JSON carries it (base64)
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"not JSON: {type(value).__name__}")


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def answer_item_reads_as_json() -> None:
    """moto writes every answer through its generic serializer, which walks the botocore model for
    each attribute value of each item (profiled: about a third of a second per hundred records, and
    a large part of moto's CPU per application at programme scale). DynamoDB's answer to an item
    read is the items in DynamoDB's own JSON, which moto already holds in that form
    (`DynamoResult` converts them with `dynamo_to_dict`), so GetItem, BatchGetItem, Query and Scan
    are written with json.dumps; every other answer, and every error, still goes through moto's."""
    from moto.dynamodb.responses import DynamoResult

    if getattr(DynamoResult.execute_result, "_direct", False):
        return
    serialize = DynamoResult.execute_result

    def execute_result(self: Any, context: Any) -> Any:
        if context.operation_model.name not in _ITEM_READS or not isinstance(self.result, dict):
            return serialize(self, context)
        body = json.dumps(_without_none(self.result), default=_json_default)
        return 200, {"Content-Type": "application/x-amz-json-1.0"}, body

    execute_result._direct = True  # type: ignore[attr-defined]
    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]
