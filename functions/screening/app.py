"""Screening: the consultants' decision pages and the applicant's withdrawal page.

GET only shows; POST decides. A link is used once; every dead link gets its own Danish page.
"""

from __future__ import annotations

import secrets
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup import clock, telemetry
from backup.config import EnvConfig
from backup.decision_pages import (
    check_step_fields,
    dead_link_page,
    decided_page,
    decision_page,
    ops_decided_page,
    ops_page,
    recorded_values,
)
from backup.links import DeadLink, Link, LinkKind
from backup.match_pages import answered_page, check_match_decision, continue_page, intro_page, proposal_page
from backup.matchmaking import Matchmaking
from backup.pages import e, layout, message_page
from backup.repository import VOLUNTEER, YOUTH, Repository
from backup.screening import Screening
from backup.stages import Stage
from backup.web import BadRequest, html, problem, read_body
from backup.workflow_engine import WorkflowEngine


class Config(EnvConfig):
    table_name: str


config = Config.from_env()
logger = Logger()
tracer = Tracer()
app = APIGatewayHttpResolver()
repository = Repository(config.table_name)


MATCH_LINKS = {LinkKind.PROPOSAL, LinkKind.INTRO, LinkKind.CONTINUE}
matchmaking = Matchmaking(repository, mailer=None, engine=WorkflowEngine(), match_engine=None, settings=None,
                          now=clock.now)
screening = Screening(repository, mailer=None, engine=WorkflowEngine(), settings=None, now=clock.now,
                      count_metric=telemetry.count, measure_wait=telemetry.stage_wait)

CSRF_COOKIE = "backup_csrf"


# --- cross-site request forgery: a double-submit token in a SameSite=Strict cookie and the form,
# plus an Origin check. A link id alone must not be enough for another site to post a decision.

def _csrf_cookie(token: str, path: str) -> Cookie:
    # Secure everywhere but on the local stack, which serves plain http on 127.0.0.1
    return Cookie(CSRF_COOKIE, token, path=path, secure=not _is_local(), http_only=True, max_age=86400,
                  same_site=SameSite.STRICT_MODE)


def _is_local() -> bool:
    host = (app.current_event.headers or {}).get("host", "")
    return host.startswith(("127.0.0.1", "localhost"))


def _csrf_ok(form: dict[str, Any]) -> bool:
    headers = {k.lower(): v for k, v in (app.current_event.headers or {}).items()}
    origin = headers.get("origin")
    # "null" comes from privacy settings and sandboxed frames; the token in the SameSite=Strict
    # cookie, which no other site can send, still has to match
    if origin and origin != "null" and origin.split("://", 1)[-1] != headers.get("host"):
        return False
    cookies = app.current_event.cookies or []
    sent = next((c.split("=", 1)[1] for c in cookies if c.startswith(CSRF_COOKIE + "=")), "")
    given = str(form.get("csrf_token", ""))
    return bool(sent) and bool(given) and secrets.compare_digest(sent, given)


def _page_with_token(status: int, render: Any, path: str) -> Response:
    token = secrets.token_urlsafe(24)
    response = html(status, render(token))
    response.cookies = [_csrf_cookie(token, path)]
    return response


def _forgery_page() -> Response:
    return html(403, message_page(
        "Siden skal hentes igen",
        "Vi kunne ikke bekræfte, at formularen kom fra vores egen side (måske er den for gammel, "
        "eller cookies er slået fra). Åbn linket fra e-mailen igen, og prøv en gang til."))


@app.get("/decisions/<link_id>")
def show_decision(link_id: str) -> Response:
    try:
        link, volunteer = screening.decision_link(link_id)
    except DeadLink as dead:
        return html(dead.status_code, dead_link_page(dead))
    logger.set_correlation_id(link.application_id)
    if link.kind in MATCH_LINKS:
        return _page_with_token(200, lambda token: _match_page(link, volunteer, token), f"/decisions/{link_id}")
    render = ops_page if link.kind is LinkKind.OPS else decision_page
    return _page_with_token(200, lambda token: render(link, volunteer, token), f"/decisions/{link_id}")


def _match_page(link: Link, match: dict[str, Any], token: str, values: dict[str, Any] | None = None,
                errors: dict[str, str] | None = None) -> str:
    details = match["details"]
    youth = repository.get_person(details["youth_id"], YOUTH)
    volunteer = repository.get_person(details["volunteer_id"], VOLUNTEER)
    if link.kind is LinkKind.PROPOSAL:
        choices = [details["chosen"], *details.get("alternatives", [])]
        volunteers = {c["volunteer_id"]: repository.get_person(c["volunteer_id"], VOLUNTEER) for c in choices}
        return proposal_page(link, match, youth, volunteers, token, clock.now().date(), values, errors)
    if link.kind is LinkKind.INTRO:
        return intro_page(link, youth["details"]["first_name"], volunteer["details"]["first_name"], token,
                          values, errors)
    person = youth if link.party == "youth" else volunteer
    return continue_page(link, person["details"]["first_name"], token)


