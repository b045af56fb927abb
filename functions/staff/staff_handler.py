"""Staff views: the recruitment needs, per region, of the young people who wait with no possible
volunteer within reach (a page for staff in Danish and the same figures as JSON; aggregates only:
no names, birth dates or postcodes, on the page or in the logs), and a consultant's open steps
(/konsulent: first names and links, for the signed-in consultant only).

The staff routes sit behind the HTTP API's JWT authorizer (the Cognito user pool); this function
also serves the public sign-in page (/staff) and signs staff in (POST /staff/sign-in)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from backup.adapters.cognito import NewPasswordNeeded, SignInRefused, StaffSignIn
from backup.adapters.dynamodb import DynamoRepository
from backup.adapters.environment import ContactConfig
from backup.adapters.telemetry import faults_counted
from backup.domain import clock
from backup.domain.kinds import RecordKind
from backup.domain.records import YoungPerson
from backup.domain.recruitment import RecruitmentNeeds, recruitment_needs
from backup.domain.stages import Stage
from backup.usecases.overview import ConsultantOverview
from backup.web.consultant_overview import overview_page
from backup.web.html import message_page, name_in_footer
from backup.web.http import BadRequest, as_json, html, read_body, wants_json
from backup.web.recruitment_page import recruitment_page
from backup.web.staff_pages import SIGN_IN_POLICY, needs_javascript_page, sign_in_page


class Config(ContactConfig):
    table_name: str
    staff_client_id: str  # the user pool's app client the sign-in uses


class SignInRequest(BaseModel):
    """What the sign-in page posts; anything else is refused with a sentence."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    username: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=256)
    new_password: str | None = Field(default=None, min_length=12, max_length=256)
    session: str | None = Field(default=None, max_length=4096)


config = Config.from_env()
name_in_footer(config.programme_contact())  # whom every page names as the person to reach
logger = Logger()
tracer = Tracer()
app = APIGatewayHttpResolver()
repository = DynamoRepository(config.table_name)
staff = StaffSignIn(config.staff_client_id)
overview = ConsultantOverview(repository, clock.now)
UNREADABLE = "Skriv din e-mail og adgangskode (en ny adgangskode skal have mindst 12 tegn)."
NO_EMAIL = "Din bruger har ingen e-mailadresse, så vi kan ikke finde dine trin. Bed driften om at rette brugeren."
REFUSED = "Forkert e-mail eller adgangskode, eller adgangen er spærret. Prøv igen, eller kontakt driften."


@tracer.capture_method
def current_needs() -> RecruitmentNeeds:
    """Everyone waiting for a match (young people only) and their profiles, aggregated."""
    ids = [w.id for w in repository.waiting_in_stage(Stage.WAITING_FOR_MATCH) if w.kind is RecordKind.YOUTH]
    people = [p for p in repository.get_people(RecordKind.YOUTH, ids) if isinstance(p, YoungPerson)]
    return recruitment_needs(people, clock.now())


@app.get("/recruitment")
def recruitment() -> Response[str]:
    event = app.current_event
    headers = {k.lower(): v for k, v in (event.headers or {}).items()}
    asked = ((event.query_string_parameters or {}).get("format") or "").strip().lower()
    json_reply = asked == "json" or (asked != "html" and wants_json(headers))
    needs = current_needs()
    logger.info(
        "recruitment needs shown",
        extra={
            "waiting": needs.total.waiting,
            "without_candidates": needs.total.without_candidates,
            "regions": len(needs.regions),
            "format": "json" if json_reply else "html",
        },
    )
    if json_reply:
        return as_json(200, needs.as_dict())
    return html(200, recruitment_page(needs))


def signed_in_as() -> str:
    """The staff member's address, from the ID token the HTTP API's authorizer has checked (the
    route has the authorizer, so an event without claims never reaches here in AWS)."""
    context = app.current_event.raw_event.get("requestContext") or {}
    claims = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims") or {}
    return str(claims.get("email") or "")


@app.get("/konsulent")
def consultant_overview() -> Response[str]:
    consultant = signed_in_as()
    if not consultant:
        return html(403, message_page("Siden kræver en e-mailadresse", NO_EMAIL))
    steps = overview.open_steps(consultant)
    logger.info("consultant overview shown", extra={"open_steps": len(steps)})
    return html(200, overview_page(consultant, steps, clock.now()))


@app.get("/staff")
def sign_in_form() -> Response[str]:
    return html(200, sign_in_page(), {"Content-Security-Policy": SIGN_IN_POLICY})


@app.post("/staff/sign-in")
def sign_in() -> Response[str]:
    """Tokens for the staff pages, or the first sign-in's request for a new password. One answer for
    every refusal (no hint which of user name and password was wrong)."""
    headers = {k.lower(): v for k, v in (app.current_event.headers or {}).items()}
    if not wants_json(headers):  # the form posted by the browser itself: its script did not run
        return html(400, needs_javascript_page())
    try:
        request = SignInRequest.model_validate(read_body(app.current_event.raw_event))
    except BadRequest as bad:
        return as_json(bad.status_code, {"message": bad.message})
    except ValidationError:
        return as_json(
            400, {"message": "Skriv din e-mail og adgangskode (en ny adgangskode skal have mindst 12 tegn)."}
        )
    try:
        if request.new_password and request.session:
            answer = staff.set_new_password(request.username, request.new_password, request.session)
        else:
            answer = staff.sign_in(request.username, request.password)
    except SignInRefused as refused:
        logger.info("staff sign-in refused", extra={"reason": str(refused)})
        return as_json(401, {"message": REFUSED})
    if isinstance(answer, NewPasswordNeeded):
        return as_json(200, {"session": answer.session})
    logger.info("staff signed in")
    return as_json(200, {"id_token": answer.id_token, "expires_in": answer.expires_in})


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@faults_counted
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
