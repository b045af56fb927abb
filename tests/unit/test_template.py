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

    def value(metric):
        value = metric["Dimensions"][0]["Value"]
        return value["Ref"] if isinstance(value, dict) else value

    return {
        (m["MetricStat"]["Metric"]["MetricName"], value(m["MetricStat"]["Metric"]))
        for m in alarm["Metrics"]
        if "MetricStat" in m
    }


def _status_change(machine, status):
    """Step Functions' event on the default bus when a run ends (its shape, with what the rule reads)."""
    return {
        "source": "aws.states",
        "detail-type": "Step Functions Execution Status Change",
        "detail": {"status": status, "stateMachineArn": machine, "name": "volunteer-a1"},
    }


def test_every_workflows_run_that_fails_times_out_or_is_stopped_reaches_ops_and_raises_an_alarm():
    from moto.events.models import EventPattern

    rule = RESOURCES["RunEndedBadlyRule"]["Properties"]
    # each state machine's Ref stands for its ARN: written as "arn-of-<name>" so the pattern can be matched
    machines = [f"arn-of-{k}" for k in tpl.resources_of(TEMPLATE, "AWS::Serverless::StateMachine")]
    pattern = EventPattern.load(re.sub(r'\{"Ref": "(\w+)"\}', r'"arn-of-\1"', json.dumps(rule["EventPattern"])))
    for machine in machines:
        for status in ("FAILED", "TIMED_OUT", "ABORTED"):
            assert pattern.matches_event(_status_change(machine, status)), (machine, status)
        for status in ("SUCCEEDED", "RUNNING"):  # a withdrawal ends its run normally: nobody is woken
            assert not pattern.matches_event(_status_change(machine, status)), (machine, status)
    assert not pattern.matches_event(_status_change("arn:aws:states:eu-west-1:1:stateMachine:other-app", "FAILED"))
    [target] = rule["Targets"]
    assert target["Arn"] == {"Ref": "OpsAlarmTopic"}
    assert "<name>" in target["InputTransformer"]["InputTemplate"]  # ops are told which run, by its id
    alarm = _alarms()["RunsEndedBadlyAlarm"]
    assert _watched(alarm) == {("TriggeredRules", "{'Ref': 'RunEndedBadlyRule'}")}
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_ops_are_alarmed_on_failed_pages_bounces_people_waiting_too_long_and_failed_tasks():
    alarms = _alarms()
    metrics = {p.get("MetricName") for p in alarms.values()}
    assert {"Reputation.BounceRate", "PeopleOverLimitTotal", "NeedsOps", "SafeguardingAlarm"} <= metrics
    # every page is on the one HTTP API whose 5xx the alarm reads
    assert _watched(alarms["WebErrorsAlarm"]) == {("5xx", "{'Ref': 'HttpApi'}")}
    for name, function in _functions().items():
        for event in (function["Properties"].get("Events") or {}).values():
            if event["Type"] == "HttpApi":
                assert event["Properties"]["ApiId"] == {"Ref": "HttpApi"}, name


def test_every_alarm_reaches_the_ops_address():
    for name, alarm in _alarms().items():
        assert alarm["AlarmActions"] == [{"Ref": "OpsAlarmTopic"}], name
    subscription = RESOURCES["OpsAlarmSubscription"]["Properties"]
    assert subscription["Protocol"] == "email" and subscription["Endpoint"] == {"Ref": "OpsEmail"}


