"""Screening: every emailed link's page (/decisions/{id}) and the applicant's withdrawal
(/withdraw/{id}). GET only shows; POST decides, once. Every dead link gets its own Danish page.

This is the only function allowed to send task results (states:SendTask*): it also sends the ones
other functions leave owed (an asynchronous invoke rings it) and, on a schedule, the ones that
failed for a moment."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup.adapters.dynamodb import DynamoRepository
from backup.adapters.environment import ContactConfig
from backup.adapters.stepfunctions import StepFunctionsTaskResults
from backup.adapters.telemetry import PowertoolsMetrics, faults_counted
from backup.domain import clock
from backup.domain.concerns import PARTIES, check_concern
from backup.domain.evidence import Rules
from backup.domain.links import DeadLink, Link, LinkKind
from backup.domain.match_choices import check_match_decision, no_unconfirmed
from backup.domain.records import Person, ProposalRecord, Record
from backup.domain.regions import Contact
from backup.domain.settings import DEFAULT_CERTIFICATE_VALIDITY_DAYS
from backup.domain.step_fields import check_step_fields, recorded_values, rejection_unconfirmed
from backup.domain.support import SUPPORT_LINKS, check_in_number, check_support_decision
from backup.usecases.concerns import ConcernReports
from backup.usecases.delivery import Deliverer
from backup.usecases.inactivity import CHOICES as ACTIVITY_CHOICES
from backup.usecases.inactivity import ActivityAnswers
from backup.usecases.link_decisions import MATCH_LINKS, LinkDecisions
from backup.usecases.proposals import ProposalWaits
from backup.usecases.withdrawal import Withdrawal
from backup.web import csrf
from backup.web.activity_pages import activity_answered_page, activity_page
from backup.web.decision_pages import (
    confirm_rejection_page,
    dead_link_page,
    decided_page,
    decision_page,
    ops_decided_page,
    ops_page,
    step_notes,
)
from backup.web.html import message_page, name_in_footer
from backup.web.http import BadRequest, html, problem, read_body
from backup.web.match_pages import answered_page, confirm_no_page, continue_page, intro_page, proposal_page
from backup.web.support_pages import (
    check_in_page,
    closure_page,
    concern_decision_page,
    concern_page,
    concern_refused_page,
    concern_sent_page,
    confirm_roles_page,
    pulse_page,
    roles_page,
    support_recorded_page,
)
from backup.web.withdraw_pages import withdraw_page, withdrawn_page


class Config(ContactConfig):
    table_name: str
    certificate_validity_days: int = DEFAULT_CERTIFICATE_VALIDITY_DAYS


config = Config.from_env()
logger = Logger()
tracer = Tracer()
app = APIGatewayHttpResolver()
rules = Rules(certificate_validity_days=config.certificate_validity_days)
repository = DynamoRepository(config.table_name)
contacts = config.contacts()
name_in_footer(contacts.default)
results = StepFunctionsTaskResults()
metrics = PowertoolsMetrics()
deliverer = Deliverer(repository, results, clock.now, metrics)
decisions = LinkDecisions(repository, deliverer, ProposalWaits(repository, deliverer), clock.now, metrics)
withdrawal = Withdrawal(repository, deliverer, clock.now)
activity = ActivityAnswers(repository, withdrawal, clock.now)
concerns = ConcernReports(repository, deliverer, clock.now)


def _form() -> dict[str, Any]:
    return read_body(app.current_event.raw_event)


def _unreadable(bad: BadRequest) -> Response[str]:
    return problem(bad.status_code, "Forespørgslen kunne ikke læses", bad.message, False)


def _dead(dead: DeadLink) -> Response[str]:
    return html(dead.status_code, dead_link_page(dead))


@app.get("/decisions/<link_id>")
def show_decision(link_id: str) -> Response[str]:
    try:
        link, record = decisions.open(link_id)
        if link.kind is LinkKind.ACTIVITY:
            link, record = activity.open(link_id)
    except DeadLink as dead:
        return _dead(dead)
    logger.set_correlation_id(link.record_id)
    return csrf.page_with_token(app, 200, lambda token: _page(link, record, token), f"/decisions/{link_id}")


def _page(
    link: Link, record: Record, token: str, values: dict[str, Any] | None = None, errors: dict[str, str] | None = None
) -> str:
    if (link.kind in SUPPORT_LINKS or link.kind is LinkKind.CONCERN) and isinstance(record, ProposalRecord):
        return _support_page(link, record, token, values, errors)
    if isinstance(record, ProposalRecord):
        return _match_page(link, record, token, values, errors)
    if link.kind is LinkKind.OPS:
        return ops_page(link, record, token)
    assert isinstance(record, Person)
    if link.kind is LinkKind.ACTIVITY:
        return activity_page(link, record, token, errors)
    notes = step_notes(repository.history(record.kind, record.id))
    today = clock.now().astimezone(clock.DANISH_TIME).date()  # ages as a Danish reader counts them
    return decision_page(link, record, token, today, values, errors, notes)


def _match_page(
    link: Link,
    match: ProposalRecord,
    token: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    if link.kind is LinkKind.OPS:
        return ops_page(link, match, token)
    youth = repository.get_young_person(match.youth_id)
    if link.kind is LinkKind.PROPOSAL:
        volunteers = {c.volunteer_id: repository.get_volunteer(c.volunteer_id) for c in match.candidates}
        return proposal_page(link, match, youth, volunteers, token, clock.now().date(), values, errors)
    volunteer = repository.get_volunteer(match.volunteer_id)
    if link.kind is LinkKind.INTRO:
        return intro_page(link, youth.first_name, volunteer.first_name, token, values, errors)
    answering = _answering(link, match)
    return continue_page(link, answering.first_name, token, _contact(answering))


def _contact(person: Person) -> Contact:
    """The consultant a person reading their own page can reach."""
    return contacts.for_person(person.postcode, person.consultant)


def _support_page(
    link: Link,
    match: ProposalRecord,
    token: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> str:
    """A match's support links: the roles agreement, a check-in, the contact adult's confirmation."""
    if link.kind is LinkKind.CONCERN:
        return concern_page(PARTIES.get(concerns.party(link, match), "en af parterne"), token, values, errors)
    youth = repository.get_young_person(match.youth_id)
    if link.kind is LinkKind.ROLES_CONFIRM:
        return confirm_roles_page(youth.first_name, match.roles, token)
    if link.kind is LinkKind.PULSE:
        return pulse_page(token, values, errors)
    volunteer = repository.get_volunteer(match.volunteer_id)
    if link.kind is LinkKind.ROLES:
        return roles_page(youth.first_name, volunteer.first_name, token, values, errors)
    if link.kind is LinkKind.CLOSURE:
        return closure_page(youth.first_name, volunteer.first_name, token, values, errors)
    if link.kind is LinkKind.CONCERN_DECISION:
        open_concerns = list(match.concerns.values())
        suspended, paused = volunteer.suspended is not None, match.support_paused
        return concern_decision_page(
            youth.first_name, volunteer.first_name, open_concerns, suspended, paused, token, values, errors
        )
    number = check_in_number(len(match.check_ins), match.check_ins_missed)
    return check_in_page(youth.first_name, volunteer.first_name, number, match.roles, token, values, errors)


def _answering(link: Link, match: ProposalRecord) -> Person:
    """Whose "continue?" link it is: the young person's or the volunteer's."""
    if link.party == "youth":
        return repository.get_young_person(match.youth_id)
    return repository.get_volunteer(match.volunteer_id)


@app.post("/decisions/<link_id>")
@tracer.capture_method
def decide(link_id: str) -> Response[str]:
    try:
        form = _form()
    except BadRequest as bad:
        return _unreadable(bad)
    try:
        link, record = decisions.open(link_id)
    except DeadLink as dead:
        return _dead(dead)
    logger.set_correlation_id(link.record_id)
    if not csrf.form_is_ours(app, form):
        logger.warning("decision refused: cross-site check failed")
        return csrf.forgery_page()
    decision = str(form.get("decision", ""))
    notes = str(form.get("notes", "")).strip()[:2000]
    if link.kind is LinkKind.ACTIVITY:
        return _answer_activity(link, record, decision, notes)
    if link.kind is LinkKind.OPS:
        if decision not in {"retry", "end"}:
            return html(
                422, message_page("Vælg en handling", "Vælg enten at prøve trinnet igen eller at afslutte forløbet.")
            )
        details: dict[str, str] = {}
    elif link.kind is LinkKind.CONCERN:
        return _raise_concern(link, record, form)
    elif link.kind in SUPPORT_LINKS:
        assert isinstance(record, ProposalRecord)
        number = check_in_number(len(record.check_ins), record.check_ins_missed)
        suspended = repository.get_volunteer(record.volunteer_id).suspended is not None
        decision, details, errors = check_support_decision(link.kind, form, clock.now().date(), number, suspended)
        if link.kind is LinkKind.PULSE:  # which round and whose answer, from the match, never the form
            details["round_key"] = next((k for k, v in record.pulse_links.items() if v == link.link_id), "")
        if errors:
            return csrf.page_with_token(
                app, 422, lambda token: _page(link, record, token, form, errors), f"/decisions/{link_id}"
            )
    elif link.kind in MATCH_LINKS:
        assert isinstance(record, ProposalRecord)
        if link.kind is LinkKind.CONTINUE and decision == "back":  # back from "are you sure?"
            return csrf.page_with_token(app, 200, lambda token: _page(link, record, token), f"/decisions/{link_id}")
        decision, details, errors = check_match_decision(link, record, form, clock.now().date())
        if not errors and no_unconfirmed(link, decision, form):
            answering = _answering(link, record)
            return csrf.page_with_token(
                app,
                200,
                lambda token: confirm_no_page(answering.first_name, token, _contact(answering)),
                f"/decisions/{link_id}",
            )
        if errors:
            return csrf.page_with_token(
                app, 422, lambda token: _page(link, record, token, form, errors), f"/decisions/{link_id}"
            )
    else:
        if decision == "edit":  # back from the confirmation, with what was written
            return csrf.page_with_token(
                app, 200, lambda token: _page(link, record, token, form), f"/decisions/{link_id}"
            )
        stage = link.stage or record.stage
        errors = check_step_fields(
            stage, decision, form, applied_on=record.created_at.date(), today=clock.now().date(), rules=rules
        )
        if errors:
            return csrf.page_with_token(
                app, 422, lambda token: _page(link, record, token, form, errors), f"/decisions/{link_id}"
            )
        if rejection_unconfirmed(decision, form):
            assert isinstance(record, Person)
            return csrf.page_with_token(
                app, 200, lambda token: confirm_rejection_page(link, record, token, form), f"/decisions/{link_id}"
            )
        details = recorded_values(stage, form)
        if decision == "reject":
            details["reason"] = str(form.get("reason", "")).strip()[:2000]
    try:
        decided = decisions.decide(link_id, decision, notes, details)
    except DeadLink as dead:
        return _dead(dead)
    logger.info("link decided", extra={"link_kind": link.kind.value, "decision": decision.split(":")[0]})
    if link.kind is LinkKind.OPS:
        return html(200, ops_decided_page(decided, decision))
    if link.kind is LinkKind.PULSE and decision == "svaert":
        concerns.wake_schedule(link.record_id)  # the consultant hears now, not at the next round
    if link.kind in SUPPORT_LINKS:
        return html(200, support_recorded_page(decided))
    if link.kind in MATCH_LINKS:
        asked = link.kind is LinkKind.CONTINUE and isinstance(record, ProposalRecord)
        contact = _contact(_answering(link, record)) if asked and isinstance(record, ProposalRecord) else None
        return html(200, answered_page(decided, decision, contact))
    return html(200, decided_page(decided, decision))


def _raise_concern(link: Link, record: Record, form: dict[str, Any]) -> Response[str]:
    """Someone in the match is worried: kept, and the consultant and ops told at once."""
    values, errors = check_concern(form)
    if errors:
        return csrf.page_with_token(
            app, 422, lambda token: _page(link, record, token, form, errors), f"/decisions/{link.link_id}"
        )
    try:
        raised = concerns.raise_concern(link.link_id, values["concern"], values["safeguarding"] == "yes")
    except DeadLink as dead:
        return _dead(dead)
    logger.info("concern raised", extra={"kept": raised})
    return html(200 if raised else 409, concern_sent_page() if raised else concern_refused_page())


def _answer_activity(link: Link, record: Record, decision: str, notes: str) -> Response[str]:
    """The consultant's answer about someone not heard from in a long time."""
    if decision not in ACTIVITY_CHOICES:
        errors = {"decision": "Vælg, om forløbet fortsætter eller afsluttes."}
        return csrf.page_with_token(
            app, 422, lambda token: _page(link, record, token, None, errors), f"/decisions/{link.link_id}"
        )
    try:
        answered = activity.answer(link.link_id, decision, notes)
    except DeadLink as dead:
        return _dead(dead)
    logger.info("activity answered", extra={"decision": decision})
    return html(200, activity_answered_page(answered))


