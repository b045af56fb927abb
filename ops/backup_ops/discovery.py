"""Finds a running BackUp stack: in AWS with the usual credentials, or the local stack.

The functions' configuration is the one source of truth: the template gives every function
TABLE_NAME and the intake function STATE_MACHINE_ARN, so ops read them from there instead of
guessing names. Function names come from CloudFormation; when CloudFormation does not know the
stack (the local stack has no CloudFormation), the local naming `<stack>-<LogicalId>` is used.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
)

DEFAULT_REGION = "eu-west-1"
DEFAULT_STACK = "backup"
LOCAL_STACK = "backup-local"
OPS_FUNCTION = "OpsFunction"  # the one function ops may invoke (and read the configuration of)
INTAKE_FUNCTION = "IntakeFunction"
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}  # noqa: S104 - compared, never bound


class OpsError(Exception):
    """Something ops must know, in one sentence; the command line prints it and exits non-zero."""


def is_local(endpoint_url: str | None) -> bool:
    if not endpoint_url:
        return False
    host = urlparse(endpoint_url).hostname or ""
    return host in _LOOPBACK or host.startswith("127.")


def explain(error: Exception, endpoint_url: str | None = None) -> str:
    """One sentence for an AWS error, never a traceback."""
    if isinstance(error, OpsError):
        return str(error)
    if isinstance(error, EndpointConnectionError):
        where = endpoint_url or getattr(error, "kwargs", {}).get("endpoint_url") or "AWS"
        hint = " Is the local stack running (make run)?" if is_local(endpoint_url) else ""
        return f"Cannot reach the AWS endpoint {where}.{hint}"
    if isinstance(error, (NoCredentialsError, PartialCredentialsError)):
        return (
            "No AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
            "(any values work against the local stack)."
        )
    if isinstance(error, ClientError):
        info = error.response.get("Error", {})
        code = info.get("Code", "Error")
        message = str(info.get("Message") or "").strip().rstrip(".")
        operation = getattr(error, "operation_name", "the call")
        return f"AWS refused {operation} ({code}): {message}." if message else f"AWS refused {operation} ({code})."
    if isinstance(error, BotoCoreError):
        return f"The AWS call failed: {str(error).rstrip('.')}."
    return f"{type(error).__name__}: {error}"


@dataclass
class Target:
    """Where ops look: one region, one endpoint, one stack, and the resources found in it."""

    region: str
    endpoint_url: str | None
    stack: str
    session: Any = field(repr=False)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _functions: dict[str, str] = field(default_factory=dict, repr=False)
    _environments: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    @property
    def local(self) -> bool:
        return is_local(self.endpoint_url)

    def _config(self, service: str) -> Config:
        # the workflow function may take a while to send an email; everything else answers fast
        read_timeout = 90 if service == "lambda" else 30
        return Config(
            region_name=self.region,
            connect_timeout=5,
            read_timeout=read_timeout,
            retries={"mode": "standard", "max_attempts": 3},
        )

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service, endpoint_url=self.endpoint_url, config=self._config(service)
            )
        return self._clients[service]

    def dynamodb(self) -> Any:
        """A DynamoDB resource (what backup.adapters.dynamodb.Repository expects)."""
        if "dynamodb-resource" not in self._clients:
            self._clients["dynamodb-resource"] = self.session.resource(
                "dynamodb", endpoint_url=self.endpoint_url, config=self._config("dynamodb")
            )
        return self._clients["dynamodb-resource"]

    # --- the stack's resources ---------------------------------------------------------------------

    def function_name(self, logical_id: str) -> str:
        if logical_id not in self._functions:
            self._functions[logical_id] = self._physical_id(logical_id)
        return self._functions[logical_id]

    def _physical_id(self, logical_id: str) -> str:
        try:
            found = self.client("cloudformation").describe_stack_resource(
                StackName=self.stack, LogicalResourceId=logical_id
            )
            return str(found["StackResourceDetail"]["PhysicalResourceId"])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ValidationError":
                raise
            # CloudFormation does not know this stack (or this resource): the local stack's naming
            return f"{self.stack}-{logical_id}"

    def environment(self, logical_id: str) -> dict[str, str]:
        if logical_id not in self._environments:
            name = self.function_name(logical_id)
            try:
                configuration = self.client("lambda").get_function_configuration(FunctionName=name)
            except ClientError as error:
                if error.response.get("Error", {}).get("Code") == "ResourceNotFoundException":
                    raise OpsError(
                        f"There is no function {name} in {self.region}: is the stack '{self.stack}' deployed "
                        f"there (choose another with --stack or BACKUP_STACK)?"
                    ) from None
                raise
            self._environments[logical_id] = dict(configuration.get("Environment", {}).get("Variables", {}))
        return self._environments[logical_id]

    def _variable(self, logical_id: str, variable: str) -> str:
        value = self.environment(logical_id).get(variable)
        if not value:
            raise OpsError(f"The function {self.function_name(logical_id)} has no {variable} in its environment.")
        return value

    @property
    def table_name(self) -> str:
        return self._variable(OPS_FUNCTION, "TABLE_NAME")

    @property
    def state_machine_arn(self) -> str:
        return self._variable(INTAKE_FUNCTION, "STATE_MACHINE_ARN")

    @property
    def ops_function(self) -> str:
        return self.function_name(OPS_FUNCTION)

    def caller(self) -> str:
        """Who runs the command, for the person's history. In AWS the verified identity (the STS
        ARN, with the login name beside it for people to read); locally the login name."""
        login = next(
            (os.environ[v] for v in ("BACKUP_OPS_USER", "USER", "USERNAME", "LOGNAME") if os.environ.get(v)), ""
        )
        if self.local:
            return login or "ops"
        try:
            arn = str(self.client("sts").get_caller_identity()["Arn"])
        except (ClientError, BotoCoreError):
            return login or "ops"
        return f"{arn} ({login})" if login else arn


def connect(endpoint_url: str | None = None, region: str | None = None, stack: str | None = None) -> Target:
    """The target described by the options, the environment and the AWS configuration, in that order."""
    endpoint_url = endpoint_url or os.environ.get("AWS_ENDPOINT_URL") or None
    local = is_local(endpoint_url)
    try:
        session = boto3.session.Session(region_name=region)
        resolved_region = region or session.region_name or DEFAULT_REGION
        if local and session.get_credentials() is None:
            # the local stack accepts any credentials: do not make people invent some
            session = boto3.session.Session(
                region_name=resolved_region,
                aws_access_key_id="local",
                aws_secret_access_key="local",  # noqa: S106 - local dummy
            )
    except BotoCoreError as error:  # e.g. an AWS_PROFILE that does not exist
        raise OpsError(explain(error, endpoint_url)) from None
    stack = stack or os.environ.get("BACKUP_STACK") or (LOCAL_STACK if local else DEFAULT_STACK)
    return Target(region=resolved_region, endpoint_url=endpoint_url, stack=stack, session=session)
