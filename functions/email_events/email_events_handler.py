"""Email events: SES bounces and complaints (configuration set → the default event bus → a rule →
here, one event per invoke) land on the person's history, and someone who can act is told."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.data_classes import EventBridgeEvent, event_source
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup.adapters.dynamodb import DynamoRepository
from backup.adapters.ses import SesMailer
from backup.adapters.telemetry import PowertoolsMetrics, faults_counted
from backup.adapters.wiring import SettingsConfig
from backup.domain import clock
from backup.usecases.deliverability import Deliverability, parse_ses_event
from backup.usecases.letters import Letters

config = SettingsConfig.from_env()
logger = Logger()
tracer = Tracer()
repository = DynamoRepository(config.table_name)
deliverability = Deliverability(
    repository,
    Letters(
        repository,
        SesMailer(config.sender_email, configuration_set=config.ses_configuration_set),
        config.settings(),
        clock.now,
    ),
    config.ops_email,
    config.consultant_email,
    clock.now,
    PowertoolsMetrics(),
)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@faults_counted
@event_source(data_class=EventBridgeEvent)
def lambda_handler(event: EventBridgeEvent, context: LambdaContext) -> dict[str, Any]:
    # a direct invoke may send anything: only an event object has a detail to read
    mail_event = parse_ses_event(event.get("detail") if isinstance(event.raw_event, dict) else None)
    if mail_event is None:  # not ours (no record_id tag), or not a bounce or complaint
        logger.info("an email event that is not about one of our emails was ignored")
        return {"recorded": 0}
    logger.set_correlation_id(mail_event.record_id)
    told = deliverability.record(mail_event)
    logger.info(
        "email event recorded",
        extra={
            "kind": mail_event.kind,
            "recipient": mail_event.recipient,
            "permanent": mail_event.permanent,
            "someone_told": bool(told),
        },
    )
    return {"recorded": 1}
