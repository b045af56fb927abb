"""What ops see, gathered as plain dicts and lists (JSON-ready): the command line prints them,
and a local page (/_local/ops) can show the same.

Personal details are returned because ops are authorised to see them; nothing here logs them.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from backup.adapters.dynamodb import DynamoRepository
from backup.domain import clock
from backup.domain.errors import NotFound
from backup.domain.executions import execution_arn as name_execution
from backup.domain.history import Event
from backup.domain.kinds import RecordKind
from backup.domain.records import Person, ProposalRecord, Record
from backup.domain.stage_limits import DEFAULT_STAGE_LIMIT_DAYS
from backup.domain.stages import STATE_NAMES, Stage
from backup_ops.discovery import INTAKE_FUNCTION, OPS_FUNCTION, OpsError, Target
from backup_ops.support_views import support_summary

SECONDS_PER_DAY = 86400


def person_kind(kind: str) -> RecordKind:
    """VOLUNTEER, YOUTH or MATCH, from any spelling of them (or of the execution prefixes)."""
    try:
        return RecordKind.read(kind)
    except ValueError as unknown:
        raise OpsError(str(unknown)) from None


def state_machine_arn(target: Target, kind: str | RecordKind = RecordKind.VOLUNTEER) -> str:
    """The state machine that runs this kind's executions. The intake function knows the volunteers'
    and the young people's; the template names every machine <stack>-volunteer, -youth, -match."""
    kind = person_kind(kind)
    volunteer = target.state_machine_arn
    if kind is RecordKind.VOLUNTEER:
        return volunteer
    if kind is RecordKind.YOUTH and target.environment(INTAKE_FUNCTION).get("YOUTH_STATE_MACHINE_ARN"):
        return target.environment(INTAKE_FUNCTION)["YOUTH_STATE_MACHINE_ARN"]
    base, name = volunteer.rsplit(":", 1)
    stem = name.removesuffix("-volunteer") if name.endswith("-volunteer") else target.stack
    return f"{base}:{stem}-{kind.prefix}"


def plain(value: Any) -> Any:
    """DynamoDB's Decimals and sets as JSON's numbers and lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [plain(v) for v in value]
        return sorted(items, key=str) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, datetime):
        return clock.iso(value)
    return value


def open_stages() -> list[Stage]:
    """The stages people wait in (every stage but the final ones), in the programme's order."""
    return [stage for stage in Stage if not stage.is_final]


def days_between(since: str, now: datetime) -> float:
    return (now - clock.parse(since)).total_seconds() / SECONDS_PER_DAY


def repository(target: Target) -> DynamoRepository:
    return DynamoRepository(target.table_name, resource=target.dynamodb(), reader=target.client("dynamodb"))


def _waiting(target: Target, stage: Stage, now: datetime, older_than_days: float | None) -> list[dict[str, Any]]:
    """People in `stage`, longest-waiting first (the same query the hourly watch counts with)."""
    before = now - timedelta(days=older_than_days) if older_than_days is not None else None
    rows: list[dict[str, Any]] = []
    for person in repository(target).waiting_in_stage(stage, since_before=before):
        rows.append(
            {
                "application_id": person.id,
                "kind": person.kind.value,
                "stage": stage.value,
                "stage_label": stage.label,
                "stage_since": clock.iso(person.since),
                "days_waiting": round((now - person.since).total_seconds() / SECONDS_PER_DAY, 6),
            }
        )
    return rows


