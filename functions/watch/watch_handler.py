"""Watch: every hour, how many wait in each stage and how many past its limit; whose
child-protection certificate is due for renewal (a renewal run starts) or has run out; and who
has not been heard from in InactivityDays (their consultant is asked whether they carry on).

One metric, PeopleOverLimitTotal, for the alarm "someone waits too long"; the per-stage figures are
one log line per stage ("stage counted"), which the dashboard reads with a Logs Insights query: a
custom metric per stage and figure would cost $0.30 a month each, every hour of the month
(docs/benchmarks.md). `backup-ops stuck` lists the people behind the numbers.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from backup.adapters.stepfunctions import StepFunctionsExecutions
from backup.adapters.telemetry import faults_counted
from backup.adapters.wiring import ProgrammeConfig, Wiring
from backup.domain import clock
from backup.domain.errors import ConfigurationError
from backup.domain.kinds import RecordKind
from backup.domain.stage_limits import StageLimitError, parse_stage_limits
from backup.usecases.inactivity import Inactivity
from backup.usecases.match_measures import count_matches
from backup.usecases.ops_commands import OpsCommands
from backup.usecases.ops_waits import OpsWaits
from backup.usecases.renewal import CertificateWatch
from backup.usecases.waiting import count_waiting
from backup.usecases.withdrawal import Withdrawal


class Config(ProgrammeConfig):
    stage_limit_days: str
    renewal_state_machine_arn: str
    certificate_renewal_notice_days: int


config = Config.from_env()
try:
    limits = parse_stage_limits(config.stage_limit_days)
except StageLimitError as bad:
    raise ConfigurationError(f"STAGE_LIMIT_DAYS: {bad}") from None
logger = Logger()
tracer = Tracer()
metrics = Metrics()
wiring = Wiring.from_config(config)
repository, settings = wiring.repository, wiring.settings
certificates = CertificateWatch(repository, wiring.letters, settings, clock.now, config.certificate_renewal_notice_days)
renewals = StepFunctionsExecutions(config.renewal_state_machine_arn, RecordKind.VOLUNTEER)
# closing someone inactive ends their run like a withdrawal: the links function sends the failure
inactivity = Inactivity(
    repository,
    wiring.steps,
    wiring.letters,
    Withdrawal(repository, wiring.outbox, clock.now),
    settings,
    clock.now,
)
ops_waits = OpsWaits(
    repository,
    OpsCommands(repository, wiring.letters, wiring.steps, wiring.outbox, settings, clock.now),
    wiring.letters,
    settings,
    clock.now,
    wiring.metrics,
)


@logger.inject_lambda_context(clear_state=True)
@tracer.capture_lambda_handler
@faults_counted
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    counts = count_waiting(repository, limits, clock.now())
    for count in counts:  # the dashboard's table of the last hour's count (a log line is not billed as a metric)
        logger.info(
            "stage counted",
            extra={
                "stage": count.stage.value,
                "waiting": count.waiting,
                "over_limit": count.over_limit,
                "oldest_wait_days": round(count.oldest_days, 1),
            },
        )
    matches = count_matches(repository, clock.now())  # the dashboard's table: matches and concerns open now
    logger.info(
        "matches counted",
        extra={
            "matched": matches.matched,
            "concerns_open": matches.concerns_open,
            "paused": matches.paused,
            "average_days": matches.average_days,
            "longest_days": matches.longest_days,
        },
    )
    over = sum(c.over_limit for c in counts)
    # the one metric: the alarm watches it
    metrics.add_metric(name="PeopleOverLimitTotal", unit=MetricUnit.Count, value=over)
    logger.info("waiting counted", extra={"over_limit": over, "stages": len(counts)})
    certified = certificates.due(renewals)  # renewals to start, certificates that ran out
    logger.info("certificates watched", extra=certified)
    quiet = inactivity.check()  # who has not been heard from in a long time; who asked to stop
    logger.info("inactivity checked", extra=quiet)
    expired = ops_waits.expire()  # journeys ops left waiting past OpsWaitDays: ended, with an alarm
    logger.info("ops waits checked", extra={"ended": expired})
    return {
        **{c.stage.value: {"waiting": c.waiting, "over_limit": c.over_limit} for c in counts},
        "matches": {"matched": matches.matched, "concerns_open": matches.concerns_open, "paused": matches.paused},
        "certificates": certified,
        "inactivity": quiet,
        "ops_waits_ended": expired,
    }
