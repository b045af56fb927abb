"""What ops rely on in the template: alarms to an ops address, a dashboard that parses, least privilege."""

import json
import re

from local_stack import template as tpl

TEMPLATE = tpl.load()
RESOURCES = TEMPLATE["Resources"]


def _alarms():
    return {k: v["Properties"] for k, v in RESOURCES.items() if v["Type"] == "AWS::CloudWatch::Alarm"}


def _watched(alarm, metric_name=None):
    """(metric name, dimension value) of every metric an alarm (plain or metric math) watches."""
    if "MetricName" in alarm:
        return {(alarm["MetricName"], str(alarm.get("Dimensions", [{}])[0].get("Value")))}
    return {
        (m["MetricStat"]["Metric"]["MetricName"], m["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Ref"])
        for m in alarm["Metrics"]
        if "MetricStat" in m
    }


def test_ops_are_alarmed_on_failed_timed_out_and_aborted_executions_of_every_workflow():
    machines = {k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::StateMachine"}
    watched = set().union(*(_watched(a) for a in _alarms().values()))
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"):
        assert {(metric, machine) for machine in machines} <= watched, metric


def test_ops_are_alarmed_on_function_errors_bounces_people_waiting_too_long_and_failed_tasks():
    alarms = _alarms()
    metrics = {p.get("MetricName") for p in alarms.values()}
    assert {"Reputation.BounceRate", "PeopleOverLimitTotal", "NeedsOps"} <= metrics
    watched = set().union(*(_watched(a) for a in alarms.values()))
    functions = {k for k, v in RESOURCES.items() if v["Type"] == "AWS::Serverless::Function"}
    assert {("Errors", f) for f in functions} <= watched


def test_every_alarm_reaches_the_ops_address():
    for name, alarm in _alarms().items():
        assert alarm["AlarmActions"] == [{"Ref": "OpsAlarmTopic"}], name
    subscription = RESOURCES["OpsAlarmSubscription"]["Properties"]
    assert subscription["Protocol"] == "email" and subscription["Endpoint"] == {"Ref": "OpsEmail"}


def test_the_dashboard_body_is_valid_json_once_substituted():
    body = RESOURCES["OpsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    substituted = re.sub(r"\$\{[^}]+\}", "x", body)
    widgets = json.loads(substituted)["widgets"]
    titles = " ".join(w["properties"]["title"] for w in widgets)
    for topic in (
        "per week",
        "median and 90th percentile",
        "failed, timed out, aborted",
        "errors and throttles",
        "duration",
        "bounced",
    ):
        assert topic in titles


def test_functions_get_only_the_actions_they_use():
    def actions(name):
        statements = RESOURCES[name]["Properties"]["Policies"][0]["Statement"]
        return {a for s in statements for a in s["Action"]}

    assert "ses:SendRawEmail" not in actions("IntakeFunction")
    assert "states:StartExecution" not in actions("ScreeningFunction")
    # (every role's whole list is in test_permissions.py)
    assert not any(
        a.endswith("*") for name in ("IntakeFunction", "ScreeningFunction", "WorkflowFunction") for a in actions(name)
    )


def test_every_duration_and_address_is_a_parameter():
    parameters = TEMPLATE["Parameters"]
    for name in (
        "SenderEmail",
        "ConsultantEmail",
        "OpsEmail",
        "ReminderDelaySeconds",
        "MaxReminders",
        "StageLimitDays",
        "RegionalConsultants",
    ):
        assert name in parameters


def test_the_templates_stage_limits_are_the_ones_backup_ops_stuck_uses():
    from backup.domain.stage_limits import DEFAULT_STAGE_LIMIT_DAYS, parse_stage_limits

    assert parse_stage_limits(TEMPLATE["Parameters"]["StageLimitDays"]["Default"]) == DEFAULT_STAGE_LIMIT_DAYS


def _transformed() -> dict:
    """The template as CloudFormation receives it from `sam deploy` (SAM's own transform)."""
    import os

    from samtranslator.translator.transform import transform

    class NoManagedPolicies:
        def load(self) -> dict:
            return {}

    os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
    template = tpl.load()
    for resource in template["Resources"].values():  # as `sam package` leaves them: uploaded to S3
        for key in ("CodeUri", "DefinitionUri", "ContentUri"):
            if key in resource.get("Properties", {}):
                resource["Properties"][key] = "s3://bucket/key"
    parameters = {"SenderEmail": "backup@rodekors.dk", "ConsultantEmail": "k@rodekors.dk", "OpsEmail": "o@rodekors.dk"}
    return transform(template, parameters, NoManagedPolicies())


def test_the_deployed_template_has_no_circular_dependencies():
    resources = _transformed()["Resources"]

    def depends_on(resource: dict) -> set[str]:
        text = json.dumps(resource.get("Properties", {}))
        names = set(re.findall(r'"Ref": "(\w+)"', text)) | set(re.findall(r'"Fn::GetAtt": \["(\w+)"', text))
        names |= {m.split(".")[0] for m in re.findall(r"\$\{([\w.]+)\}", text)}
        extra = resource.get("DependsOn", [])
        names |= set([extra] if isinstance(extra, str) else extra)
        return names & set(resources)

    graph = {name: depends_on(resource) for name, resource in resources.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        path.append(name)
        for other in graph[name]:
            if state.get(other) == 1:
                cycles.append(path[path.index(other) :] + [other])
            elif not state.get(other):
                visit(other, path)
        path.pop()
        state[name] = 2

    for name in graph:
        if not state.get(name):
            visit(name, [])
    assert cycles == [], f"circular dependencies, e.g. {' -> '.join(cycles[0])}"
