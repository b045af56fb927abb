"""What the programme counts: a CloudWatch metric where an alarm watches it, a log line otherwise (the
dashboard's per-stage tables are Logs Insights queries over these lines)."""

from __future__ import annotations

import functools
import json
import os
import warnings
from collections.abc import Callable
from typing import Any, TypeVar, cast

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from backup.domain.stages import Stage

# A request that counts nothing (a page view, a form with mistakes) is normal here; Powertools
# would warn about every one of them.
warnings.filterwarnings("ignore", message="No application metrics to publish")


# The counts published as CloudWatch metrics: those an alarm or the dashboard reads as a metric
# (template.yaml; tests/unit/test_template.py checks both ways). A custom metric costs $0.30 a month
# for each name and stage, prorated by the hours it is published in; every other count (StepOpened,
# ReminderSent, Matched, ...) and the stage waits are log lines, {"measure": name, "stage": ...}, which
# the dashboard's tables and Logs Insights count for nothing but the bytes they scan:
# `filter measure = 'ReminderSent' | stats count(*) by stage`.
PUBLISHED_AS_METRICS = frozenset(
    {
        "NeedsOps",
        "OpsEmailFailed",
        "OpsWaitExpired",
        "SafeguardingAlarm",
        "DeliveryPostponed",  # these two are named in the links function's failure alarm
        "DeliveryAbandoned",
    }
)
SECONDS_PER_DAY = 86400


def _log_measure(name: str, stage: Stage | None, value: float, **more: str | float) -> None:
    line: dict[str, str | float] = {"measure": name, "value": value, **more}
    if stage is not None:
        line["stage"] = stage.value
    print(json.dumps(line))  # stdout is the function's log, as for the metrics


class PowertoolsMetrics:
    """The metrics port: CloudWatch embedded metric format by Powertools for the counts in
    PUBLISHED_AS_METRICS, a plain log line for the other counts and the stage waits."""

    def count(self, name: str, stage: Stage | None = None) -> None:
        if name not in PUBLISHED_AS_METRICS:
            _log_measure(name, stage, 1)
            return
        with single_metric(name=name, unit=MetricUnit.Count, value=1) as metric:
            if stage is not None:
                metric.add_dimension(name="stage", value=stage.value)

    def stage_wait(self, stage: Stage, seconds: float) -> None:
        _log_measure("StageWaitSeconds", stage, seconds, days=round(seconds / SECONDS_PER_DAY, 2))

    def match_closed(self, days: int, reason: str, kind: str, early: bool) -> None:
        """One log line a closed match (the dashboard's table: closures by reason, their length,
        how many before 12 months); no personal data, only the reason's code."""
        print(
            json.dumps({"measure": "MatchLength", "value": days, "reason": reason, "kind": kind, "early": int(early)})
        )


class PowertoolsGatheringMeasures:
    """The gatherings' measures (backup.usecases.gathering_ports): log lines with the region, which
    the dashboard's table sums per region (a log query: no custom metric to pay for)."""

    def measure(self, name: str, region: str, value: int = 1) -> None:
        if value:
            print(json.dumps({"measure": name, "value": value, "region": region}, ensure_ascii=False))


# Outcomes a run takes its own branch for: raised as errors so the definition can catch them by
# name, so Lambda counts them in its Errors metric (the dashboard's errors graph). Each is a log line
# here, naming the function and the outcome, so that whoever reads that graph can tell a withdrawal
# from a fault: `filter measure = 'ExpectedOutcome' | stats count(*) by function, outcome`. No alarm
# reads Lambda's Errors (a fault surfaces as a page's 5xx, a run waiting for ops or ending badly, or
# a failed invoke's queue), so this is not a metric to pay for.
EXPECTED_OUTCOMES = frozenset({"Withdrawn", "PersonGone"})

F = TypeVar("F", bound=Callable[..., Any])


def faults_counted(handler: F) -> F:
    """Log each expected outcome raised as an error (the function, the outcome), and raise it on."""

    @functools.wraps(handler)
    def counted(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except Exception as error:
            outcome = type(error).__name__
            if outcome in EXPECTED_OUTCOMES:
                function = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
                _log_measure("ExpectedOutcome", None, 1, function=function, outcome=outcome)
            raise

    return cast(F, counted)
