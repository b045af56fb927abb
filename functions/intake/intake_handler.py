"""Intake: the volunteer application form and the referral of a young person. Each stores a valid
submission once and starts that person's workflow.

Whatever arrives, the answer is a page or JSON with a Danish sentence: a 4xx for a request that
cannot be read (backup.web.http.read_body), a 422 with a message per field for a form with
mistakes, a 429 once an address has used its daily limit, and a 409 while the same submission is
being stored by an earlier request."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup.adapters import aws
from backup.adapters.environment import ContactConfig
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
from backup.domain.submission_limits import DAILY_LIMITS
from backup.usecases.intake import Intake
from backup.web.application_form import HONEYPOT, application_form, check_application_page, receipt_page
from backup.web.check_answers import CHANGE, SEND, STEP
from backup.web.date_fields import date_parts_errors, join_date_parts
from backup.web.html import name_in_footer
from backup.web.http import BadRequest, as_json, html, problem, read_body, wants_json
from backup.web.privacy_page import Retention, privacy_page
from backup.web.referral_form import check_referral_page, referral_form, referral_receipt_page


class Config(ContactConfig):
    table_name: str
    state_machine_arn: str
    youth_state_machine_arn: str
    ops_email: str  # where questions about personal data go (the privacy notice says so)
    retention_days: int = DEFAULT_RETENTION_DAYS
    unsuccessful_retention_days: int = DEFAULT_UNSUCCESSFUL_RETENTION_DAYS
    inactivity_days: int = DEFAULT_INACTIVITY_DAYS


config = Config.from_env()
name_in_footer(config.programme_contact())  # whom every page names as the person to reach
logger = Logger()
tracer = Tracer()
metrics = Metrics()
app = APIGatewayHttpResolver()


@functools.cache
def _intake() -> Intake:
    """The use case and its adapters, made at the first submission: a page view or a cold start
    pays for none of them (nor for boto3)."""
    from backup.adapters.dynamodb import DynamoRepository
    from backup.adapters.stepfunctions import StepFunctionsExecutions
    from backup.adapters.telemetry import PowertoolsMetrics

    return Intake(
        DynamoRepository(config.table_name),
        {
            RecordKind.VOLUNTEER: StepFunctionsExecutions(config.state_machine_arn, RecordKind.VOLUNTEER),
            RecordKind.YOUTH: StepFunctionsExecutions(config.youth_state_machine_arn, RecordKind.YOUTH),
        },
        clock.now,
        PowertoolsMetrics(),
    )


_lambda_context: list[LambdaContext] = []  # this invocation's context, for the guard's time left


@dataclass(frozen=True)
class Guard:
    """The double-submission guard (Powertools idempotency), made at the first submission."""

    register: Callable[..., dict[str, str]]
    refer: Callable[..., dict[str, str]]
    in_progress: type[Exception]
    config: Any


@functools.cache
def _guard() -> Guard:
    from aws_lambda_powertools.utilities.idempotency import (
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )
    from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError

    # A double click, a resubmitted form or a client's retry carries the same submission: it maps
    # to the same id for a day instead of creating a second volunteer or young person.
    idempotency = IdempotencyConfig(expires_after_seconds=24 * 3600)
    if _lambda_context:
        idempotency.register_lambda_context(_lambda_context[-1])
    # expiry in the table's TTL attribute, so DynamoDB removes spent idempotency records by itself.
    # Our client (its retries and timeouts), from the session the repository uses: the service's
    # model is loaded once per cold start, not once more for a session of Powertools' own.
    persistence = DynamoDBPersistenceLayer(
        table_name=config.table_name,
        key_attr="pk",
        sort_key_attr="sk",
        expiry_attr="expires_at",
        boto3_client=aws.client("dynamodb"),
    )

    def once(argument: str, store: Callable[..., dict[str, str]]) -> Callable[..., dict[str, str]]:
        """The same submission within a day gives the same answer, and is stored once."""
        decorator: Callable[[Callable[..., dict[str, str]]], Callable[..., dict[str, str]]] = idempotent_function(
            data_keyword_argument=argument, config=idempotency, persistence_store=persistence, output_serializer=None
        )
        return decorator(store)

    return Guard(once("application", register), once("referral", refer), IdempotencyAlreadyInProgressError, idempotency)


# A double click sends the same submission twice while the first is still being stored. The second
# waits this long for the first to finish, then answers with the same receipt; if the first takes
# longer, it answers 409 with a sentence (nothing is stored twice either way).
IN_PROGRESS_WAIT_SECONDS = 2.0
IN_PROGRESS_POLL_SECONDS = 0.2


def register(application: dict[str, Any]) -> dict[str, str]:
    """Store the application and start its workflow; the same application gives the same id."""
    volunteer_id = _intake().apply(VolunteerDetails.model_validate(application))
    logger.set_correlation_id(volunteer_id)
    logger.info("person stored and workflow started", extra={"person_kind": "VOLUNTEER"})
    return {"application_id": volunteer_id}


def refer(referral: dict[str, Any]) -> dict[str, str]:
    """Store the referral and start the young person's workflow; the same referral gives the same id."""
    youth_id = _intake().refer(YouthDetails.model_validate(referral))
    logger.set_correlation_id(youth_id)
    logger.info("person stored and workflow started", extra={"person_kind": "YOUTH"})
    return {"youth_id": youth_id}


