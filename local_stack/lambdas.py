"""Warm worker processes per function, started with exactly the environment the template gives.

A function gets a new worker when all of its workers are busy (up to a small limit), as Lambda
scales out for concurrent requests; a worker that overruns the function's timeout is killed,
as Lambda kills a timed-out sandbox.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import sysconfig
import threading
import time
import uuid
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from local_stack.template import ACCOUNT_ID, REGION, FunctionSpec

WORKER = Path(__file__).with_name("worker.py")
MAX_WORKERS_PER_FUNCTION = 4
# A worker idle this long is stopped (one per function stays warm), as Lambda reclaims idle sandboxes:
# a burst leaves up to four per function, 55-70 MiB each, which an idle stack need not keep (at
# 1,000 waiting, the eight a consultant's few decisions had left took the stack over 2 GB for a minute).
# Under steady load a worker is idle for milliseconds, so this stops only what a burst left behind.
IDLE_WORKER_SECONDS = 20.0
# The Lambda runtime ships boto3; everything else must come from the layer's requirements.
RUNTIME_PACKAGES = ["boto3"]


@dataclass
class Outcome:
    ok: bool
    result: Any = None
    error: dict[str, Any] | None = None


def _requirement_names(requirements: Path) -> list[str]:
    names = []
    if requirements.exists():
        for line in requirements.read_text().splitlines():
            line = line.split("#")[0].strip()
            if line:
                names.append(line)
    return names


def allowed_top_level_modules(folders: list[Path]) -> set[str]:
    """Top-level modules of the requirements in these folders and the runtime's boto3, with their
    dependencies: what `sam build` would package."""
    from packaging.requirements import Requirement

    wanted = [Requirement(r) for d in folders for r in _requirement_names(d / "requirements.txt")]
    wanted += [Requirement(r) for r in RUNTIME_PACKAGES]
    seen: set[str] = set()
    while wanted:
        requirement = wanted.pop()
        key = requirement.name.lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        try:
            dist = metadata.distribution(requirement.name)
        except metadata.PackageNotFoundError:
            continue  # an optional dependency that is not installed: not importable anyway
        for text in dist.requires or []:
            dependency = Requirement(text)
            if dependency.marker is None or any(
                dependency.marker.evaluate({"extra": extra}) for extra in ("", *requirement.extras)
            ):
                wanted.append(dependency)
    modules: set[str] = set()
    for module, dists in metadata.packages_distributions().items():
        if any(d.lower().replace("_", "-") in seen for d in dists):
            modules.add(module)
    return modules


def lambda_environment(spec: FunctionSpec, endpoint: str) -> dict[str, str]:
    """What a Lambda sandbox sets, plus the template's variables, plus the local endpoint."""
    runtime_version = spec.runtime.replace("python", "")
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "PYTHONUNBUFFERED": "1",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_SESSION_TOKEN": "local",
        "AWS_LAMBDA_FUNCTION_NAME": spec.name,
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(spec.memory),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{spec.name}",
        "AWS_EXECUTION_ENV": f"AWS_Lambda_python{runtime_version}",
        "_HANDLER": spec.handler,
        "LAMBDA_TASK_ROOT": str(spec.code_dir),
        "LOCAL_FUNCTION_ARN": f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{spec.name}",
        # There is no X-Ray daemon here; the tracer would only complain about missing segments.
        "POWERTOOLS_TRACE_DISABLED": "true",
        **spec.environment,
        "AWS_ENDPOINT_URL": endpoint,
    }


