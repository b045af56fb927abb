"""Staff views: the recruitment needs, per region, of the young people who wait with no possible
volunteer within reach. A page for staff (Danish) and the same figures as JSON. Aggregates only:
no names, birth dates or postcodes, on the page or in the logs."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup.adapters.dynamodb import DynamoRepository
from backup.adapters.environment import EnvConfig
from backup.domain import clock
from backup.domain.kinds import RecordKind
from backup.domain.records import YoungPerson
from backup.domain.recruitment import RecruitmentNeeds, recruitment_needs
from backup.domain.stages import Stage
from backup.web.http import as_json, html, wants_json
from backup.web.recruitment_page import recruitment_page


class Config(EnvConfig):
    table_name: str


config = Config.from_env()
logger = Logger()
tracer = Tracer()
app = APIGatewayHttpResolver()
repository = DynamoRepository(config.table_name)


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


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