def list_people(
    target: Target, stages: list[Stage] | None = None, older_than_days: float | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Everyone waiting, stage by stage in the programme's order, longest-waiting first in each."""
    now = now or clock.now()
    rows: list[dict[str, Any]] = []
    for stage in stages or open_stages():
        rows.extend(_waiting(target, stage, now, older_than_days))
    return rows


def stuck(
    target: Target, limits: dict[Stage, float] | None = None, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Everyone who has waited in a stage longer than that stage's limit (days)."""
    now = now or clock.now()
    limits = DEFAULT_STAGE_LIMIT_DAYS if limits is None else limits
    rows: list[dict[str, Any]] = []
    for stage in open_stages():
        if stage not in limits:
            continue
        limit = float(limits[stage])
        for row in _waiting(target, stage, now, limit):
            rows.append({**row, "limit_days": limit, "over_by_days": round(row["days_waiting"] - limit, 6)})
    return rows


def console_url(region: str, execution_arn: str) -> str:
    return f"https://{region}.console.aws.amazon.com/states/home?region={region}#/v2/executions/details/{execution_arn}"


def execution_arn(target: Target, record_id: str, kind: str | RecordKind = RecordKind.VOLUNTEER) -> str:
    """The record's current execution: a long wait in the pool carries on in a new run (see
    backup.domain.executions), and the record says which run is the current one."""
    kind = person_kind(kind)
    try:
        run = repository(target).get_record(kind, record_id).run
    except NotFound:
        run = 1
    return name_execution(state_machine_arn(target, kind), record_id, kind, run)


def execution(target: Target, application_id: str, kind: str | RecordKind = RecordKind.VOLUNTEER) -> dict[str, Any]:
    """Where the person's execution stands: status, the state it is in (or ended in), its console address."""
    sfn = target.client("stepfunctions")
    arn = execution_arn(target, application_id, kind)
    found: dict[str, Any] = {"arn": arn, "name": arn.rsplit(":", 1)[1], "console_url": console_url(target.region, arn)}
    try:
        described = sfn.describe_execution(executionArn=arn)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"ExecutionDoesNotExist", "ResourceNotFound"}:
            return {**found, "status": "NOT_STARTED", "current_state": None}
        raise
    found.update(
        status=described["status"], started=plain(described.get("startDate")), stopped=plain(described.get("stopDate"))
    )
    if described.get("error"):
        found.update(error=described.get("error"), cause=described.get("cause"))
    # the newest events first (AWS honours reverseOrder; moto returns all in order): the highest id wins
    events = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=1000).get("events", [])
    entered = [e for e in events if str(e.get("type", "")).endswith("StateEntered")]
    latest = max(entered, key=lambda e: int(e.get("id", 0)), default=None)
    found["current_state"] = latest["stateEnteredEventDetails"]["name"] if latest else None
    found["current_state_since"] = plain(latest.get("timestamp")) if latest else None
    return found


def _event_details(event: dict[str, Any]) -> dict[str, Any]:
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def execution_events(
    target: Target, application_id: str, kind: str | RecordKind = RecordKind.VOLUNTEER
) -> list[dict[str, Any]]:
    """The execution's event history, oldest first, as the console's "Events" tab lists it: id, time,
    type, the state it concerns, the task's resource and any error. [] when there is no execution."""
    sfn = target.client("stepfunctions")
    request: dict[str, Any] = {"executionArn": execution_arn(target, application_id, kind), "maxResults": 1000}
    events: list[dict[str, Any]] = []
    while True:
        try:
            page = sfn.get_execution_history(**request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"ExecutionDoesNotExist", "ResourceNotFound"}:
                return []
            raise
        events.extend(page.get("events", []))
        if not page.get("nextToken"):
            break
        request["nextToken"] = page["nextToken"]
    rows: list[dict[str, Any]] = []
    state: str | None = None
    for event in sorted(events, key=lambda e: int(e.get("id", 0))):
        details = _event_details(event)
        kind_of_event = str(event.get("type", ""))
        if kind_of_event.endswith("StateEntered"):  # the task events that follow concern this state
            state = details.get("name")
        row = {
            "id": int(event.get("id", 0)),
            "previous_id": int(event.get("previousEventId", 0)),
            "at": plain(event.get("timestamp")),
            "type": kind_of_event,
            "state": details.get("name", state),
            "resource": ":".join(filter(None, [details.get("resourceType"), details.get("resource")])) or None,
            "error": details.get("error"),
            "cause": details.get("cause"),
        }
        rows.append({key: value for key, value in row.items() if value is not None})
        if kind_of_event.endswith("StateExited"):
            state = None
    return rows


def max_reminders(target: Target) -> int | None:
    """How many reminders a step sends before it escalates (the functions' MAX_REMINDERS), if known."""
    try:
        return int(target.environment(OPS_FUNCTION).get("MAX_REMINDERS", ""))
    except ValueError:
        return None


