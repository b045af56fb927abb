"""moto-backed fixtures: the template's table, SES with a verified sender, and handler loading."""

from __future__ import annotations

import importlib.util
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


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for key, value in {"AWS_DEFAULT_REGION": tpl.REGION, "AWS_REGION": tpl.REGION, "AWS_ACCESS_KEY_ID": "test",
                       "AWS_SECRET_ACCESS_KEY": "test"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    serialise_dynamodb_writes()
    with mock_aws():
        yield


@pytest.fixture
def table(aws: None) -> str:
    """The table exactly as template.yaml declares it."""
    template = tpl.load()
    context = tpl.Context(tpl.parameter_defaults(template, {"SenderEmail": SENDER, "ConsultantEmail": "k@x.dk",
                                                            "OpsEmail": "o@x.dk"}))
    arguments = tpl.table_arguments(template["Resources"]["Table"], context)
    boto3.client("dynamodb").create_table(TableName=TABLE, **arguments)
    return TABLE


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


def load_handler(function: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    """Import functions/<function>/app.py fresh, with exactly the given environment added."""
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "true")
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "BackUp")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "backup")
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", f"test-{function}")
    name = f"handler_{function}"
    spec = importlib.util.spec_from_file_location(name, ROOT / "functions" / function / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class LambdaContext:
    function_name = "test"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:test"
    aws_request_id = "req-1"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000
