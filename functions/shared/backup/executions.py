"""How executions are named: after whom they concern, so ops find "volunteer-<id>" in the console.
Pure: the pages name the execution too, without the Step Functions adapter."""

from __future__ import annotations

from typing import Any

# Executions are named after whom they concern, so ops find "volunteer-<id>" in the console.
PREFIXES = {"VOLUNTEER": "volunteer", "YOUTH": "youth", "MATCH": "match"}


def execution_name(application_id: str, kind: str = "VOLUNTEER", run: int = 1) -> str:
    """A Standard execution lives at most a year, so a long wait in the pool carries on in a new
    run: "volunteer-<id>", then "volunteer-<id>-r2", "-r3" ... The profile's `run` says which is current."""
    return f"{PREFIXES[kind]}-{application_id}" + (f"-r{run}" if run > 1 else "")


def current_run(profile: dict[str, Any]) -> int:
    return int(profile.get("run", 1))


def run_of(name: str) -> int:
    """The run number in an execution's name: "youth-<id>-r3" is run 3, "youth-<id>" run 1."""
    head, _, number = name.rpartition("-r")
    return int(number) if head and number.isdigit() else 1
