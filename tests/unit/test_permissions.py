"""Least privilege, read from template.yaml: each role's actions against the list kept here. A new
permission must be added here on purpose, with the reason beside it."""

from local_stack import template as tpl

TABLE_RW = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"}
MAIL = {"ses:SendEmail", "ses:SendRawEmail"}
# The actions the template's Policies grant. On top of them, SAM grants sqs:SendMessage on its own
# failure queue (and nothing else) to each function invoked asynchronously (ScreeningFunction,
# EmailEventsFunction, WatchFunction, MatchingFunction: their EventInvokeConfig's on-failure
# destination); test_template.py checks that on the template as SAM transforms it.
EXPECTED = {
    # the forms: store a person once (Powertools idempotency deletes its spent records), start their run
    "IntakeFunction": TABLE_RW | {"dynamodb:DeleteItem", "states:StartExecution"},
    # the links: the only role that sends task results; deletes deliveries it has sent
    "ScreeningFunction": TABLE_RW
    | {"dynamodb:DeleteItem", "dynamodb:ConditionCheckItem", "states:SendTaskSuccess", "states:SendTaskFailure"},
    # the machines' tasks: owed task results go to the links function (lambda:InvokeFunction on it)
    "WorkflowFunction": TABLE_RW
    | MAIL
    | {"dynamodb:ConditionCheckItem", "lambda:InvokeFunction", "states:StartExecution"},
    # a match's support run: starts the support machine's executions (its first, and each year's next)
    "SupportFunction": TABLE_RW
    | MAIL
    | {"dynamodb:ConditionCheckItem", "lambda:InvokeFunction", "states:StartExecution"},
    "MatchingFunction": TABLE_RW
    | MAIL
    | {"dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "lambda:InvokeFunction", "states:StartExecution"},
    # ops' commands: no stage, no task results, no executions; a person's export and erasure scan
    # the table, and erasure deletes
    "OpsFunction": TABLE_RW
    | MAIL
    | {
        "dynamodb:ConditionCheckItem",
        "lambda:InvokeFunction",
        "dynamodb:Scan",
        "dynamodb:DeleteItem",
        "dynamodb:BatchWriteItem",
    },
    "StaffFunction": {"dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query"},
    # an event goes only onto a record that exists (ConditionCheckItem)
    "EmailEventsFunction": {
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:ConditionCheckItem",
    }
    | MAIL,
    # counts; certificates: starts renewals, records and tells about one that ran out; asks about
    # people inactive too long and closes them (their run's end is sent by the links function)
    "WatchFunction": {
        "dynamodb:Query",
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:ConditionCheckItem",
        "lambda:InvokeFunction",
        "states:StartExecution",
    }
    | MAIL,
    # network days and supervision: invite the target group (by stage), remind, close; each
    # gathering's run is started here; a seat is a transaction checked against the gathering
    "GatheringsFunction": TABLE_RW
    | MAIL
    | {"dynamodb:ConditionCheckItem", "dynamodb:BatchGetItem", "states:StartExecution"},
    # the sign-up page: answers (a seat only while one is free), a seat from the waiting list told by
    # email; staff's pages: a new gathering starts its run, a cancellation tells those signed up
    "GatheringPagesFunction": TABLE_RW
    | MAIL
    | {"dynamodb:ConditionCheckItem", "dynamodb:BatchGetItem", "states:StartExecution"},
}


def statements(resource):
    for policy in resource["Properties"].get("Policies", []):
        yield from policy.get("Statement", []) if isinstance(policy, dict) else []


def actions(resource):
    found = set()
    for statement in statements(resource):
        action = statement["Action"]
        found |= set(action if isinstance(action, list) else [action])
    return found


def functions():
    return tpl.resources_of(tpl.load(), "AWS::Serverless::Function")


def test_every_functions_role_has_exactly_the_actions_on_the_list():
    assert {name: actions(resource) for name, resource in functions().items()} == EXPECTED


def test_only_the_function_behind_the_decision_links_may_send_task_results():
    senders = {
        name
        for name, resource in functions().items()
        if any(action.startswith("states:SendTask") for action in actions(resource))
    }
    assert senders == {"ScreeningFunction"}


def test_the_functions_that_owe_task_results_may_invoke_the_links_function_and_nothing_else():
    for name, resource in functions().items():
        for statement in statements(resource):
            action = statement["Action"]
            if "lambda:InvokeFunction" in (action if isinstance(action, list) else [action]):
                assert statement["Resource"] == {"Fn::GetAtt": ["ScreeningFunction", "Arn"]}, name


def test_the_state_machines_invoke_only_their_task_functions():
    machines = tpl.resources_of(tpl.load(), "AWS::Serverless::StateMachine")
    for name, machine in machines.items():
        policies = machine["Properties"]["Policies"]
        invoked = {p["LambdaInvokePolicy"]["FunctionName"]["Ref"] for p in policies if "LambdaInvokePolicy" in p}
        allowed = (
            {"GatheringsFunction"}
            if name == "GatheringStateMachine"
            else {"WorkflowFunction", "MatchingFunction", "SupportFunction"}
        )
        assert invoked <= allowed, name
        others = {a for p in policies if "Statement" in p for s in p["Statement"] for a in s["Action"]}
        assert others and all(action.startswith("logs:") for action in others), name  # log delivery only


def test_the_ops_function_cannot_start_or_resume_a_run():
    assert not {a for a in actions(functions()["OpsFunction"]) if a.startswith("states:")}


def test_every_log_group_has_a_retention_and_every_function_and_machine_logs_into_one():
    template = tpl.load()
    groups = tpl.resources_of(template, "AWS::Logs::LogGroup")
    assert all(g["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"} for g in groups.values())
    named = {g["Properties"]["LogGroupName"]["Fn::Sub"] for g in groups.values()}
    assert {f"/aws/lambda/${{{name}}}" for name in functions()} <= named
    for name, machine in tpl.resources_of(template, "AWS::Serverless::StateMachine").items():
        logging = machine["Properties"]["Logging"]
        assert logging["IncludeExecutionData"] is False, name  # ids only, and kept out all the same


def test_no_trace_keeps_a_handlers_response_or_error():
    variables = tpl.load()["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false"
    assert variables["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false"


def test_no_topic_carries_an_address_and_only_the_alarms_and_the_ended_runs_rule_may_publish_to_ops():
    """Bounces and complaints (which hold recipients' addresses) go by EventBridge, not SNS; the one topic
    left carries alarm names and run ids to ops, and nothing else in or out of the account may use it."""
    template = tpl.load()
    resources = template["Resources"]
    assert list(tpl.resources_of(template, "AWS::SNS::Topic")) == ["OpsAlarmTopic"]
    destination = resources["EmailEventDestination"]["Properties"]["EventDestination"]
    assert set(destination) >= {"EventBridgeDestination"} and "SnsDestination" not in destination
    events = resources["EmailEventsFunction"]["Properties"]["Events"]
    assert [e["Type"] for e in events.values()] == ["EventBridgeRule"]
    [policy] = tpl.resources_of(template, "AWS::SNS::TopicPolicy").values()
    assert policy["Properties"]["Topics"] == [{"Ref": "OpsAlarmTopic"}]
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert {st["Principal"]["Service"]: st["Action"] for st in statements} == {
        "cloudwatch.amazonaws.com": "sns:Publish",
        "events.amazonaws.com": "sns:Publish",
    }
    for st in statements:
        assert st["Condition"], st  # this account's alarms; this stack's rule
        if st["Principal"]["Service"] == "events.amazonaws.com":
            assert st["Condition"] == {"ArnEquals": {"aws:SourceArn": {"Fn::GetAtt": ["RunEndedBadlyRule", "Arn"]}}}
