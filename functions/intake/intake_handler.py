"""Intake: the volunteer application form and the referral of a young person. Each stores a valid
submission once and starts that person's workflow."""

from __future__ import annotations

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

from backup.adapters.dynamodb import DynamoRepository
from backup.adapters.environment import EnvConfig
from backup.adapters.stepfunctions import StepFunctionsExecutions
from backup.adapters.telemetry import PowertoolsMetrics
from backup.domain import clock
from backup.domain.applications import parse_application
from backup.domain.kinds import RecordKind
from backup.domain.records import VolunteerDetails, YouthDetails
from backup.domain.referrals import parse_referral
from backup.domain.settings import (
    DEFAULT_INACTIVITY_DAYS,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_UNSUCCESSFUL_RETENTION_DAYS,
)
from backup.usecases.intake import Intake
from backup.web.application_form import HONEYPOT, application_form, receipt_page
from backup.web.http import BadRequest, as_json, html, problem, read_body, wants_json
from backup.web.privacy_page import Retention, privacy_page
from backup.web.referral_form import referral_form, referral_receipt_page


class Config(EnvConfig):
    table_name: str
    state_machine_arn: str
    youth_state_machine_arn: str
    ops_email: str  # where questions about personal data go (the privacy notice says so)
    retention_days: int = DEFAULT_RETENTION_DAYS
    unsuccessful_retention_days: int = DEFAULT_UNSUCCESSFUL_RETENTION_DAYS
    inactivity_days: int = DEFAULT_INACTIVITY_DAYS


config = Config.from_env()
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayHttpResolver()
repository = DynamoRepository(config.table_name)
intake = Intake(
    repository,
    {
        RecordKind.VOLUNTEER: StepFunctionsExecutions(config.state_machine_arn, RecordKind.VOLUNTEER),
        RecordKind.YOUTH: StepFunctionsExecutions(config.youth_state_machine_arn, RecordKind.YOUTH),
    },
    clock.now,
    PowertoolsMetrics(),
)
# A double click, a resubmitted form or a client's retry carries the same submission: it maps
# to the same id for a day instead of creating a second volunteer or young person.
idempotency = IdempotencyConfig(expires_after_seconds=24 * 3600)
# expiry in the table's TTL attribute, so DynamoDB removes spent idempotency records by itself
persistence = DynamoDBPersistenceLayer(
    table_name=config.table_name, key_attr="pk", sort_key_attr="sk", expiry_attr="expires_at"
)


def _once(argument: str) -> Callable[[Callable[..., dict[str, str]]], Callable[..., dict[str, str]]]:
    """The same submission within a day gives the same answer, and is stored once (Powertools)."""
    decorator: Callable[[Callable[..., dict[str, str]]], Callable[..., dict[str, str]]] = idempotent_function(
        data_keyword_argument=argument, config=idempotency, persistence_store=persistence, output_serializer=None
    )
    return decorator


@_once("application")
def register(application: dict[str, Any]) -> dict[str, str]:
    """Store the application and start its workflow; the same application gives the same id."""
    volunteer_id = intake.apply(VolunteerDetails.model_validate(application))
    logger.set_correlation_id(volunteer_id)
    logger.info("person stored and workflow started", extra={"person_kind": "VOLUNTEER"})
    return {"application_id": volunteer_id}


@_once("referral")
def refer(referral: dict[str, Any]) -> dict[str, str]:
    """Store the referral and start the young person's workflow; the same referral gives the same id."""
    youth_id = intake.refer(YouthDetails.model_validate(referral))
    logger.set_correlation_id(youth_id)
    logger.info("person stored and workflow started", extra={"person_kind": "YOUTH"})
    return {"youth_id": youth_id}


@dataclass(frozen=True)
class PublicForm:
    """One public form: how a submission is checked, stored and answered."""

    noun: str  # in logs and in the JSON error: "invalid application"
    parse: Callable[[dict[str, Any], date], tuple[Any, dict[str, str]]]
    form: Callable[[dict[str, Any], dict[str, str]], str]
    store: Callable[[dict[str, Any]], dict[str, str]]
    id_key: str
    receipt: Callable[[str, str], str]
    danish_noun: str  # "Ansøgningen", in the answer to a bot that filled the honeypot
    # fields a form sends more than once beyond backup.web.http.LIST_FIELDS


APPLICATION = PublicForm(
    noun="application",
    parse=parse_application,
    form=application_form,
    store=lambda details: register(application=details),
    id_key="application_id",
    receipt=receipt_page,
    danish_noun="Ansøgningen",
)
REFERRAL = PublicForm(
    noun="referral",
    parse=parse_referral,
    form=referral_form,
    store=lambda details: refer(referral=details),
    id_key="youth_id",
    receipt=referral_receipt_page,
    danish_noun="Henvisningen",
)


@app.get("/apply")
def form() -> Response[str]:
    return html(200, application_form())


@app.post("/apply")
@tracer.capture_method
def submit() -> Response[str]:
    return _submit(APPLICATION)


@app.get("/refer")
def refer_form() -> Response[str]:
    return html(200, referral_form())


@app.post("/refer")
@tracer.capture_method
def submit_referral() -> Response[str]:
    return _submit(REFERRAL)


def _submit(form: PublicForm) -> Response[str]:
    """Read, check and store one submission; answer in JSON or HTML as the client asked."""
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    json_reply = wants_json(headers)
    try:
        data = read_body(event.raw_event)
    except BadRequest as bad:
        return problem(bad.status_code, "Forespørgslen kunne ikke læses", bad.message, json_reply)
    if str(data.pop(HONEYPOT, "") or "").strip():
        logger.info(f"{form.noun} turned away: honeypot field filled")
        metrics.add_metric(name="SpamTurnedAway", unit=MetricUnit.Count, value=1)
        return problem(
            400,
            f"{form.danish_noun} blev ikke modtaget",
            f"{form.danish_noun} så ud til at komme fra et program og blev ikke gemt. "
            "Er du et menneske, så ring eller skriv til Røde Kors.",
            json_reply,
        )
    record, errors = form.parse(data, clock.now().date())
    if record is None:
        logger.info(f"{form.noun} invalid", extra={"fields": sorted(errors)})
        if json_reply:
            return as_json(422, {"error": f"invalid {form.noun}", "fields": errors})
        return html(422, form.form(data, errors))
    stored = form.store(record.model_dump(mode="json"))
    if json_reply:
        return as_json(201, stored)
    return html(201, form.receipt(stored[form.id_key], record.first_name))


@app.get("/privatliv")
def privacy() -> Response[str]:
    retention = Retention(config.retention_days, config.unsuccessful_retention_days, config.inactivity_days)
    return html(200, privacy_page(retention, config.ops_email))


@app.get("/health")
def health() -> Response[str]:
    return as_json(200, {"status": "ok"})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    idempotency.register_lambda_context(context)
    return app.resolve(event, context)