def _match_decision(link: Link, match: dict[str, Any], form: dict[str, Any]) -> Response:
    decision, details, errors = check_match_decision(link, match, form, clock.now().date())
    if errors:
        return _page_with_token(422, lambda token: _match_page(link, match, token, form, errors),
                                f"/decisions/{link.link_id}")
    found = repository.get_link(link.link_id)
    try:
        matchmaking.decide(link, found[1] if found else None, decision, str(form.get("notes", "")).strip()[:2000],
                           details)
    except DeadLink as dead:
        return html(dead.status_code, dead_link_page(dead))
    logger.info("match link answered", extra={"link_kind": link.kind.value})
    return html(200, answered_page(link, decision))


@app.post("/decisions/<link_id>")
@tracer.capture_method
def decide(link_id: str) -> Response:
    try:
        form = read_body(app.current_event.raw_event)
    except BadRequest as bad:
        return problem(bad.status_code, "Forespørgslen kunne ikke læses", bad.message, False)
    try:
        link, volunteer = screening.decision_link(link_id)
    except DeadLink as dead:
        return html(dead.status_code, dead_link_page(dead))
    logger.set_correlation_id(link.application_id)
    if not _csrf_ok(form):
        logger.warning("decision refused: cross-site check failed")
        return _forgery_page()
    decision = str(form.get("decision", ""))
    if link.kind in MATCH_LINKS:
        return _match_decision(link, volunteer, form)
    if link.kind is LinkKind.OPS:
        return _ops_choice(link_id, decision, str(form.get("notes", "")).strip()[:2000])
    stage = link.stage or Stage(volunteer["stage"])
    errors = check_step_fields(stage, decision, form, clock.now().date())
    if errors:
        return _page_with_token(422, lambda token: decision_page(link, volunteer, token, form, errors),
                                f"/decisions/{link_id}")
    recorded = recorded_values(stage, form)
    if decision == "reject":
        recorded["reason"] = str(form.get("reason", "")).strip()[:2000]
    try:
        decided = screening.decide(link_id, decision, str(form.get("notes", "")).strip()[:2000], recorded)
    except DeadLink as dead:
        return html(dead.status_code, dead_link_page(dead))
    logger.info("step decided", extra={"stage": stage.value, "decision": decision})
    return html(200, decided_page(decided, decision))


def _ops_choice(link_id: str, decision: str, notes: str) -> Response:
    if decision not in {"retry", "end"}:
        return html(422, message_page("Vælg en handling",
                                      "Vælg enten at prøve trinnet igen eller at afslutte forløbet."))
    try:
        decided = screening.decide(link_id, decision, notes)
    except DeadLink as dead:
        return html(dead.status_code, dead_link_page(dead))
    logger.info("ops chose", extra={"choice": decision})
    return html(200, ops_decided_page(decided, decision))


@app.get("/withdraw/<link_id>")
def show_withdraw(link_id: str) -> Response:
    try:
        link, volunteer = screening.withdraw_link(link_id)
    except DeadLink as dead:
        return html(dead.status_code, dead_link_page(dead))

    def render(token: str) -> str:
        return layout("Træk ansøgning tilbage", f"""
<h1>Vil du trække din ansøgning tilbage?</h1>
<p>Hej {e(volunteer['details'].get('first_name', ''))}. Hvis du trækker din ansøgning tilbage, stopper vi forløbet,
og du hører ikke mere fra os om den. Du er altid velkommen til at søge igen senere.</p>
<form method="post"><input type="hidden" name="csrf_token" value="{e(token)}">
<button type="submit">Ja, træk min ansøgning tilbage</button></form>""")

    return _page_with_token(200, render, f"/withdraw/{link_id}")


@app.post("/withdraw/<link_id>")
def withdraw(link_id: str) -> Response:
    try:
        form = read_body(app.current_event.raw_event)
    except BadRequest as bad:
        return problem(bad.status_code, "Forespørgslen kunne ikke læses", bad.message, False)
    try:
        link, _ = screening.withdraw_link(link_id)
        if not _csrf_ok(form):
            return _forgery_page()
        logger.set_correlation_id(link.application_id)
        screening.withdraw(link_id)
    except DeadLink as dead:
        return html(dead.status_code, dead_link_page(dead))
    logger.info("applicant withdrew")
    return html(200, message_page("Din ansøgning er trukket tilbage",
                                  "Vi har stoppet forløbet og sender dig en bekræftelse på e-mail. "
                                  "Tak for din interesse."))


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
