"""Metrics in one namespace with the stage as a dimension, so the dashboard reads per stage."""

from __future__ import annotations

import warnings

from aws_lambda_powertools.metrics import MetricUnit, single_metric

from backup.domain.stages import Stage

# A request that counts nothing (a page view, a form with mistakes) is normal here; Powertools
# would warn about every one of them.
warnings.filterwarnings("ignore", message="No application metrics to publish")


class PowertoolsMetrics:
    """The metrics port, published as CloudWatch embedded metric format by Powertools."""

    def count(self, name: str, stage: Stage | None = None) -> None:
        with single_metric(name=name, unit=MetricUnit.Count, value=1) as metric:
            if stage is not None:
                metric.add_dimension(name="stage", value=stage.value)

    def stage_wait(self, stage: Stage, seconds: float) -> None:
        with single_metric(name="StageWaitSeconds", unit=MetricUnit.Seconds, value=seconds) as metric:
            metric.add_dimension(name="stage", value=stage.value)
