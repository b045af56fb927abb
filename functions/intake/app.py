"""Intake: the volunteer application form and the referral of a young person. Each stores a valid
submission once and starts that person's workflow."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup import clock, telemetry  # noqa: F401 - quiets empty-metrics warnings
from backup.application_form import HONEYPOT, application_form, receipt_page
from backup.applications import parse_application
from backup.config import EnvConfig
from backup.history import Event, EventKind
from backup.referral_form import referral_form, referral_receipt_page
from backup.referrals import parse_referral
from backup.repository import VOLUNTEER, YOUTH, Repository
from backup.stages import Stage
from backup.web import BadRequest, as_json, html, problem, read_body, wants_json
from backup.workflow_engine import WorkflowEngine


class Config(EnvConfig):
    table_name: str
    state_machine_arn: str
    youth_state_machine_arn: str


config = Config.from_env()
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayHttpResolver()
repository = Repository(config.table_name)
engine = WorkflowEngine(config.state_machine_arn)
youth_engine = WorkflowEngine(config.youth_state_machine_arn, kind="YOUTH")
# A double click, a resubmitted form or a client's retry carries the same submission: it maps
# to the same id for a day instead of creating a second volunteer or young person.
idempotency = IdempotencyConfig(expires_after_seconds=24 * 3600)
# expiry in the table's TTL attribute, so DynamoDB removes spent idempotency records by itself
persistence = DynamoDBPersistenceLayer(table_name=config.table_name, key_attr="pk", sort_key_attr="sk",
                                       expiry_attr="expires_at")


def _store(details: dict[str, Any], *, kind: str, stage: Stage, event: EventKind, by: str,
           workflow: WorkflowEngine, metric: str) -> str:
    """Store a new person in their first stage and start their workflow; returns their id."""
    person_id = uuid.uuid4().hex[:12]
    logger.set_correlation_id(person_id)
    repository.create_person(person_id, details, Event(at=clock.now(), kind=event, by=by), kind=kind, stage=stage)
    workflow.start(person_id)
    metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
    logger.info("person stored and workflow started", extra={"person_kind": kind})
    return person_id


@idempotent_function(data_keyword_argument="application", config=idempotency, persistence_store=persistence,
                     output_serializer=None)
def register(application: dict[str, Any]) -> dict[str, str]:
    """Store the application and start its workflow; the same application gives the same id."""
    return {"application_id": _store(application, kind=VOLUNTEER, stage=Stage.APPLIED, event=EventKind.APPLIED,
                                     by="applicant", workflow=engine, metric="ApplicationReceived")}


@idempotent_function(data_keyword_argument="referral", config=idempotency, persistence_store=persistence,
                     output_serializer=None)
def refer(referral: dict[str, Any]) -> dict[str, str]:
    """Store the referral and start the young person's workflow; the same referral gives the same id."""
    return {"youth_id": _store(referral, kind=YOUTH, stage=Stage.REFERRED, event=EventKind.REFERRED,
                               by="contact_adult", workflow=youth_engine, metric="ReferralReceived")}


@dataclass(frozen=True)
class Intake:
    """One public form: how a submission is checked, stored and answered."""

    noun: str  # in logs and in the JSON error: "invalid application"
    parse: Callable[[dict[str, Any], date], tuple[Any, dict[str, str]]]
    form: Callable[[dict[str, Any], dict[str, str]], str]
    store: Callable[[dict[str, Any]], dict[str, str]]
    id_key: str
    receipt: Callable[[str, str], str]
    danish_noun: str  # "Ansøgningen", in the answer to a bot that filled the honeypot
    # fields a form sends more than once beyond backup.web.LIST_FIELDS


APPLICATION = Intake(noun="application", parse=parse_application, form=application_form,
                     store=lambda details: register(application=details), id_key="application_id",
                     receipt=receipt_page, danish_noun="Ansøgningen")
REFERRAL = Intake(noun="referral", parse=parse_referral, form=referral_form,
                  store=lambda details: refer(referral=details), id_key="youth_id",
                  receipt=referral_receipt_page, danish_noun="Henvisningen")


@app.get("/apply")
def form() -> Response:
    return html(200, application_form())


@app.post("/apply")
@tracer.capture_method
def submit() -> Response:
    return _submit(APPLICATION)


@app.get("/refer")
def refer_form() -> Response:
    return html(200, referral_form())


@app.post("/refer")
@tracer.capture_method
def submit_referral() -> Response:
    return _submit(REFERRAL)


def _submit(intake: Intake) -> Response:
    """Read, check and store one submission; answer in JSON or HTML as the client asked."""
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    json_reply = wants_json(headers)
    try:
        data = read_body(event.raw_event)
    except BadRequest as bad:
        return problem(bad.status_code, "Forespørgslen kunne ikke læses", bad.message, json_reply)
    if str(data.pop(HONEYPOT, "") or "").strip():
        logger.info(f"{intake.noun} turned away: honeypot field filled")
        metrics.add_metric(name="SpamTurnedAway", unit=MetricUnit.Count, value=1)
        return problem(400, f"{intake.danish_noun} blev ikke modtaget",
                       f"{intake.danish_noun} så ud til at komme fra et program og blev ikke gemt. "
                       "Er du et menneske, så ring eller skriv til Røde Kors.", json_reply)
    record, errors = intake.parse(data, clock.now().date())
    if record is None:
        logger.info(f"{intake.noun} invalid", extra={"fields": sorted(errors)})
        if json_reply:
            return as_json(422, {"error": f"invalid {intake.noun}", "fields": errors})
        return html(422, intake.form(data, errors))
    stored = intake.store(record.model_dump(mode="json"))
    if json_reply:
        return as_json(201, stored)
    return html(201, intake.receipt(stored[intake.id_key], record.first_name))


@app.get("/health")
def health() -> Response:
    return as_json(200, {"status": "ok"})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency.register_lambda_context(context)
    return app.resolve(event, context)
