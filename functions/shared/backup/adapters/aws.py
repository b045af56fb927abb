"""AWS clients, made the same way everywhere: botocore's standard retry mode (backoff with jitter
on throttling and transient errors, DynamoDB's ProvisionedThroughputExceeded and Lambda's
TooManyRequests among them), a few more attempts than the default, and short timeouts so a slow
call fails inside the function's own timeout rather than at it."""

from __future__ import annotations

from typing import Any

RETRIES = {"mode": "standard", "max_attempts": 6}


def _config() -> Any:
    from botocore.config import Config

    return Config(retries=RETRIES, connect_timeout=3, read_timeout=10)


def client(service: str) -> Any:
    import boto3

    return boto3.client(service, config=_config())


def resource(service: str) -> Any:
    import boto3

    return boto3.resource(service, config=_config())