def attention(record: Record | None, reminders_before_escalation: int | None) -> dict[str, Any]:
    """Whether ops must act on a record: a task that failed for good and waits for ops' choice
    (needs_ops, the failed state), or the open step escalated after its last reminder."""
    if record is None:
        return {"needs_ops": None, "escalated": False}
    waiting = bool(record.open_stage or record.open_link_id)
    if reminders_before_escalation is None:
        escalated = record.escalated and waiting and record.reminders_sent > 0
    else:
        escalated = waiting and record.reminders_sent > reminders_before_escalation
    return {"needs_ops": record.needs_ops or None, "escalated": escalated}


def with_attention(target: Target, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """list_people's or stuck's rows, each with needs_ops (the failed state, or None) and escalated."""
    repo = repository(target)
    limit = max_reminders(target)
    records: dict[tuple[str, str], Record] = {}
    for kind in {row["kind"] for row in rows}:
        ids = sorted({row["application_id"] for row in rows if row["kind"] == kind})
        found: list[Record] = (
            [repo.get_proposal(i) for i in ids]
            if kind == RecordKind.MATCH.value
            else list(repo.get_people(RecordKind(kind), ids))
        )
        for record in found:
            records[(kind, record.id)] = record
    return [{**row, **attention(records.get((row["kind"], row["application_id"])), limit)} for row in rows]


def _event(event: Event) -> dict[str, Any]:
    shown = {
        "at": clock.iso(event.at),
        "kind": event.kind.value,
        "stage": event.stage.value if event.stage else None,
        "by": event.by,
        "notes": event.notes,
        "details": dict(event.details),
    }
    return {key: value for key, value in shown.items() if value not in (None, "", {})}


def _details(record: Record) -> dict[str, Any]:
    """What the record says about whom it concerns, as stored."""
    if isinstance(record, ProposalRecord):
        shown: dict[str, Any] = plain(
            {
                "youth_id": record.youth_id,
                "volunteer_id": record.volunteer_id,
                "chosen": record.chosen.__dict__,
                "alternatives": [c.__dict__ for c in record.alternatives],
            }
        )
        return shown
    assert isinstance(record, Person)
    return {key: value for key, value in record.details.model_dump(mode="json").items() if value is not None}


def show_person(
    target: Target,
    application_id: str,
    now: datetime | None = None,
    with_execution: bool = True,
    kind: str | RecordKind = RecordKind.VOLUNTEER,
) -> dict[str, Any]:
    """The record (a volunteer's, a young person's or a match proposal's: `kind` as in list rows),
    its history in order, the open step and where the execution stands."""
    now = now or clock.now()
    kind = person_kind(kind)
    repo = repository(target)
    try:
        record = repo.get_record(kind, application_id)
    except NotFound:
        raise OpsError(f"There is no {kind.noun} with id {application_id}.") from None
    person: dict[str, Any] = {
        "application_id": application_id,
        "kind": kind.value,
        "stage": record.stage.value,
        "stage_label": record.stage.label,
        "stage_since": clock.iso(record.stage_since),
        "days_waiting": round((now - record.stage_since).total_seconds() / SECONDS_PER_DAY, 6),
        "applied_at": clock.iso(record.created_at),
        "consultant": record.consultant,
        "reminders_sent": record.reminders_sent,
        "withdrawal_requested": isinstance(record, Person) and record.withdrawal_requested,
        **attention(record, max_reminders(target) if record.escalated else None),
        "open_step": None,
        "details": _details(record),
    }
    if record.open_stage:
        link = repo.get_link(record.open_link_id) if record.open_link_id else None
        step: dict[str, Any] = {
            "stage": record.open_stage.value,
            "state_name": STATE_NAMES.get(record.open_stage, record.open_stage.value),
        }
        if link is not None:  # never the link id itself: it is what lets a consultant decide
            step.update(
                sent_to=link.sent_to,
                sent_at=clock.iso(link.created_at),
                expires_at=clock.iso(link.expires_at),
                link_status=link.status.value,
            )
        person["open_step"] = step
    if isinstance(record, ProposalRecord):
        person["support"] = support_summary(record, now)
    person["history"] = [_event(event) for event in repo.history(kind, application_id)]
    if with_execution:
        person["execution"] = execution(target, application_id, kind)
    return person


def _invoke_ops(target: Target, command: dict[str, Any], record_id: str) -> dict[str, Any]:
    """Run one command in the ops function; its refusal is one sentence for ops."""
    response = target.client("lambda").invoke(FunctionName=target.ops_function, Payload=json.dumps(command).encode())
    body = response["Payload"].read()
    try:
        answer = json.loads(body) if body else {}
    except ValueError:
        answer = {"errorMessage": body.decode(errors="replace")[:200]}
    if response.get("FunctionError"):
        message = str(answer.get("errorMessage") or answer.get("errorType") or "no message").strip().rstrip(".")
        raise OpsError(f"The ops function failed: {message}.")
    if not isinstance(answer, dict) or not answer.get("ok"):
        error = answer.get("error") if isinstance(answer, dict) else None
        text = str(error or f"The ops function did not {command['action']}").strip()
        if not text.startswith(record_id):
            text = text[:1].upper() + text[1:]
        raise OpsError(text if text.endswith((".", "!", "?")) else text + ".")
    if answer.get("data") is not None:
        return {"application_id": record_id, "action": command["action"], "by": command["by"], **answer["data"]}
    return {
        "application_id": record_id,
        "action": command["action"],
        "stage": answer.get("stage"),
        "sent_to": answer.get("sent_to"),
        "failed_state": answer.get("failed_state"),
        "by": command["by"],
    }


def resend(
    target: Target, application_id: str, by: str | None = None, kind: str | RecordKind = RecordKind.VOLUNTEER
) -> dict[str, Any]:
    """Send the open step's link again (the old link dies); answers to whom it went."""
    command = {
        "action": "resend",
        "person_id": application_id,
        "kind": person_kind(kind).value,
        "by": by or target.caller(),
    }
    return _invoke_ops(target, command, application_id)


def reassign(
    target: Target,
    application_id: str,
    consultant: str,
    by: str | None = None,
    kind: str | RecordKind = RecordKind.VOLUNTEER,
) -> dict[str, Any]:
    """Move the open step to another consultant (the old link dies); answers to whom it went."""
    command = {
        "action": "reassign",
        "person_id": application_id,
        "kind": person_kind(kind).value,
        "consultant": consultant,
        "by": by or target.caller(),
    }
    return _invoke_ops(target, command, application_id)


def after_failure(
    target: Target,
    record_id: str,
    choice: str,
    notes: str = "",
    by: str | None = None,
    kind: str | RecordKind = RecordKind.VOLUNTEER,
) -> dict[str, Any]:
    """Ops' choice for a journey that waits for them after a failure: "retry" the step or "end" it."""
    command = {
        "action": choice,
        "record_id": record_id,
        "kind": person_kind(kind).value,
        "notes": notes,
        "by": by or target.caller(),
    }
    return _invoke_ops(target, command, record_id)


def _person_command(
    target: Target, action: str, person_id: str, by: str | None, kind: str | RecordKind, **extra: Any
) -> dict[str, Any]:
    command = {"action": action, "person_id": person_id, "kind": person_kind(kind).value, "by": by or target.caller()}
    return _invoke_ops(target, {**command, **extra}, person_id)


def export(
    target: Target, person_id: str, by: str | None = None, kind: str | RecordKind = RecordKind.VOLUNTEER
) -> dict[str, Any]:
    """Everything held about a person (GDPR art. 15 and 20); the export goes on their history."""
    return _person_command(target, "export", person_id, by, kind)


def erase_preview(
    target: Target, person_id: str, by: str | None = None, kind: str | RecordKind = RecordKind.VOLUNTEER
) -> dict[str, Any]:
    """What an erasure of the person would take, changing nothing."""
    return _person_command(target, "erase_preview", person_id, by, kind)


def erase(
    target: Target, person_id: str, by: str | None = None, kind: str | RecordKind = RecordKind.VOLUNTEER
) -> dict[str, Any]:
    """Erase the person (GDPR art. 17): their run ends, their data goes, one anonymous receipt stays."""
    return _person_command(target, "erase", person_id, by, kind, confirm=True)