def _backup_metrics_read():
    """The BackUp namespace's metric names the alarms and the dashboard read."""
    names = set()
    for alarm in _alarms().values():
        if alarm.get("Namespace") == "BackUp":
            names.add(alarm["MetricName"])
        for m in alarm.get("Metrics", []):
            if "MetricStat" in m and m["MetricStat"]["Metric"]["Namespace"] == "BackUp":
                names.add(m["MetricStat"]["Metric"]["MetricName"])
    body = json.loads(re.sub(r"\$\{[^}]+\}", "x", RESOURCES["OpsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]))
    for widget in body["widgets"]:
        for row in widget["properties"].get("metrics", []):
            if row and row[0] == "BackUp":
                names.add(row[1])
    return names


def test_every_count_an_alarm_or_the_dashboard_reads_is_published_as_a_metric_and_no_other():
    from backup.adapters.telemetry import PUBLISHED_AS_METRICS

    published_elsewhere = {"PeopleOverLimitTotal"}  # by the watch
    read = _backup_metrics_read()
    assert read - published_elsewhere <= PUBLISHED_AS_METRICS
    text = tpl.TEMPLATE.read_text()
    for name in PUBLISHED_AS_METRICS - read:  # paid for, so at least named (an alarm's description)
        assert name in text, name


def test_the_dashboards_log_queries_read_every_functions_log_group():
    """A count is logged by whichever function's use case made it: a table that missed a log group would
    undercount without a sign."""
    body = RESOURCES["OpsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))["widgets"]
    queries = re.findall(r'"query": "([^"]*)"', body)
    assert len(queries) == sum(1 for w in widgets if w["type"] == "log") == 7
    for query in queries:
        if "measure" in query:
            assert set(re.findall(r"SOURCE '\$\{(\w+)\}'", query)) == {f"{f}Logs" for f in _functions()}, query


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


# --- a real AWS account: failed asynchronous invokes, access logs, throttling, the sender identity ---

ASYNC_FUNCTIONS = {  # invoked asynchronously: by a schedule, by SNS, or rung by other functions (DELIVERY_FUNCTION)
    "ScreeningFunction": "ScreeningFailures",
    "EmailEventsFunction": "EmailEventsFailures",
    "WatchFunction": "WatchFailures",
    "MatchingFunction": "MatchingFailures",
}


def _functions() -> dict:
    return tpl.resources_of(TEMPLATE, "AWS::Serverless::Function")


def test_every_function_invoked_asynchronously_has_an_on_failure_destination():
    rung = {
        v["Ref"]
        for f in _functions().values()
        for k, v in f["Properties"].get("Environment", {}).get("Variables", {}).items()
        if k == "DELIVERY_FUNCTION"
    }
    by_events = {
        name
        for name, f in _functions().items()
        if any(
            e["Type"] in {"Schedule", "SNS", "SQS", "EventBridgeRule"}
            for e in f["Properties"].get("Events", {}).values()
        )
    }
    assert rung | by_events == set(ASYNC_FUNCTIONS)
    for name, queue in ASYNC_FUNCTIONS.items():
        config = _functions()[name]["Properties"]["EventInvokeConfig"]
        assert config["DestinationConfig"]["OnFailure"] == {
            "Type": "SQS",
            "Destination": {"Fn::GetAtt": [queue, "Arn"]},
        }
        assert 0 <= config["MaximumRetryAttempts"] <= 2, name


def test_each_failure_queue_is_encrypted_keeps_14_days_and_alarms_ops_on_its_first_message():
    alarms = _alarms()
    for queue in ASYNC_FUNCTIONS.values():
        props = RESOURCES[queue]["Properties"]
        assert props["SqsManagedSseEnabled"] is True or "KmsMasterKeyId" in props, queue
        assert props["MessageRetentionPeriod"] == 14 * 24 * 3600, queue
        (alarm,) = [
            a
            for a in alarms.values()
            if a.get("Dimensions") == [{"Name": "QueueName", "Value": {"Fn::GetAtt": [queue, "QueueName"]}}]
        ]
        assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)


def test_sam_gives_each_role_sqs_send_message_on_its_own_failure_queue_only():
    resources = _transformed()["Resources"]
    for name in _functions():
        granted = [
            (s["Action"], s["Resource"])
            for p in resources[f"{name}Role"]["Properties"].get("Policies", [])
            for s in p["PolicyDocument"]["Statement"]
            if "sqs" in json.dumps(s["Action"]).lower()
        ]
        expected = (
            [("sqs:SendMessage", {"Fn::GetAtt": [ASYNC_FUNCTIONS[name], "Arn"]})] if name in ASYNC_FUNCTIONS else []
        )
        assert granted == expected, name


def test_access_logs_name_the_route_never_the_path_and_no_ip():
    api = RESOURCES["HttpApi"]["Properties"]
    logs = api["AccessLogSettings"]
    assert logs["DestinationArn"] == {"Fn::GetAtt": ["ApiAccessLogs", "Arn"]}
    fields = json.loads(logs["Format"])
    assert {"$context.requestId", "$context.routeKey", "$context.status", "$context.responseLatency"} <= set(
        fields.values()
    )
    for secret_or_personal in ("path", "sourceip", "useragent", "$context.identity"):
        assert secret_or_personal not in logs["Format"].lower()
    group = RESOURCES["ApiAccessLogs"]["Properties"]
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_every_route_is_throttled_and_the_forms_and_the_sign_in_more_strictly():
    api = RESOURCES["HttpApi"]["Properties"]
    default = api["DefaultRouteSettings"]
    routes = {
        f"{e['Properties']['Method'].upper()} {e['Properties']['Path']}"
        for f in _functions().values()
        for e in f["Properties"].get("Events", {}).values()
        if e["Type"] == "HttpApi"
    }
    assert set(api["RouteSettings"]) == {"POST /apply", "POST /refer", "POST /staff/sign-in"}
    for route, settings in api["RouteSettings"].items():
        assert route in routes  # a route key the API does not have fails the deploy
        assert settings["ThrottlingRateLimit"] < default["ThrottlingRateLimit"]
        assert settings["ThrottlingBurstLimit"] < default["ThrottlingBurstLimit"]


def test_the_sender_identity_is_created_only_when_asked_and_reports_to_the_configuration_set():
    parameter = TEMPLATE["Parameters"]["CreateSenderIdentity"]
    assert parameter["Default"] == "false" and set(parameter["AllowedValues"]) == {"true", "false"}
    identity = RESOURCES["SenderIdentity"]
    assert identity["Type"] == "AWS::SES::EmailIdentity"
    assert identity["Condition"] == "CreatesSenderIdentity"
    assert TEMPLATE["Conditions"]["CreatesSenderIdentity"] == {"Fn::Equals": [{"Ref": "CreateSenderIdentity"}, "true"]}
    assert identity["Properties"]["EmailIdentity"] == {"Ref": "SenderEmail"}
    assert identity["Properties"]["ConfigurationSetAttributes"] == {
        "ConfigurationSetName": {"Ref": "EmailConfigurationSet"}
    }


def test_the_dashboard_shows_every_workflow_every_function_and_every_failure_queue():
    body = RESOURCES["OpsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    named = set(re.findall(r"\$\{(\w+)", body))
    machines = set(tpl.resources_of(TEMPLATE, "AWS::Serverless::StateMachine"))
    assert machines | set(_functions()) | set(ASYNC_FUNCTIONS.values()) <= named
    for metric in ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted"):
        assert body.count(f'"{metric}"') == len(machines), metric
    for metric in ("Errors", "Throttles", "Duration"):
        assert body.count(f'"{metric}"') == len(_functions()), metric


def test_every_suppressed_checkov_check_says_why():
    for name, resource in RESOURCES.items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), name
            assert len(skip.get("comment", "")) > 40, (name, skip["id"])


def test_a_consultants_decision_page_answers_before_the_links_function_times_out_even_if_step_functions_hangs():
    """The decision is recorded first; sending it to the run gets QUICK_ATTEMPTS tries of one call
    each (no client retries on top), then it is owed. Even if every call hangs to its timeouts, the
    page is answered well inside the function's timeout: "registreret", never a 5xx."""
    from backup.adapters import stepfunctions
    from backup.usecases import delivery

    client = stepfunctions.StepFunctionsTaskResults().client
    assert client.meta.config.retries["total_max_attempts"] == stepfunctions.TASK_RESULT_ATTEMPTS == 1
    per_call = client.meta.config.connect_timeout + client.meta.config.read_timeout
    pauses = sum(delivery.QUICK_PAUSE_SECONDS * 2 * 2**attempt for attempt in range(delivery.QUICK_ATTEMPTS - 1))
    worst = delivery.QUICK_ATTEMPTS * per_call + pauses
    links_function = RESOURCES["ScreeningFunction"]["Properties"]
    timeout = links_function.get("Timeout", TEMPLATE["Globals"]["Function"]["Timeout"])
    assert worst < timeout * 0.75, f"{worst} s of tries in a {timeout} s function"