class Worker:
    def __init__(self, spec: FunctionSpec, env: dict[str, str], allowed: set[str], log: IO[str] | None):
        config = {
            "code_dir": str(spec.code_dir),
            "layer_dirs": [str(d) for d in spec.layer_dirs],
            "site_packages": [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]],
            "allowed": sorted(allowed),
            "handler": spec.handler,
            "timeout": spec.timeout,
        }
        self.process = subprocess.Popen(
            [sys.executable, "-I", "-S", str(WORKER), json.dumps(config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log if log is not None else None,
            env=env,
            cwd=str(spec.code_dir),
            text=True,
            bufsize=1,
        )
        self.answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.idle_since = time.monotonic()
        threading.Thread(target=self._read, daemon=True).start()
        self.ready = self.answers.get(timeout=60)

    def _read(self) -> None:
        assert self.process.stdout
        for line in self.process.stdout:
            self.answers.put(json.loads(line))
        self.answers.put(None)

    def invoke(self, event: Any, timeout: float) -> Outcome:
        assert self.process.stdin
        self.process.stdin.write(json.dumps({"event": event, "request_id": str(uuid.uuid4())}) + "\n")
        self.process.stdin.flush()
        try:
            answer = self.answers.get(timeout=timeout)
        except queue.Empty:
            self.stop()
            return Outcome(
                False,
                error={"errorType": "Sandbox.Timedout", "errorMessage": f"Task timed out after {timeout:.2f} seconds"},
            )
        if answer is None:
            return Outcome(False, error={"errorType": "Runtime.ExitError", "errorMessage": "the worker process exited"})
        return Outcome(answer["ok"], answer.get("result"), answer.get("error"))

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.alive:
            self.process.kill()
        self.process.wait()


@dataclass
class _Start:
    """A worker being started for a request: until it is ready, and why it could not start."""

    pending: bool = True
    error: Exception | None = None


class FunctionPool:
    def __init__(self, spec: FunctionSpec, endpoint: str, log: IO[str] | None):
        self.spec = spec
        self.env = lambda_environment(spec, endpoint)
        # the function's own requirements.txt deploys with it (numpy and scipy for matching)
        self.allowed = allowed_top_level_modules([*spec.layer_dirs, spec.code_dir])
        self.log = log
        self.idle: list[Worker] = []
        self.count = 0
        self.lock = threading.Condition()
        self.closed = False

    def _take(self) -> Worker:
        """The first worker free. When all are busy (and there may be more), a new one is started
        meanwhile, and this request takes whichever is free first: a worker that finishes its request
        in a tenth of a second, or the new one after its cold start (a second or two here)."""
        mine: _Start | None = None
        with self.lock:
            while True:
                if self.closed:
                    raise RuntimeError("the local stack is stopping")
                while self.idle:
                    worker = self.idle.pop()
                    if worker.alive:
                        return worker
                    self.count -= 1
                if mine is not None and mine.error is not None:
                    raise mine.error
                if (mine is None or not mine.pending) and self.count < MAX_WORKERS_PER_FUNCTION:
                    self.count += 1
                    mine = _Start()
                    threading.Thread(target=self._start, args=(mine,), daemon=True).start()
                self.lock.wait()

    def _start(self, start: _Start) -> None:
        try:
            worker = Worker(self.spec, self.env, self.allowed, self.log)
        except Exception as exc:  # noqa: BLE001 - the request that asked for it raises it
            with self.lock:
                self.count -= 1
                start.pending, start.error = False, exc
                self.lock.notify_all()
            return
        with self.lock:
            start.pending = False
            self._give_back(worker)

    def _give_back(self, worker: Worker) -> None:
        with self.lock:
            if worker.alive and not self.closed:
                worker.idle_since = time.monotonic()
                self.idle.append(worker)
            else:
                self.count -= 1
                worker.stop()
            self.lock.notify()

    def warm(self) -> None:
        self._give_back(self._take())

    def retire_idle(self, seconds: float = IDLE_WORKER_SECONDS) -> None:
        """Stop the workers idle for `seconds` but one (the idle list's oldest are first)."""
        retired = []
        with self.lock:
            while len(self.idle) > 1 and time.monotonic() - self.idle[0].idle_since > seconds:
                retired.append(self.idle.pop(0))
                self.count -= 1
            self.lock.notify_all()
        for worker in retired:
            worker.stop()

    def invoke(self, event: Any) -> Outcome:
        worker = self._take()
        try:
            return worker.invoke(event, self.spec.timeout)
        finally:
            self._give_back(worker)

    def close(self) -> None:
        with self.lock:
            self.closed = True
            workers, self.idle = self.idle, []
            self.lock.notify_all()
        for worker in workers:
            worker.stop()


class Lambdas:
    """All functions of the template, by their physical name."""

    def __init__(self, specs: list[FunctionSpec], endpoint: str, log: IO[str] | None = None):
        self.pools = {spec.name: FunctionPool(spec, endpoint, log) for spec in specs}
        self._closed = threading.Event()
        threading.Thread(target=self._retire_idle_workers, daemon=True).start()

    def _retire_idle_workers(self) -> None:
        while not self._closed.wait(IDLE_WORKER_SECONDS / 4):
            for pool in self.pools.values():
                pool.retire_idle()

    def warm(self) -> None:
        threads = [threading.Thread(target=pool.warm) for pool in self.pools.values()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def invoke(self, function_name: str, event: Any) -> Outcome:
        name = function_name.rsplit(":function:", 1)[-1].split(":")[0]
        if name not in self.pools:
            return Outcome(
                False,
                error={
                    "errorType": "ResourceNotFoundException",
                    "errorMessage": f"Function not found: {function_name}",
                },
            )
        return self.pools[name].invoke(event)

    def close(self) -> None:
        self._closed.set()
        for pool in self.pools.values():
            pool.close()
