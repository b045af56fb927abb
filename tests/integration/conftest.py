"""moto-backed fixtures: the template's table, SES with a verified sender, and handler loading."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from local_stack import template as tpl
from local_stack.moto_fixes import serialise_dynamodb_writes

ROOT = Path(__file__).resolve().parents[2]
TABLE = "backup-test"
SENDER = "backup@rodekors.example"


@contextlib.contextmanager
def mocked_aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto in the template's region, with the local stack's serialised writes."""
    for key, value in {
        "AWS_DEFAULT_REGION": tpl.REGION,
        "AWS_REGION": tpl.REGION,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
    }.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    serialise_dynamodb_writes()
    with mock_aws():
        yield


def create_table() -> str:
    """The table exactly as template.yaml declares it."""
    template = tpl.load()
    context = tpl.Context(
        tpl.parameter_defaults(template, {"SenderEmail": SENDER, "ConsultantEmail": "k@x.dk", "OpsEmail": "o@x.dk"})
    )
    arguments = tpl.table_arguments(template["Resources"]["Table"], context)
    boto3.client("dynamodb").create_table(TableName=TABLE, **arguments)
    return TABLE


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with mocked_aws(monkeypatch):
        yield


@pytest.fixture
def table(aws: None) -> str:
    """The table exactly as template.yaml declares it."""
    return create_table()


@pytest.fixture
def ses(aws: None) -> Any:
    client = boto3.client("sesv2")
    client.create_email_identity(EmailIdentity=SENDER)
    boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
    return client


def sent_emails() -> list[Any]:
    from moto.ses.models import ses_backends

    return list(ses_backends[tpl.ACCOUNT_ID][tpl.REGION].sent_messages)


class Clock:
    """A clock tests can move."""

    def __init__(self) -> None:
        self.at = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.at


def template_environment(logical_id: str) -> dict[str, str]:
    """The function's variables as the template resolves them (names for the resources)."""
    template = tpl.load()
    context = tpl.Context(
        tpl.parameter_defaults(
            template,
            {
                "SenderEmail": "backup@rodekors.example",
                "ConsultantEmail": "k@rodekors.example",
                "OpsEmail": "o@rodekors.example",
            },
        )
    )
    for name, condition in template.get("Conditions", {}).items():
        context.conditions[name] = context.condition(condition)
    for logical, resource in template["Resources"].items():
        context.refs.setdefault(logical, f"backup-test-{logical}")
        for attribute in ("Arn", "Name"):
            context.attributes[(logical, attribute)] = f"arn:aws:test:::{logical}"
    (spec,) = [s for s in tpl.function_specs(template, context) if s.logical_id == logical_id]
    return spec.environment


# whom the pages name as the person to reach (the template's Globals give every function these)
CONTACT = {
    "CONSULTANT_EMAIL": "konsulent@rodekors.example",
    "CONSULTANT_NAME": "Karen Konsulent",
    "CONSULTANT_PHONE": "+45 35 25 92 00",
    "REGIONAL_CONSULTANTS": "Hovedstaden=hanne@rodekors.example;Hanne Hovedstad;35259201",
}


def load_handler(function: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Import functions/<function>/app.py fresh, with exactly the given environment added."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "BackUp")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "backup")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", f"test-{function}")
    name = f"handler_{function}"
    spec = importlib.util.spec_from_file_location(name, ROOT / "functions" / function / f"{function}_handler.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def screening(table: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The links function (decision, support and withdraw pages) on `table`, with whom pages name."""
    return load_handler("screening", {"TABLE_NAME": table, **CONTACT}, monkeypatch)


class LambdaContext:
    function_name = "test"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:test"
    aws_request_id = "req-1"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


VOLUNTEER_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:backup-volunteer"
YOUTH_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:backup-youth"


@pytest.fixture
def intake(table: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The intake handler, with the two state machines it starts runs of (they just succeed)."""
    return intake_handler(table, monkeypatch)


def intake_handler(table: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The intake handler on `table` (created already), and the two state machines it starts runs of."""
    for arn in (VOLUNTEER_MACHINE, YOUTH_MACHINE):
        boto3.client("stepfunctions").create_state_machine(
            name=arn.rsplit(":", 1)[1],
            roleArn="arn:aws:iam::123456789012:role/x",
            definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
        )
    return load_handler(
        "intake",
        {
            "TABLE_NAME": table,
            "STATE_MACHINE_ARN": VOLUNTEER_MACHINE,
            "YOUTH_STATE_MACHINE_ARN": YOUTH_MACHINE,
            "OPS_EMAIL": "drift@rodekors.example",
            **CONTACT,
        },
        monkeypatch,
    )


def post_form(
    intake: Any,
    path: str,
    method: str = "POST",
    body: bytes = b"",
    content_type: str = "application/json",
    accept: str = "application/json",
) -> Any:
    """A request to the intake handler as API Gateway delivers it."""
    from local_stack.front_door import http_api_event

    headers = {"host": "backup.example", "content-type": content_type, "accept": accept}
    event = http_api_event(method, path, headers, body, f"{method} {path}", {}, "127.0.0.1")
    return intake.lambda_handler(event, LambdaContext())


def executions(machine: str) -> list[Any]:
    return list(boto3.client("stepfunctions").list_executions(stateMachineArn=machine)["executions"])
