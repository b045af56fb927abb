"""Warm worker processes per function, with exactly the environment the template gives.

Each function has a fork server (a "zygote", local_stack/worker.py) started with that environment,
which imports the handler once; its workers are forked from it, so a new worker costs a fork and
its first invoke instead of a new interpreter and the whole import. A function gets a new worker
when all of its workers are busy (up to a small limit), as Lambda scales out for concurrent
requests; a worker that overruns the function's timeout is killed, as Lambda kills a timed-out
sandbox.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
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
# a burst leaves up to four per function, about 40 MiB of PSS each once they have served requests
# (forked or not: reference counting copies the pages they share with the zygote), which an idle stack
# need not keep. Forked, a new one costs a fork and its first invoke (about 0.2 s of CPU for intake),
# so keeping them longer buys little latency (docs/benchmarks.md, "Fork server pass").
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
    """One worker forked by its function's zygote: a connection for its requests and answers (JSON
    lines), and a pidfd (Linux) or pid to stop it by. It is the zygote's child, not the stack's: the
    zygote has the kernel reap it, and the stack knows it has exited when its connection ends (the
    worker holds the only other end)."""

    def __init__(self, pid: int, connection_fd: int, pidfd: int | None):
        for fd in (connection_fd, pidfd):
            if fd is not None:
                os.set_inheritable(fd, False)  # received descriptors are inheritable; no other child needs them
        self.pid = pid
        self.pidfd = pidfd
        self.connection = socket.socket(fileno=connection_fd)
        self.answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.exited = threading.Event()
        self.stopped = False
        self.idle_since = time.monotonic()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        with self.connection.makefile("r", encoding="utf-8") as answers:
            for line in answers:
                self.answers.put(json.loads(line))
        self.answers.put(None)
        self.exited.set()

    def invoke(self, event: Any, timeout: float) -> Outcome:
        request = json.dumps({"event": event, "request_id": str(uuid.uuid4())}) + "\n"
        try:
            self.connection.sendall(request.encode())
        except OSError:  # it exited between being taken and being asked
            return Outcome(False, error={"errorType": "Runtime.ExitError", "errorMessage": "the worker process exited"})
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
        return not self.exited.is_set()

    def stop(self) -> None:
        """Kill it (it may be stuck in a handler) and wait until it has exited."""
        if self.stopped:
            return
        self.stopped = True
        if self.alive:
            try:
                if self.pidfd is not None:
                    signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
                else:
                    os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass  # it exited meanwhile
            self.exited.wait(timeout=10)
        self.connection.close()
        if self.pidfd is not None:
            os.close(self.pidfd)


class ZygoteError(RuntimeError):
    """A function's fork server cannot give a worker: it died, stopped answering, or is unsafe to fork."""


class Zygote:
    """A function's fork server (local_stack/worker.py): a process that sets the function's sandbox up
    and imports its handler once, then forks a worker, already imported, each time it is asked. It
    never invokes the handler, so each worker's first invoke is still a cold start for Powertools."""

    # Longer than any import here (one to two seconds, ten on a loaded machine); a zygote that does not
    # answer in this time fails the request rather than hang it.
    ANSWER_SECONDS = 60.0

    def __init__(self, spec: FunctionSpec, env: dict[str, str], allowed: set[str], log: IO[str] | None):
        self.name = spec.name
        ours, theirs = socket.socketpair()
        config = {
            "code_dir": str(spec.code_dir),
            "layer_dirs": [str(d) for d in spec.layer_dirs],
            "site_packages": [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]],
            "allowed": sorted(allowed),
            "handler": spec.handler,
            "timeout": spec.timeout,
            "control_fd": theirs.fileno(),
            "preload": RUNTIME_PACKAGES,
        }
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-S", str(WORKER), json.dumps(config)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,  # the zygote points its stdout at stderr, the function's log
                stderr=log if log is not None else None,
                env=env,
                cwd=str(spec.code_dir),
                pass_fds=[theirs.fileno()],
            )
        self.control = ours
        self.control.settimeout(self.ANSWER_SECONDS)
        try:
            ready, _ = self._answer()
        except ZygoteError:
            self.stop()
            raise
        self.hazards: list[str] = ready["hazards"]

    def _answer(self) -> tuple[dict[str, Any], list[int]]:
        data, fds = b"", []
        try:
            while not data.endswith(b"\n"):
                chunk, more_fds, _, _ = socket.recv_fds(self.control, 4096, 2)
                fds += more_fds
                if not chunk:
                    raise ZygoteError(f"the fork server of {self.name} exited (its log says why)")
                data += chunk
        except OSError as failed:  # a timeout too
            raise ZygoteError(f"the fork server of {self.name} did not answer: {failed}") from failed
        return json.loads(data), fds

    def fork(self) -> Worker:
        try:
            self.control.sendall(b"f")
        except OSError as failed:
            raise ZygoteError(f"the fork server of {self.name} exited (its log says why)") from failed
        answer, fds = self._answer()
        if "error" in answer:
            raise ZygoteError(f"{self.name} cannot be forked safely: {answer['error']}")
        return Worker(answer["pid"], fds[0], fds[1] if len(fds) > 1 else None)

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        """Close its control connection (it exits when that ends) and wait; kill it if it does not go."""
        self.control.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
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
        self.zygote: Zygote | None = None
        self.zygote_lock = threading.Lock()  # one fork at a time; a concurrent start waits for its import

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
            worker = self._fork()
        except Exception as exc:  # noqa: BLE001 - the request that asked for it raises it
            with self.lock:
                self.count -= 1
                start.pending, start.error = False, exc
                self.lock.notify_all()
            return
        with self.lock:
            start.pending = False
            self._give_back(worker)

    def _fork(self) -> Worker:
        with self.zygote_lock:
            if self.closed:
                raise RuntimeError("the local stack is stopping")
            if self.zygote is None or not self.zygote.alive:
                # first use, or the zygote died (killed, out of memory): a new one, paying one import
                if self.zygote is not None:
                    self.zygote.stop()
                self.zygote = Zygote(self.spec, self.env, self.allowed, self.log)
            return self.zygote.fork()

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
        with self.zygote_lock:
            if self.zygote is not None:
                self.zygote.stop()
                self.zygote = None


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
