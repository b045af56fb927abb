"""The benchmarks' own logic: the monthly bill's arithmetic and the matching benchmark's sizes.
Nothing here is timed."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import bench_cost as cost  # noqa: E402
from bench_matching import parse_sizes  # noqa: E402

from local_stack import template as tpl  # noqa: E402


def test_sizes_are_volunteers_by_young_people_separated_by_spaces_or_commas() -> None:
    assert parse_sizes("5000x1000 20000x5000") == [(5000, 1000), (20000, 5000)]
    assert parse_sizes("5000X1000,20_000x5_000") == [(5000, 1000), (20000, 5000)]


@pytest.mark.parametrize("text", ["", "5000", "5000x", "x100", "5000x0", "ax1", "5000*1000"])
def test_a_size_that_cannot_be_read_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        parse_sizes(text)


def test_the_watch_reads_each_stage_with_a_limit() -> None:
    assert cost.stage_count("PHONE_SCREENING=14,HOME_VISIT=21") == 2
    assert cost.stage_count("PHONE_SCREENING=14;HOME_VISIT=21;TRAINING=7") == 3
    assert cost.stage_count("") == 0


def test_a_dashboards_metrics_are_its_metric_rows_not_its_expressions_or_log_queries() -> None:
    body = json.dumps(
        {
            "widgets": [
                {"type": "metric", "properties": {"metrics": [["A", "m", "d", "${Fn}"], [".", "n", ".", "."]]}},
                {"type": "metric", "properties": {"metrics": [[{"expression": "m1/2"}], ["A", "m", {"id": "m1"}]]}},
                {"type": "log", "properties": {"query": "SOURCE '${Logs}' | stats count(*)"}},
                {"type": "text", "properties": {"markdown": "hello"}},
            ]
        }
    )
    assert cost.dashboard_metric_count({"Properties": {"DashboardBody": {"Fn::Sub": body}}}) == 3


def test_fixed_counts_are_read_from_the_template() -> None:
    template = {
        "Parameters": {"StageLimitDays": {"Default": "A=1,B=2"}},
        "Resources": {
            "One": {"Type": "AWS::CloudWatch::Alarm", "Properties": {"MetricName": "Errors"}},
            "Math": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {"Metrics": [{"Id": "e", "Expression": "a+b"}, {"MetricStat": {}}, {"MetricStat": {}}]},
            },
            "Board": {
                "Type": "AWS::CloudWatch::Dashboard",
                "Properties": {
                    "DashboardBody": '{"widgets": [{"type": "metric", "properties": {"metrics": [["A", "b"]]}}]}'
                },
            },
            "Key": {"Type": "AWS::KMS::Key"},
            "Pool": {"Type": "AWS::Cognito::UserPool"},
            "Logs": {"Type": "AWS::Logs::LogGroup"},
        },
    }
    assert cost.fixed_counts(template) == cost.FixedCounts(
        alarms=2,
        alarm_metrics=3,
        dashboards=1,
        kms_keys=1,
        user_pools=1,
        log_groups=1,
        watch_metrics=1,
        dashboard_metrics=1,
        watched_stages=2,
    )


def test_a_journey_costs_the_sum_of_its_parts_at_the_list_prices() -> None:
    programme = cost.Programme(lambda_seconds_per_invocation=1.0, lambda_gb=1.0)
    journey = cost.Journey(
        "x", transitions=1000, invocations=0, emails=0, write_units=0, read_units=0, http_requests=0, source=""
    )
    assert cost.journey_cost(journey, programme) == pytest.approx(0.025)
    journey = cost.Journey("x", 0, 1_000_000, 1000, 1_000_000, 1_000_000, 1_000_000, "")
    expected = 0.20 + 1_000_000 * cost.PRICE_PER_LAMBDA_GB_SECOND_ARM + 0.10 + 0.7063 + 0.1413 + 1.11
    assert cost.journey_cost(journey, programme) == pytest.approx(expected)


def test_an_event_series_is_billed_for_the_hours_it_is_published_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        cost,
        "EVENT_METRICS",
        (
            cost.EventSeries("rare", 2, "year", 24),
            cost.EventSeries("per volunteer", 3, "volunteer", 1.0),
            cost.EventSeries("per young person", 1, "young person", 0.5),
        ),
    )
    programme = cost.Programme(volunteers_a_year=1200, young_people_a_year=600)
    hours = cost.event_series_hours(programme)
    assert len(hours) == sum(s.series for s in cost.EVENT_METRICS)
    assert hours == [100, 100, 100, 25, 2, 2]  # most first: once per volunteer is 100 hours a month
    busy = cost.Programme(volunteers_a_year=1_000_000)
    assert max(cost.event_series_hours(busy)) == 730  # never more than every hour of the month
    assert cost.event_metrics_cost(programme) == pytest.approx(sum(hours) / 730 * 0.30)


def test_half_of_the_steps_get_one_reminder() -> None:
    programme = cost.Programme(steps_per_volunteer=4, reminders_per_step=0.5)
    assert cost.per_volunteer_with_reminders(programme) == pytest.approx(
        cost.journey_cost(cost.VOLUNTEER, programme) + 2 * cost.journey_cost(cost.REMINDER, programme)
    )


def test_the_bill_splits_usage_and_fixed_and_adds_up() -> None:
    counts = cost.FixedCounts(
        alarms=2, alarm_metrics=5, dashboards=1, kms_keys=1, user_pools=1, log_groups=3, watch_metrics=4
    )
    bill = cost.monthly_bill(counts, cost.Programme(staff_users=10))
    assert bill.fixed["custom metrics: the watch's 4, every hour"] == pytest.approx(1.20)
    assert bill.fixed["dashboards: 1 (0 metrics)"] == 3.00
    assert bill.fixed["alarms: 2 reading 5 metrics"] == pytest.approx(0.50)
    assert bill.fixed["KMS keys: 1"] == 1.00
    assert bill.usage["X-Ray (off)"] == 0.0
    traced = cost.monthly_bill(
        cost.FixedCounts(alarms=0, alarm_metrics=0, dashboards=0, kms_keys=0, user_pools=0, log_groups=0, traced=True),
        cost.Programme(volunteers_a_year=1200, young_people_a_year=0, matches_a_year=0),
    )
    invocations = 1200 / 12 * cost.VOLUNTEER.invocations + 730  # the volunteers' and the hourly watch's
    assert traced.usage[f"X-Ray: about {invocations:,.0f} traces"] == pytest.approx(invocations * 5.00 / 1_000_000)
    assert bill.fixed["Cognito: 10 staff users"] == 0.0  # under Cognito's free monthly active users
    assert bill.total == pytest.approx(bill.usage_total + bill.fixed_total)
    assert bill.usage_total == pytest.approx(sum(bill.usage.values()))
    # twice the people: usage grows, fixed costs do not (apart from the logs kept)
    bigger = cost.monthly_bill(
        counts, cost.Programme(volunteers_a_year=2000, young_people_a_year=1000, matches_a_year=900)
    )
    assert bigger.usage["volunteers (with reminders)"] == pytest.approx(2 * bill.usage["volunteers (with reminders)"])
    assert bigger.fixed["alarms: 2 reading 5 metrics"] == bill.fixed["alarms: 2 reading 5 metrics"]


def test_the_real_template_counts_the_watch_metrics_and_alarms() -> None:
    counts = cost.fixed_counts(tpl.load())
    assert counts.watch_metrics == 1  # PeopleOverLimitTotal; the per-stage counts are log lines
    assert counts.watched_stages == 9  # nine stages with a limit by default
    assert counts.alarms >= 1 and counts.alarm_metrics >= counts.alarms
    assert counts.dashboards == 1 and counts.dashboard_metrics > 0
    assert counts.traced  # Tracing: Active in the functions' globals


def test_the_free_tier_takes_off_a_dashboard_only_within_its_metrics() -> None:
    programme = cost.Programme()
    small = cost.FixedCounts(
        alarms=1, alarm_metrics=20, dashboards=1, kms_keys=0, user_pools=0, log_groups=0, dashboard_metrics=50
    )
    large = cost.FixedCounts(
        alarms=1, alarm_metrics=20, dashboards=1, kms_keys=0, user_pools=0, log_groups=0, dashboard_metrics=51
    )
    assert cost.free_tier(small, programme) - cost.free_tier(large, programme) == pytest.approx(3.00)
    events = sum(cost.event_series_hours(programme)[:9]) / 730 * 0.30  # 10 free, less the watch's one
    assert cost.free_tier(large, programme) == pytest.approx(0.30 + events + 1.00)
