"""The invited person's page for a network day or a supervision session
(/tilmelding/<gathering>/<link>): GET shows it and their answer, only POST answers (a mail scanner
that fetches the link changes nothing). And staff's pages (/arrangementer, behind the API's JWT
authorizer): the list with its measures, a new one, changes, cancellation and attendance. Thin:
parse, call the use case, answer. Logs carry the gathering's id and counts, never a person's details."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from backup.adapters.gathering_wiring import GatheringConfig, GatheringWiring
from backup.adapters.telemetry import faults_counted
from backup.domain import clock
from backup.domain.errors import Conflict, NotFound
from backup.domain.gatherings import Gathering, GatheringDetails, Invitation, SignUpClosed, check_answerable
from backup.domain.kinds import RecordKind
from backup.usecases.gathering_commands import field_messages
from backup.usecases.gatherings import InThePast, NotOpen, page_path
from backup.web import csrf
from backup.web.gathering_pages import answered_page, asked_answer, closed_page, signup_page, unknown_page
from backup.web.gathering_staff_pages import confirm_cancel_page, details_from_form, gathering_page, list_page
from backup.web.html import message_page, name_in_footer
from backup.web.http import BadRequest, html, read_body

logger = Logger()
tracer = Tracer()
app = APIGatewayHttpResolver()
wiring = GatheringWiring(GatheringConfig.from_env())
name_in_footer(wiring.config.programme_contact())  # whom every page names as the person to reach
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


# --- staff: /arrangementer (the route has the JWT authorizer) ---------------------------------------

ROLE = {RecordKind.VOLUNTEER: "frivillig", RecordKind.YOUTH: "ung"}


def _staff() -> str:
    """The signed-in staff member's address, from the ID token the authorizer checked."""
    context = app.current_event.raw_event.get("requestContext") or {}
    claims = ((context.get("authorizer") or {}).get("jwt") or {}).get("claims") or {}
    return str(claims.get("email") or "staff")


def _staff_form() -> dict[str, Any] | Response[str]:
    try:
        return read_body(app.current_event.raw_event)
    except BadRequest as bad:
        return html(bad.status_code, message_page("Vi kunne ikke læse formularen", bad.message))


def _details(form: dict[str, Any]) -> GatheringDetails | dict[str, str]:
    """The form as details, or one message per field."""
    try:
        return GatheringDetails.model_validate(details_from_form(form))
    except ValidationError as invalid:
        return {key.split(".")[0]: message for key, message in field_messages(invalid).items()}


def _gathering_page(gathering_id: str, status: int = 200, **extra: Any) -> Response[str]:
    gatherings = wiring.gatherings(_site())
    gathering, tally, invitations = gatherings.show(gathering_id)
    names: dict[tuple[RecordKind, str], str] = {}
    for kind in ROLE:
        ids = [i.person_id for i in invitations if i.person_kind is kind]
        names.update({(kind, p.id): p.first_name for p in wiring.store.get_people(kind, ids)})
    invited = [
        (
            i.person_id,
            f"{names.get((i.person_kind, i.person_id), 'slettet')} ({ROLE[i.person_kind]})",
            i.answer,
            i.attended,
        )
        for i in invitations
    ]
    return html(status, gathering_page(gathering, tally, invited, clock.now(), **extra))


@app.get("/arrangementer")
def staff_list() -> Response[str]:
    rows = wiring.gatherings(_site()).listing()
    logger.info("gatherings listed", extra={"gatherings": len(rows)})
    return html(200, list_page(rows, {}, {}))


@app.post("/arrangementer")
def staff_create() -> Response[str]:
    form = _staff_form()
    if isinstance(form, Response):
        return form
    gatherings = wiring.gatherings(_site())
    details = _details(form)
    if isinstance(details, dict):
        return html(422, list_page(gatherings.listing(), form, details))
    try:
        created = gatherings.create(details, _staff())
    except InThePast as past:
        return html(422, list_page(gatherings.listing(), form, {"starts_at": str(past)}))
    logger.set_correlation_id(created.id)
    logger.info("gathering created", extra={"capacity": details.capacity})
    return _gathering_page(created.id, 201, notice="Arrangementet er oprettet, og invitationerne bliver sendt nu.")


@app.get("/arrangementer/<gathering_id>")
def staff_show(gathering_id: str) -> Response[str]:
    try:
        return _gathering_page(gathering_id[:MAX_ID])
    except NotFound:
        return html(404, message_page("Arrangementet findes ikke", "Gå tilbage til listen over arrangementer."))


@app.post("/arrangementer/<gathering_id>")
def staff_change(gathering_id: str) -> Response[str]:
    form = _staff_form()
    if isinstance(form, Response):
        return form
    gatherings = wiring.gatherings(_site())
    gathering_id = gathering_id[:MAX_ID]
    logger.set_correlation_id(gathering_id)
    try:
        action = form.get("do")
        if action == "cancel":
            reason = str(form.get("reason") or "")[:500]
            if form.get("confirm") != "yes":  # asked once more: everyone signed up gets a letter
                gathering, tally, _ = gatherings.show(gathering_id)
                return html(200, confirm_cancel_page(gathering, reason, tally.signed_up + tally.waiting))
            told = gatherings.cancel(gathering_id, reason, _staff())
            return _gathering_page(gathering_id, notice=f"Arrangementet er aflyst; {told} har fået besked.")
        if action == "attendance":
            chosen = form.get("came") or []
            came = {str(p) for p in (chosen if isinstance(chosen, list) else [chosen])}
            links = {i.person_id: i.link_id for i in gatherings.store.invitations(gathering_id)}
            signed = {i.person_id for i in gatherings.store.invitations(gathering_id) if i.answer.value == "YES"}
            marks = {links[p]: p in came for p in signed}
            gatherings.record_attendance(gathering_id, marks, _staff())
            return _gathering_page(gathering_id, notice=f"Fremmøde gemt: {len(came & signed)} mødte op.")
        if action == "save":
            details = _details(form)
            if isinstance(details, dict):
                return _gathering_page(gathering_id, 422, values=form, errors=details)
            gatherings.edit(gathering_id, details)
            return _gathering_page(gathering_id, notice="Ændringerne er gemt.")
    except NotFound:
        return html(404, message_page("Arrangementet findes ikke", "Gå tilbage til listen over arrangementer."))
    except (NotOpen, ValueError) as refused:
        return _gathering_page(gathering_id, 409, notice=str(refused))
    return html(400, message_page("Vælg en handling", "Brug knapperne på siden."))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@faults_counted
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if isinstance(event, dict) and "requestContext" in event:  # a web request (API Gateway, payload 2.0)
        return app.resolve(event, context)
    raise ValueError("the gathering pages' function answers web requests only")
