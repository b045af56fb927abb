"""Step Functions adapter: start a person's execution, resume or fail a waiting step."""

from __future__ import annotations

import json
from typing import Any

import boto3
from botocore.exceptions import ClientError

from backup.executions import execution_name


class StepNotWaiting(Exception):
    """The execution no longer waits on this token (decided, timed out or ended)."""


# AWS answers TaskTimedOut / TaskDoesNotExist; moto's engine answers InvalidToken for a
# timed-out task. All mean the same to us: that wait is over.
_GONE = {"TaskDoesNotExist", "TaskTimedOut", "InvalidToken"}


class WorkflowEngine:
    def __init__(self, state_machine_arn: str | None = None, client: Any | None = None, kind: str = "VOLUNTEER"):
        self.state_machine_arn = state_machine_arn
        self.kind = kind
        self.client = client or boto3.client("stepfunctions")

    def start(self, application_id: str, settings: dict[str, Any] | None = None, run: int = 1) -> str:
        """Start the person's (or match's) execution once; a second start of the same id (and run)
        is a no-op."""
        name = execution_name(application_id, self.kind, run)
        try:
            response = self.client.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=name,
                input=json.dumps({"application_id": application_id, **(settings or {})}),
            )
            return str(response["executionArn"])
        except ClientError as error:
            if error.response["Error"]["Code"] != "ExecutionAlreadyExists":
                raise
            return self.execution_arn(application_id, run)

    def execution_arn(self, application_id: str, run: int = 1) -> str:
        assert self.state_machine_arn
        return self.state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + execution_name(
            application_id, self.kind, run)

    def resume(self, task_token: str, output: dict[str, Any]) -> None:
        self._send(self.client.send_task_success, taskToken=task_token, output=json.dumps(output))

    def fail(self, task_token: str, error: str, cause: str) -> None:
        self._send(self.client.send_task_failure, taskToken=task_token, error=error, cause=cause)

    @staticmethod
    def _send(call: Any, **kwargs: Any) -> None:
        try:
            call(**kwargs)
        except ClientError as error:
            if error.response["Error"]["Code"] in _GONE:
                raise StepNotWaiting(error.response["Error"]["Code"]) from error
            raise
