"""A monthly AWS bill for the programme: 1,000 volunteers and 500 young people a year, eu-west-1.

Fixed costs are counted from template.yaml (alarms and the metrics they read, dashboards and the
metrics on them, KMS keys, Cognito, log groups) and from what the hourly watch publishes (one metric,
PeopleOverLimitTotal: the per-stage counts are log lines the dashboard queries). Usage costs come
from per-journey counts (state transitions, Lambda invocations, emails, DynamoDB read and write
units): the volunteer's are the counts measured in issue 14 on the local stack; the others are
estimates, labelled as such below. Prices are AWS list prices with their source; free tiers are
shown apart, not taken off.

Run with `make bench-cost`. Not a test: the arithmetic is tested in tests/unit/test_bench_figures.py.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# --- AWS list prices, eu-west-1 (Ireland), USD; read from the pricing pages named, 2025 -------------
# https://aws.amazon.com/step-functions/pricing/ (Standard workflows)
PRICE_PER_STATE_TRANSITION = 0.025 / 1000
# https://aws.amazon.com/lambda/pricing/ (requests; duration on arm64, the template's architecture)
PRICE_PER_LAMBDA_REQUEST = 0.20 / 1_000_000
PRICE_PER_LAMBDA_GB_SECOND_ARM = 0.0000133334
# https://aws.amazon.com/ses/pricing/ (outbound email)
PRICE_PER_EMAIL = 0.10 / 1000
# https://aws.amazon.com/dynamodb/pricing/on-demand/ (eu-west-1, after the November 2024 reduction)
PRICE_PER_WRITE_UNIT = 0.7063 / 1_000_000
PRICE_PER_READ_UNIT = 0.1413 / 1_000_000
# https://aws.amazon.com/api-gateway/pricing/ (HTTP APIs, eu-west-1, first 300 million)
PRICE_PER_HTTP_REQUEST = 1.11 / 1_000_000
# https://aws.amazon.com/cloudwatch/pricing/ (eu-west-1)
PRICE_PER_CUSTOM_METRIC_MONTH = 0.30  # first 10,000 metrics; prorated by the hour a metric is published
PRICE_PER_ALARM_METRIC_MONTH = 0.10  # standard resolution; a metric-math alarm pays for each metric it reads
PRICE_PER_DASHBOARD_MONTH = 3.00  # the first 3 dashboards (up to 50 metrics each) are in the free tier
PRICE_PER_LOG_GB_INGESTED = 0.57
PRICE_PER_LOG_GB_MONTH_STORED = 0.03
PRICE_PER_LOG_GB_SCANNED = 0.0057  # Logs Insights queries (the dashboard's log widgets run one per view)
FREE_CUSTOM_METRICS = 10  # the always-free tier, per account
FREE_ALARM_METRICS = 10
FREE_DASHBOARDS = 3
FREE_DASHBOARD_METRICS = 50  # "3 dashboards for up to 50 metrics each"
# https://aws.amazon.com/kms/pricing/
PRICE_PER_KMS_KEY_MONTH = 1.00
# https://aws.amazon.com/xray/pricing/ (traces recorded; the first 100,000 a month are in the always-free tier)
PRICE_PER_TRACE_RECORDED = 5.00 / 1_000_000
FREE_TRACES_RECORDED = 100_000
# https://aws.amazon.com/cognito/pricing/ (Essentials tier: the first 10,000 monthly active users are free)
PRICE_PER_COGNITO_MAU_OVER_FREE = 0.015
COGNITO_FREE_MAU = 10_000
# https://aws.amazon.com/lambda/pricing/ (SnapStart for Python): nothing while SnapStart is off
PRICE_SNAPSTART_PER_FUNCTION_MONTH_OFF = 0.0
# If it were on (the same page, SnapStart for Python and .NET; the figures read are US East's, Ireland's
# taken to be the same): the snapshot's cache per GB of the function's memory and second that a
# published version is active (at least 3 hours), and each restore (a cold start) per GB restored.
PRICE_SNAPSTART_CACHE_PER_GB_SECOND = 0.0000015046
PRICE_SNAPSTART_RESTORE_PER_GB = 0.0001397998
SECONDS_PER_MONTH = 730 * 3600
# The web-facing functions, the 1.25x: the ones SnapStart would be for.
WEB_FUNCTIONS = ("IntakeFunction", "ScreeningFunction")

HOURS_PER_MONTH = 730
MONTHS_PER_YEAR = 12
# The hourly watch's metrics: PeopleOverLimitTotal only (the alarm's); tests/integration/test_email_events.py
# checks that it publishes no other. It used to publish three per stage with a limit, plus the total: 28.
WATCH_METRICS = 1
# Estimate: how often ops open the dashboard, and what its log widgets scan each time (the watch's log
# lines of the dashboard's default range and some; a few hundred bytes a line, about 12 lines an hour).
DASHBOARD_VIEWS_A_MONTH = 60
DASHBOARD_GB_SCANNED_PER_VIEW = 0.005


@dataclass(frozen=True)
class EventSeries:
    """Metric series the use cases publish as events happen (backup.adapters.telemetry.PUBLISHED_AS_METRICS,
    the intake's SpamTurnedAway). A series is billed for the hours it is
    published in: one published a few times a week costs a fraction of $0.30. Every other count is a log
    line (it used to be a metric too: about 50 series, published about once per volunteer)."""

    what: str
    series: int
    per: str  # "volunteer", "young person" or "year": what the rate below is counted per
    rate: float  # publications per volunteer, per young person, or a year


# Estimate: how often each is published. The per-stage counts and waits the dashboard's tables read are
# log lines since issue 14 (they were about 16 series published about once per volunteer, with about 34
# more nothing read); what is left is what the alarms read, and it is rare.
EVENT_METRICS = (
    EventSeries(
        "NeedsOps, OpsEmailFailed, OpsWaitExpired, SafeguardingAlarm, DeliveryPostponed, DeliveryAbandoned, "
        "SpamTurnedAway",
        7,
        "year",
        24,
    ),
)


@dataclass(frozen=True)
class Journey:
    """What one person's journey (or one match) uses in AWS."""

    name: str
    transitions: float
    invocations: float
    emails: float
    write_units: float
    read_units: float
    http_requests: float
    source: str  # "measured (...)" or "estimate (...)"


# Issue 14, measured on the local stack: one volunteer from application to READY_FOR_MATCH.
VOLUNTEER = Journey(
    "onboarded volunteer", 15, 18, 6, 103, 35, 5, "measured on the local stack (issue 14); HTTP requests estimated"
)
# A step that waits out a reminder: the remind task and its email, the state machine's timeout path.
REMINDER = Journey(
    "one reminder", 4, 1, 1, 6, 2, 0, "estimate: wait, remind task, choice, wait again; one email, one update"
)
YOUNG_PERSON = Journey(
    "referred young person", 9, 10, 4, 60, 20, 3, "estimate: the referral check is one human step (volunteer: 4)"
)
MATCH = Journey(
    "completed match", 25, 24, 8, 130, 60, 4, "estimate: proposal, choice, introduction, both answers, matched"
)


@dataclass(frozen=True)
class Programme:
    volunteers_a_year: int = 1_000
    young_people_a_year: int = 500
    matches_a_year: int = 450  # most young people are matched; some leave before
    reminders_per_step: float = 0.5  # issue 14: assume half of the steps get one reminder
    steps_per_volunteer: int = 4
    staff_users: int = 10
    lambda_seconds_per_invocation: float = 0.3  # estimate, warm and cold together
    lambda_gb: float = 0.256  # the template's default MemorySize
    log_kb_per_invocation: float = 2.0  # estimate: a few structured lines (Powertools) and the report line
    log_retention_months: float = 3.0  # LogRetentionDays' default is 90 days


@dataclass(frozen=True)
class FixedCounts:
    """What the template makes that costs money whether or not anyone applies."""

    alarms: int
    alarm_metrics: int
    dashboards: int
    kms_keys: int
    user_pools: int
    log_groups: int
    watch_metrics: int = WATCH_METRICS
    dashboard_metrics: int = 0
    watched_stages: int = 0  # the watch reads each stage with a limit (StageLimitDays) every hour
    traced: bool = False  # the functions' Tracing: Active (X-Ray)
    watch_runs_a_month: float = HOURS_PER_MONTH


def _metrics_read(alarm: dict[str, Any]) -> int:
    properties = alarm.get("Properties", {})
    if "Metrics" in properties:
        return sum(1 for m in properties["Metrics"] if "MetricStat" in m)
    return 1


def stage_count(stage_limit_days: str) -> int:
    """The stages with a limit, which the watch reads every hour."""
    return len([pair for pair in stage_limit_days.replace(";", ",").split(",") if "=" in pair])


def dashboard_metric_count(dashboard: dict[str, Any]) -> int:
    """The metrics a dashboard's metric widgets show (math expressions and log queries are not metrics)."""
    body = dashboard.get("Properties", {}).get("DashboardBody", "{}")
    text = body["Fn::Sub"] if isinstance(body, dict) else body
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", text)).get("widgets", [])
    return sum(
        1
        for widget in widgets
        if widget.get("type") == "metric"
        for row in widget["properties"].get("metrics", [])
        if row and isinstance(row[0], str)
    )


def fixed_counts(template: dict[str, Any]) -> FixedCounts:
    resources = template["Resources"]

    def of(kind: str) -> list[dict[str, Any]]:
        return [r for r in resources.values() if r["Type"] == kind]

    alarms = of("AWS::CloudWatch::Alarm")
    return FixedCounts(
        alarms=len(alarms),
        alarm_metrics=sum(_metrics_read(a) for a in alarms),
        dashboards=len(of("AWS::CloudWatch::Dashboard")),
        kms_keys=len(of("AWS::KMS::Key")),
        user_pools=len(of("AWS::Cognito::UserPool")),
        log_groups=len(of("AWS::Logs::LogGroup")),
        dashboard_metrics=sum(dashboard_metric_count(d) for d in of("AWS::CloudWatch::Dashboard")),
        watched_stages=stage_count(str(template["Parameters"]["StageLimitDays"]["Default"])),
        traced=template.get("Globals", {}).get("Function", {}).get("Tracing") == "Active",
    )


def journey_cost(journey: Journey, programme: Programme) -> float:
    """USD for one journey: transitions, invocations (requests and duration), emails, units, HTTP."""
    return (
        journey.transitions * PRICE_PER_STATE_TRANSITION
        + journey.invocations * PRICE_PER_LAMBDA_REQUEST
        + journey.invocations
        * programme.lambda_seconds_per_invocation
        * programme.lambda_gb
        * PRICE_PER_LAMBDA_GB_SECOND_ARM
        + journey.emails * PRICE_PER_EMAIL
        + journey.write_units * PRICE_PER_WRITE_UNIT
        + journey.read_units * PRICE_PER_READ_UNIT
        + journey.http_requests * PRICE_PER_HTTP_REQUEST
    )


@dataclass
class Bill:
    usage: dict[str, float] = field(default_factory=dict)
    fixed: dict[str, float] = field(default_factory=dict)

    @property
    def usage_total(self) -> float:
        return sum(self.usage.values())

    @property
    def fixed_total(self) -> float:
        return sum(self.fixed.values())

    @property
    def total(self) -> float:
        return self.usage_total + self.fixed_total


def per_volunteer_with_reminders(programme: Programme) -> float:
    """One onboarded volunteer, with reminders at the rate assumed (half of the steps get one)."""
    reminders = programme.steps_per_volunteer * programme.reminders_per_step
    return journey_cost(VOLUNTEER, programme) + reminders * journey_cost(REMINDER, programme)


def event_series_hours(programme: Programme) -> list[float]:
    """The hours a month each event series is published in (at most once per publication), most first."""
    per_year = {"volunteer": programme.volunteers_a_year, "young person": programme.young_people_a_year, "year": 1}
    hours = []
    for series in EVENT_METRICS:
        a_month = series.rate * per_year[series.per] / MONTHS_PER_YEAR
        hours += [min(HOURS_PER_MONTH, a_month)] * series.series
    return sorted(hours, reverse=True)


def event_metrics_cost(programme: Programme) -> float:
    return sum(event_series_hours(programme)) / HOURS_PER_MONTH * PRICE_PER_CUSTOM_METRIC_MONTH


def invocations_a_month(counts: FixedCounts, programme: Programme) -> float:
    return (
        programme.volunteers_a_year * VOLUNTEER.invocations
        + programme.young_people_a_year * YOUNG_PERSON.invocations
        + programme.matches_a_year * MATCH.invocations
    ) / MONTHS_PER_YEAR + counts.watch_runs_a_month


def monthly_bill(counts: FixedCounts, programme: Programme) -> Bill:
    bill = Bill()
    per_month = 1 / MONTHS_PER_YEAR
    bill.usage["volunteers (with reminders)"] = (
        programme.volunteers_a_year * per_month * per_volunteer_with_reminders(programme)
    )
    bill.usage["young people"] = programme.young_people_a_year * per_month * journey_cost(YOUNG_PERSON, programme)
    bill.usage["matches"] = programme.matches_a_year * per_month * journey_cost(MATCH, programme)
    watch = Journey("watch run", 0, 1, 0, 0, 2 * counts.watched_stages, 0, "one query per stage")
    bill.usage["hourly watch runs"] = counts.watch_runs_a_month * journey_cost(watch, programme)
    invocations = invocations_a_month(counts, programme)
    log_gb = invocations * programme.log_kb_per_invocation / 2**20
    bill.usage["logs ingested"] = log_gb * PRICE_PER_LOG_GB_INGESTED
    # estimate: a trace per invocation (a task's joins its execution's; at this rate X-Ray samples them all)
    bill.usage[f"X-Ray: about {invocations:,.0f} traces" if counts.traced else "X-Ray (off)"] = (
        invocations * PRICE_PER_TRACE_RECORDED if counts.traced else 0.0
    )
    bill.fixed["logs stored (retention)"] = log_gb * programme.log_retention_months * PRICE_PER_LOG_GB_MONTH_STORED
    bill.fixed[f"custom metrics: the watch's {counts.watch_metrics}, every hour"] = (
        counts.watch_metrics * PRICE_PER_CUSTOM_METRIC_MONTH
    )
    series = sum(s.series for s in EVENT_METRICS)
    bill.usage[f"event metrics: {series} series (estimate)"] = event_metrics_cost(programme)
    bill.usage["dashboard log queries (estimate)"] = (
        DASHBOARD_VIEWS_A_MONTH * DASHBOARD_GB_SCANNED_PER_VIEW * PRICE_PER_LOG_GB_SCANNED
    )
    bill.fixed[f"alarms: {counts.alarms} reading {counts.alarm_metrics} metrics"] = (
        counts.alarm_metrics * PRICE_PER_ALARM_METRIC_MONTH
    )
    bill.fixed[f"dashboards: {counts.dashboards} ({counts.dashboard_metrics} metrics)"] = (
        counts.dashboards * PRICE_PER_DASHBOARD_MONTH
    )
    bill.fixed[f"KMS keys: {counts.kms_keys}"] = counts.kms_keys * PRICE_PER_KMS_KEY_MONTH
    over_free = max(0, programme.staff_users * counts.user_pools - COGNITO_FREE_MAU)
    bill.fixed[f"Cognito: {programme.staff_users} staff users"] = over_free * PRICE_PER_COGNITO_MAU_OVER_FREE
    bill.fixed["SnapStart (off)"] = PRICE_SNAPSTART_PER_FUNCTION_MONTH_OFF
    return bill


def free_tier(counts: FixedCounts, programme: Programme) -> float:
    """What an account's always-free tier would take off, if nothing else in the account uses it: 10 custom
    metrics, 10 alarm metrics, 3 dashboards of up to 50 metrics each, 100,000 traces."""
    watch = min(FREE_CUSTOM_METRICS, counts.watch_metrics) * PRICE_PER_CUSTOM_METRIC_MONTH
    left = FREE_CUSTOM_METRICS - min(FREE_CUSTOM_METRICS, counts.watch_metrics)
    hours = event_series_hours(programme)[:left]  # the free ones: the costliest, as the bill counts them
    events = sum(hours) / HOURS_PER_MONTH * PRICE_PER_CUSTOM_METRIC_MONTH
    alarms = min(FREE_ALARM_METRICS, counts.alarm_metrics) * PRICE_PER_ALARM_METRIC_MONTH
    fits = (
        counts.dashboards <= FREE_DASHBOARDS and counts.dashboard_metrics <= FREE_DASHBOARD_METRICS * counts.dashboards
    )
    traces = min(FREE_TRACES_RECORDED, invocations_a_month(counts, programme)) * PRICE_PER_TRACE_RECORDED
    dashboards = counts.dashboards * PRICE_PER_DASHBOARD_MONTH if fits else 0.0
    return watch + events + alarms + dashboards + (traces if counts.traced else 0.0)


def http_requests_a_month(programme: Programme) -> float:
    return (
        programme.volunteers_a_year * VOLUNTEER.http_requests
        + programme.young_people_a_year * YOUNG_PERSON.http_requests
        + programme.matches_a_year * MATCH.http_requests
    ) / MONTHS_PER_YEAR


def function_memory_gb(template: dict[str, Any], logical: str) -> float:
    """A function's MemorySize (its own, else the template's Globals), in GB as Lambda bills it (MB / 1024)."""
    default = template.get("Globals", {}).get("Function", {}).get("MemorySize", 128)
    return float(template["Resources"][logical]["Properties"].get("MemorySize", default)) / 1024


def snapstart_lines(template: dict[str, Any], programme: Programme) -> list[str]:
    """What SnapStart for Python would cost for the web functions: the cache while a version is
    active (a month), and a restore per cold start (at most one per web request at this traffic)."""
    cache_gb_month = PRICE_SNAPSTART_CACHE_PER_GB_SECOND * SECONDS_PER_MONTH
    requests = http_requests_a_month(programme)
    lines = [
        f"  SnapStart for Python, if it were on (not enabled): cache ${cache_gb_month:.2f} per GB-month "
        f"(${PRICE_SNAPSTART_CACHE_PER_GB_SECOND:.10f} per GB-second), "
        f"restore ${PRICE_SNAPSTART_RESTORE_PER_GB:.10f} per GB"
    ]
    total = 0.0
    for logical in WEB_FUNCTIONS:
        gb = function_memory_gb(template, logical)
        cache = gb * cache_gb_month
        # upper bound: every web request a cold start (traffic this low rarely finds a warm sandbox)
        restores = requests * gb * PRICE_SNAPSTART_RESTORE_PER_GB
        total += cache + restores
        lines.append(
            f"    {logical:<20} {gb * 1024:5.0f} MB: cache ${cache:5.2f}/month, restores at most ${restores:.3f}/month "
            f"({requests:,.0f} requests, each a cold start)"
        )
    lines.append(f"    {'both':<20} ${total:.2f}/month, one cache per published version (old ones until inactive)")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    from local_stack import template as tpl

    template = tpl.load()
    counts = fixed_counts(template)
    programme = Programme()
    bill = monthly_bill(counts, programme)
    print(
        f"Monthly AWS bill, eu-west-1 list prices, {programme.volunteers_a_year:,} volunteers and "
        f"{programme.young_people_a_year:,} young people a year ({programme.matches_a_year} matches)"
    )
    print("  Per journey (usage):")
    for journey in (VOLUNTEER, REMINDER, YOUNG_PERSON, MATCH):
        print(f"    {journey.name:<24} ${journey_cost(journey, programme):.5f}   {journey.source}")
    print(
        f"    onboarded volunteer with reminders (half of {programme.steps_per_volunteer} steps get one) "
        f"${per_volunteer_with_reminders(programme):.5f}"
    )
    print("  Usage, per month:")
    for name, cost in bill.usage.items():
        print(f"    {name:<48} ${cost:8.2f}")
    print(f"    {'usage total':<48} ${bill.usage_total:8.2f}")
    print("  Fixed, per month:")
    for name, cost in bill.fixed.items():
        print(f"    {name:<48} ${cost:8.2f}")
    print(f"    {'fixed total':<48} ${bill.fixed_total:8.2f}")
    print(f"  Total per month: ${bill.total:.2f} (goal: under $5)")
    free = free_tier(counts, programme)
    fits = "within" if counts.dashboard_metrics <= FREE_DASHBOARD_METRICS else "over"
    print(
        f"  (an account's always-free tier, if nothing else uses it, would take off about ${free:.2f}: 10 custom "
        f"metrics, 10 alarm metrics, 100,000 traces, 3 dashboards of up to {FREE_DASHBOARD_METRICS} metrics: ours "
        f"shows {counts.dashboard_metrics}, {fits})"
    )
    for line in snapstart_lines(template, programme):
        print(line)


if __name__ == "__main__":
    main()
