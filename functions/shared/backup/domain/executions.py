"""How executions are named: after whom they concern, so ops find "volunteer-<id>" in the console.
Pure: the pages and the ops tool name executions too, without the Step Functions adapter."""

from __future__ import annotations

from backup.domain.kinds import RecordKind


def execution_name(record_id: str, kind: RecordKind, run: int = 1) -> str:
    """A Standard execution lives at most a year, so a long wait in the pool carries on in a new
    run: "volunteer-<id>", then "volunteer-<id>-r2", "-r3" ... The record's `run` says which is current."""
    return f"{kind.prefix}-{record_id}" + (f"-r{run}" if run > 1 else "")


def run_of(name: str) -> int:
    """The run number in an execution's name: "youth-<id>-r3" is run 3, "youth-<id>" run 1."""
    head, _, number = name.rpartition("-r")
    return int(number) if head and number.isdigit() else 1


def execution_arn(state_machine_arn: str, record_id: str, kind: RecordKind, run: int = 1) -> str:
    """The ARN of a record's execution: its machine's ARN with the execution's name."""
    return state_machine_arn.replace(":stateMachine:", ":execution:") + ":" + execution_name(record_id, kind, run)
