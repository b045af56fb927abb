"""Step Functions adapter: start a record's execution, resume or fail a waiting step."""

from __future__ import annotations

import json
from typing import Any

from backup.adapters import aws
from backup.domain.errors import StepNotWaiting
from backup.domain.executions import execution_name
from backup.domain.kinds import RecordKind

# AWS answers TaskTimedOut / TaskDoesNotExist; moto's engine answers InvalidToken for a
# timed-out task. All mean the same to us: that wait is over.
_GONE = {"TaskDoesNotExist", "TaskTimedOut", "InvalidToken"}


class _Client:
    def __init__(self, client: Any | None = None):
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws.client("stepfunctions")
        return self._client


# Task results are sent while a consultant waits for their page, and the Deliverer
# (usecases/delivery.py) retries them itself, then leaves them owed: one attempt per call and short
# timeouts, so its quick tries end well inside the function's timeout even when Step Functions hangs.
TASK_RESULT_ATTEMPTS = 1
TASK_RESULT_CONNECT_SECONDS = 1.0
TASK_RESULT_READ_SECONDS = 2.0


class StepFunctionsTaskResults(_Client):
    """The task-results port: SendTaskSuccess / SendTaskFailure."""

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = aws.client(
                "stepfunctions",
                attempts=TASK_RESULT_ATTEMPTS,
                connect_timeout=TASK_RESULT_CONNECT_SECONDS,
                read_timeout=TASK_RESULT_READ_SECONDS,
            )
        return self._client

    def resume(self, task_token: str, output: dict[str, Any]) -> None:
        self._send(self.client.send_task_success, taskToken=task_token, output=json.dumps(output))

    def fail(self, task_token: str, error: str, cause: str) -> None:
        self._send(self.client.send_task_failure, taskToken=task_token, error=error, cause=cause)

    @staticmethod
    def _send(call: Any, **kwargs: Any) -> None:
        try:
            call(**kwargs)
        except Exception as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code in _GONE:
                raise StepNotWaiting(code) from error
            raise


class StepFunctionsExecutions(_Client):
    """The executions port for one state machine: one execution per record (and run)."""

    def __init__(self, state_machine_arn: str, kind: RecordKind, client: Any | None = None):
        super().__init__(client)
        self.state_machine_arn = state_machine_arn
        self.kind = kind

    def start(
        self, record_id: str, execution_input: dict[str, Any] | None = None, run: int = 1, name: str | None = None
    ) -> str:
        """Start the record's execution once; a second start of the same name is a no-op."""
        name = name or execution_name(record_id, self.kind, run)
        try:
            response = self.client.start_execution(
                stateMachineArn=self.state_machine_arn,
                name=name,
                input=json.dumps(execution_input or {}),
            )
            return str(response["executionArn"])
        except Exception as error:
            if getattr(error, "response", {}).get("Error", {}).get("Code") != "ExecutionAlreadyExists":
                raise
            return self.state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + name