@app.get("/withdraw/<link_id>")
def show_withdraw(link_id: str) -> Response[str]:
    try:
        link, person = withdrawal.open(link_id)
    except DeadLink as dead:
        return _dead(dead)
    return csrf.page_with_token(
        app, 200, lambda token: withdraw_page(person, token, _contact(person)), f"/withdraw/{link_id}"
    )


@app.post("/withdraw/<link_id>")
def withdraw(link_id: str) -> Response[str]:
    try:
        form = _form()
    except BadRequest as bad:
        return _unreadable(bad)
    try:
        link, _ = withdrawal.open(link_id)
        if not csrf.form_is_ours(app, form):
            return csrf.forgery_page()
        logger.set_correlation_id(link.record_id)
        person = withdrawal.withdraw(link_id)
    except DeadLink as dead:
        return _dead(dead)
    logger.info("person withdrew", extra={"person_kind": person.kind.value})
    return html(200, withdrawn_page(person, _contact(person)))


def deliveries(event: dict[str, Any]) -> dict[str, Any]:
    """Task results owed to waiting runs: one that another function just rang about, or (on the
    schedule) every one that is due again."""
    if event.get("action") == "deliver" and isinstance(event.get("delivery_id"), str):
        outcome = deliverer.deliver(event["delivery_id"])
        logger.info("delivery", extra={"outcome": outcome})
        return {"outcome": outcome}
    counts = deliverer.drain()
    if counts:
        logger.info("deliveries drained", extra=counts)
    return counts


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@faults_counted
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    if isinstance(event, dict) and "requestContext" in event:  # a web request (API Gateway, payload 2.0)
        return app.resolve(event, context)
    if isinstance(event, dict) and (event.get("action") == "deliver" or event.get("source") == "aws.events"):
        return deliveries(event)
    raise ValueError("the links function answers web requests, deliveries and its schedule, nothing else")
