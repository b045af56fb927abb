"""Shared fixtures: the local stack as `make run` starts it, on free ports, once per session."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from local_stack.client import Client
from local_stack.stack import free_port

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class RunningStack:
    web: str
    endpoint: str
    table: str
    state_machines: dict[str, str]
    parameters: dict[str, str]
    functions: dict[str, str]
    log_path: Path
    process: subprocess.Popen[Any]
    staff_users: dict[str, str] = field(default_factory=dict)  # the local stack's staff sign-ins

    @property
    def client(self) -> Client:
        return Client(self.web, self.endpoint, self.table)

    @property
    def volunteer_machine(self) -> str:
        return self.state_machines["VolunteerStateMachine"]

    @property
    def consultant(self) -> str:
        return self.parameters["ConsultantEmail"]

    def sign_in(self, username: str | None = None, password: str | None = None) -> requests.Response:
        """POST /staff/sign-in as a staff user the stack created (the consultant by default)."""
        username = username or self.consultant
        password = password if password is not None else self.staff_users[username]
        return requests.post(f"{self.web}/staff/sign-in", json={"username": username, "password": password}, timeout=30)

    def staff_headers(self) -> dict[str, str]:
        """The Authorization header a signed-in staff member's page sends to a staff route."""
        signed_in = self.sign_in()
        assert signed_in.status_code == 200, signed_in.text
        return {"Authorization": f"Bearer {signed_in.json()['id_token']}"}

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def start_stack(tmp: Path, name: str, params: dict[str, str], attempts: int = 3) -> RunningStack:
    """Start `python -m local_stack` on free ports and wait until it serves. A free port can be
    taken by someone else before the stack binds it: then the stack says so, and we try new ones."""
    for attempt in range(attempts):
        try:
            return _start_stack_once(tmp, name, params)
        except PortTaken:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


class PortTaken(RuntimeError):
    pass


def _start_stack_once(tmp: Path, name: str, params: dict[str, str]) -> RunningStack:
    ready = tmp / f"{name}-ready.json"
    log = tmp / f"{name}.log"
    command = [
        sys.executable,
        "-m",
        "local_stack",
        "--api-port",
        str(free_port()),
        "--aws-port",
        str(free_port()),
        "--log-file",
        str(log),
        "--ready-file",
        str(ready),
    ]
    for key, value in params.items():
        command += ["--param", f"{key}={value}"]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 90
    while not ready.exists():
        if process.poll() is not None:
            said = process.stderr.read() if process.stderr else ""
            raise (PortTaken if "in use" in said else RuntimeError)(f"the local stack did not start: {said}")
        if time.time() > deadline:
            process.kill()
            raise RuntimeError("the local stack did not start within 90 s")
        time.sleep(0.1)
    info = json.loads(ready.read_text())
    requests.get(info["web"] + "/health", timeout=30).raise_for_status()
    return RunningStack(
        info["web"],
        info["endpoint"],
        info["table"],
        info["state_machines"],
        info["parameters"],
        info["functions"],
        log,
        process,
        info.get("staff_users", {}),
    )


def stop_stack(stack: RunningStack) -> None:
    stack.process.send_signal(signal.SIGINT)
    try:
        stack.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        stack.process.kill()


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A local stack with screening steps that wait a minute before reminding: time enough to act."""
    running = start_stack(tmp_path_factory.mktemp("stack"), "stack", {"ReminderDelaySeconds": "60"})
    yield running
    stop_stack(running)


@pytest.fixture(scope="session")
def fast_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    """A local stack whose steps remind after 3 s and escalate after 2 reminders, and whose runs
    carry on in a new execution after 5 s in the pool (in AWS: after 330 days)."""
    running = start_stack(
        tmp_path_factory.mktemp("fast"),
        "fast",
        {"ReminderDelaySeconds": "3", "MaxReminders": "2", "RunLifetimeSeconds": "5"},
    )
    yield running
    stop_stack(running)


os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-1")
