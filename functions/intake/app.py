"""Intake: the volunteer application form. Stores a valid application once and starts its workflow."""

from __future__ import annotations

import uuid
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

from backup import clock
from backup.application_form import HONEYPOT, application_form, receipt_page
from backup.applications import VolunteerApplication, parse_application
from backup.config import EnvConfig
from backup.history import Event, EventKind
from backup.repository import Repository
from backup.web import BadRequest, as_json, html, problem, read_body, wants_json
from backup.workflow_engine import WorkflowEngine


class Config(EnvConfig):
    table_name: str
    state_machine_arn: str


config = Config.from_env()
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayHttpResolver()
repository = Repository(config.table_name)
engine = WorkflowEngine(config.state_machine_arn)
# A double click, a resubmitted form or a client's retry carries the same application: it
# maps to the same id for a day instead of creating a second volunteer.
idempotency = IdempotencyConfig(expires_after_seconds=24 * 3600)
persistence = DynamoDBPersistenceLayer(table_name=config.table_name, key_attr="pk", sort_key_attr="sk")


@idempotent_function(data_keyword_argument="application", config=idempotency, persistence_store=persistence,
                     output_serializer=None)
def register(application: dict[str, Any]) -> dict[str, str]:
    """Store the application and start its workflow; the same application gives the same id."""
    application_id = uuid.uuid4().hex[:12]
    logger.set_correlation_id(application_id)
    at = clock.now()
    repository.create_volunteer(application_id, application, Event(at=at, kind=EventKind.APPLIED, by="applicant"))
    engine.start(application_id)
    metrics.add_metric(name="ApplicationReceived", unit=MetricUnit.Count, value=1)
    logger.info("application stored and workflow started")
    return {"application_id": application_id}


@app.get("/apply")
def form() -> Response:
    return html(200, application_form())


@app.post("/apply")
@tracer.capture_method
def submit() -> Response:
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    json_reply = wants_json(headers)
    try:
        data = read_body(event.raw_event)
    except BadRequest as bad:
        return problem(bad.status_code, "Forespørgslen kunne ikke læses", bad.message, json_reply)
    if str(data.pop(HONEYPOT, "") or "").strip():
        logger.info("application turned away: honeypot field filled")
        metrics.add_metric(name="SpamTurnedAway", unit=MetricUnit.Count, value=1)
        return problem(400, "Ansøgningen blev ikke modtaget",
                       "Ansøgningen så ud til at komme fra et program og blev ikke gemt. "
                       "Er du et menneske, så ring eller skriv til Røde Kors.", json_reply)
    application, errors = parse_application(data, clock.now().date())
    if application is None:
        logger.info("application invalid", extra={"fields": sorted(errors)})
        if json_reply:
            return as_json(422, {"error": "invalid application", "fields": errors})
        return html(422, application_form(data, errors))
    stored = register(application=_stored_form(application))
    if json_reply:
        return as_json(201, stored)
    return html(201, receipt_page(stored["application_id"], application.first_name))


@app.get("/health")
def health() -> Response:
    return as_json(200, {"status": "ok"})


def _stored_form(application: VolunteerApplication) -> dict[str, Any]:
    return application.model_dump(mode="json")


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency.register_lambda_context(context)
    return app.resolve(event, context)
