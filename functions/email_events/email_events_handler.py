"""Email events: SES bounces and complaints (configuration set → SNS → here) land on the
person's history, and someone who can act is told."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.data_classes import SNSEvent, event_source
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
@event_source(data_class=SNSEvent)
def lambda_handler(event: SNSEvent, context: LambdaContext) -> dict[str, Any]:
    recorded = 0
    for record in event.records:
        try:
            message = json.loads(record.sns.message)
        except json.JSONDecodeError:
            logger.warning("an SNS message that is not JSON was ignored")
            continue
        mail_event = parse_ses_event(message)
        if mail_event is None:
            continue
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
        recorded += 1
    return {"recorded": recorded}
