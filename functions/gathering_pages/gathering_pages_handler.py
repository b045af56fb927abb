"""The invited person's page for a network day or a supervision session
(/tilmelding/<gathering>/<link>): GET shows it and their answer, only POST answers (a mail scanner
that fetches the link changes nothing). Thin: parse, call the use case, answer. Logs carry the
gathering's id and the answer, never a person's details."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup.adapters.gathering_wiring import GatheringConfig, GatheringWiring
from backup.adapters.telemetry import faults_counted
from backup.domain import clock
from backup.domain.errors import Conflict, NotFound
from backup.domain.gatherings import Gathering, Invitation, SignUpClosed, check_answerable
from backup.usecases.gatherings import page_path
from backup.web import csrf
from backup.web.gathering_pages import answered_page, asked_answer, closed_page, signup_page, unknown_page
from backup.web.html import message_page
from backup.web.http import BadRequest, html, read_body

logger = Logger()
tracer = Tracer()
app = APIGatewayHttpResolver()
wiring = GatheringWiring(GatheringConfig.from_env())
MAX_ID = 128


def _site() -> str:
    """The API's own address, for links in the letters an answer sends (a seat from the list)."""
    domain = (app.current_event.raw_event.get("requestContext") or {}).get("domainName") or ""
    return f"https://{domain}" if domain else ""


def _invited(gathering_id: str, link_id: str) -> tuple[Gathering, Invitation, str] | Response[str]:
    """The gathering, the invitation and the person's first name; or the page for a dead link."""
    store = wiring.store
    if len(gathering_id) > MAX_ID or len(link_id) > MAX_ID:
        return html(404, unknown_page())
    invitation = store.get_invitation(gathering_id, link_id)
    if invitation is None:
        return html(404, unknown_page())
    gathering = store.get_gathering(gathering_id)
    try:
        first_name = store.get_person(invitation.person_kind, invitation.person_id).first_name
    except NotFound:
        return html(410, message_page("Invitationen gælder ikke længere", "Du skal ikke gøre mere."))
    return gathering, invitation, first_name


@app.get("/tilmelding/<gathering_id>/<link_id>")
def show(gathering_id: str, link_id: str) -> Response[str]:
    found = _invited(gathering_id, link_id)
    if isinstance(found, Response):
        return found
    gathering, invitation, first_name = found
    logger.set_correlation_id(gathering.id)
    try:
        check_answerable(gathering, clock.now())
    except SignUpClosed as closed:
        return html(closed.status_code, closed_page(closed.title, closed.message))
    asked = (app.current_event.query_string_parameters or {}).get("svar")
    return csrf.page_with_token(
        app,
        200,
        lambda token: signup_page(gathering, first_name, invitation.answer, token, asked),
        page_path(gathering_id, link_id),
    )


@app.post("/tilmelding/<gathering_id>/<link_id>")
def answer(gathering_id: str, link_id: str) -> Response[str]:
    try:
        form = read_body(app.current_event.raw_event)
    except BadRequest as bad:
        return html(bad.status_code, message_page("Vi kunne ikke læse svaret", bad.message))
    found = _invited(gathering_id, link_id)
    if isinstance(found, Response):
        return found
    try:  # over or past its deadline: say so, whatever the form holds (nothing would be written)
        check_answerable(found[0], clock.now())
    except SignUpClosed as closed:
        return html(closed.status_code, closed_page(closed.title, closed.message))
    if not csrf.form_is_ours(app, form):
        return csrf.forgery_page()
    yes = asked_answer(form.get("svar"))
    if yes is None:
        return html(400, message_page("Vælg ja eller nej", "Tryk på en af knapperne for at svare."))
    logger.set_correlation_id(gathering_id)
    try:
        answered = wiring.gatherings(_site()).answer(gathering_id, link_id, yes)
    except SignUpClosed as closed:
        return html(closed.status_code, closed_page(closed.title, closed.message))
    except Conflict:
        return html(409, message_page("Mange svarer lige nu", "Prøv igen om et øjeblik; dit svar er ikke gemt."))
    logger.info("gathering answered", extra={"answer": answered.answer.value})
    return html(200, answered_page(answered.gathering, answered.answer, page_path(gathering_id, link_id)))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@faults_counted
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if isinstance(event, dict) and "requestContext" in event:  # a web request (API Gateway, payload 2.0)
        return app.resolve(event, context)
    raise ValueError("the gathering pages' function answers web requests only")
