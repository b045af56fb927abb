"""What the errors alarm subtracts: an expected outcome raised as an error is counted once, in one
metric for every function (the alarm needs only the sum, and pays for each metric it reads)."""

from __future__ import annotations

import json

import pytest

from backup.adapters.telemetry import faults_counted


class Withdrawn(Exception):
    pass


class Broken(Exception):
    pass


@pytest.fixture(autouse=True)
def _powertools(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "BackUp")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "backup")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "backup-workflow")


def _emitted(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_an_expected_outcome_is_a_log_line_naming_the_function_and_no_metric_to_pay_for(
    capsys: pytest.CaptureFixture[str],
) -> None:
    @faults_counted
    def handler() -> None:
        raise Withdrawn()

    with pytest.raises(Withdrawn):
        handler()
    [line] = _emitted(capsys.readouterr().out)
    assert "_aws" not in line  # not embedded metric format: no custom metric
    assert line == {"measure": "ExpectedOutcome", "value": 1, "function": "backup-workflow", "outcome": "Withdrawn"}


def test_a_real_fault_is_not_counted_as_expected(capsys: pytest.CaptureFixture[str]) -> None:
    @faults_counted
    def handler() -> None:
        raise Broken()

    with pytest.raises(Broken):
        handler()
    assert _emitted(capsys.readouterr().out) == []


def test_a_count_nothing_reads_as_a_metric_is_a_log_line_and_one_an_alarm_reads_is_a_metric(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from backup.adapters.telemetry import PowertoolsMetrics
    from backup.domain.stages import Stage

    metrics = PowertoolsMetrics()
    metrics.count("StepOpened", Stage.HOME_VISIT)
    metrics.stage_wait(Stage.HOME_VISIT, 2.5 * 86400)
    metrics.count("NeedsOps")
    opened, waited, needs_ops = _emitted(capsys.readouterr().out)
    # what the dashboard's tables query (no metric directive)
    assert opened == {"measure": "StepOpened", "value": 1, "stage": "HOME_VISIT"}
    assert waited == {"measure": "StageWaitSeconds", "value": 216000.0, "days": 2.5, "stage": "HOME_VISIT"}
    [directive] = needs_ops["_aws"]["CloudWatchMetrics"]  # type: ignore[index]
    assert directive["Metrics"] == [{"Name": "NeedsOps", "Unit": "Count"}]


def test_a_closed_match_is_one_log_line_with_its_length_and_reason_and_no_personal_data(capsys):
    import json

    from backup.adapters.telemetry import PowertoolsMetrics

    PowertoolsMetrics().match_closed(400, "moved", "unplanned", False)
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line == {"measure": "MatchLength", "value": 400, "reason": "moved", "kind": "unplanned", "early": 0}