@dataclass(frozen=True)
class PublicForm:
    """One public form: how a submission is checked, stored and answered."""

    noun: str  # in logs and in the JSON error: "invalid application"
    parse: Callable[[dict[str, Any], date], tuple[Any, dict[str, str]]]
    form: Callable[[dict[str, Any], dict[str, str]], str]
    check: Callable[[Any, dict[str, Any]], str]  # "check your answers" before it is sent
    store: Callable[[dict[str, Any]], dict[str, str]]
    id_key: str
    receipt: Callable[[str, str], str]
    danish_noun: str  # "Ansøgningen", in the answer to a bot that filled the honeypot
    kind: RecordKind
    recipient: Callable[[Any], str]  # the address the first email goes to: the daily limit counts it
    busy: str  # the answer while the same submission is being stored
    over_limit: Callable[[int, str], str]  # the answer once the address has used its daily limit


def _busy(noun: str) -> str:
    """The answer to a copy of a submission that is still being stored (a double click)."""
    return (
        f"Vi er ved at gemme den samme {noun}, som du sendte et øjeblik før, så du behøver ikke sende den igen. "
        "Når den er gemt, får du en bekræftelse på e-mail. Får du ingen e-mail inden for en time, så send den "
        "gerne igen; vi gemmer den kun én gang."
    )


APPLICATION = PublicForm(
    noun="application",
    parse=parse_application,
    form=application_form,
    check=check_application_page,
    store=lambda details: _guard().register(application=details),
    id_key="application_id",
    receipt=receipt_page,
    danish_noun="Ansøgningen",
    kind=RecordKind.VOLUNTEER,
    recipient=lambda application: str(application.email),
    busy=_busy("ansøgning"),
    over_limit=lambda limit, contact: (
        f"Vi har allerede modtaget {limit} ansøgninger med denne e-mailadresse i dag, så vi har ikke gemt "
        "denne. Du behøver ikke gøre mere: hver ansøgning, vi har modtaget, får en bekræftelse på e-mail. "
        f"Er der noget galt, fx fordi du ikke selv har sendt dem, så skriv til Røde Kors på {contact}."
    ),
)
REFERRAL = PublicForm(
    noun="referral",
    parse=parse_referral,
    form=referral_form,
    check=check_referral_page,
    store=lambda details: _guard().refer(referral=details),
    id_key="youth_id",
    receipt=referral_receipt_page,
    danish_noun="Henvisningen",
    kind=RecordKind.YOUTH,
    recipient=lambda referral: str(referral.contact_adult_email),
    busy=_busy("henvisning"),
    over_limit=lambda limit, contact: (
        f"Vi har allerede modtaget {limit} henvisninger med denne e-mailadresse som kontaktperson i dag, så vi "
        "har ikke gemt denne. Du behøver ikke gøre mere ved dem, vi har modtaget: hver får en bekræftelse på "
        f"e-mail. Skal du henvise flere unge i dag, eller er der noget galt, så skriv til Røde Kors på {contact}."
    ),
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
        logger.info(f"{form.noun} unreadable", extra={"status": bad.status_code})
        return problem(bad.status_code, "Forespørgslen kunne ikke læses", bad.message, json_reply, bad.fields)
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
    step = data.pop(STEP, None)  # from the check page: send it, or change it
    in_boxes = join_date_parts(data, "birth_date")  # the form's day, month and year boxes
    if step == CHANGE and not json_reply:  # back to the form as it was left, nothing stored
        return html(200, form.form(data, {}))
    record, errors = form.parse(data, clock.now().date())
    if in_boxes:
        errors = date_parts_errors(errors, "birth_date")
    if record is None:
        logger.info(f"{form.noun} invalid", extra={"fields": sorted(errors)})
        if json_reply:
            return as_json(422, {"error": f"invalid {form.noun}", "fields": errors})
        return html(422, form.form(data, errors))
    if step != SEND and not json_reply:  # a person reads their answers once before sending them
        return html(200, form.check(record, data))
    details = record.model_dump(mode="json")
    # Counted before anything is stored: over the limit, nothing is stored, started or sent. The
    # same submission again is admitted without counting, and the double-submission guard gives it
    # its id (the guard stores its record only for a submission the limit let through).
    if not _intake().admit(form.kind, form.recipient(record), details):
        logger.info(f"{form.noun} over the daily limit for its address")
        return problem(
            429,
            f"{form.danish_noun} blev ikke gemt",
            form.over_limit(DAILY_LIMITS[form.kind], config.ops_email),
            json_reply,
            headers={"Retry-After": str(_seconds_to_tomorrow(clock.now()))},
        )
    try:
        stored = _store_once(form, details)
    except _guard().in_progress:
        logger.info(f"{form.noun} already being stored by an earlier request")
        return problem(409, f"{form.danish_noun} er ved at blive gemt", form.busy, json_reply)
    if json_reply:
        return as_json(201, stored)
    return html(201, form.receipt(stored[form.id_key], record.first_name))


def _store_once(form: PublicForm, details: dict[str, Any]) -> dict[str, str]:
    """Store the submission through the double-submission guard; while an earlier request stores the
    same one, wait a moment for its answer (IdempotencyAlreadyInProgressError if it takes longer)."""
    deadline = time.monotonic() + IN_PROGRESS_WAIT_SECONDS
    while True:
        try:
            return form.store(details)
        except _guard().in_progress:
            if time.monotonic() + IN_PROGRESS_POLL_SECONDS > deadline:
                raise
            time.sleep(IN_PROGRESS_POLL_SECONDS)


def _seconds_to_tomorrow(at: datetime) -> int:
    """Until the next Danish midnight, when the daily limit starts again."""
    local = at.astimezone(clock.DANISH_TIME)
    tomorrow = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=clock.DANISH_TIME)
    return max(1, int((tomorrow - local).total_seconds()))


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
    _lambda_context[:] = [context]
    if _guard.cache_info().currsize:
        _guard().config.register_lambda_context(context)
    return app.resolve(event, context)
