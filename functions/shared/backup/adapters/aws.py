"""AWS clients, made the same way everywhere: botocore's standard retry mode (backoff with jitter
on throttling and transient errors, DynamoDB's ProvisionedThroughputExceeded and Lambda's
TooManyRequests among them), a few more attempts than the default, and short timeouts so a slow
call fails inside the function's own timeout rather than at it."""

from __future__ import annotations

from typing import Any

MAX_ATTEMPTS = 6
CONNECT_TIMEOUT_SECONDS = 3
READ_TIMEOUT_SECONDS = 10


def _config(attempts: int, connect_timeout: float, read_timeout: float) -> Any:
    from botocore.config import Config

    return Config(
        retries={"mode": "standard", "total_max_attempts": attempts},  # the first try included
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
    )


def client(
    service: str,
    attempts: int = MAX_ATTEMPTS,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    read_timeout: float = READ_TIMEOUT_SECONDS,
) -> Any:
    """A client; a caller that retries on its own (and must answer a person in time) asks for fewer
    attempts and shorter timeouts, so the retries do not multiply."""
    import boto3

    return boto3.client(service, config=_config(attempts, connect_timeout, read_timeout))


def resource(service: str) -> Any:
    import boto3

    return boto3.resource(service, config=_config(MAX_ATTEMPTS, CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS))
