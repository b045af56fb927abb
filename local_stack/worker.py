"""A function's fork server ("zygote") and the warm Lambda workers it forks.

Started by the local stack as `python -I -S worker.py SPEC_JSON` with exactly the function's
environment. It imports only the function's code, its layer, the standard library and the
packages the layer's requirements (and the runtime's boto3) bring: anything else fails to
import here as it would in AWS.

The process sets that sandbox up and imports the handler's module once, then never invokes it:
on each "fork" command from the stack (a Unix socket given as `control_fd`) it forks a worker,
already imported, and hands the stack that worker's end of a socket pair (and, on Linux, a pidfd
to stop it by). A worker reads requests as JSON lines on that socket and answers on it, while the
handler's own prints and logs go to stderr. Forking saves each new worker the import (one to two
seconds of CPU here), and the workers share the imported pages with the zygote until they write them.

Forking is only safe from a process with one thread and no connections (a child would inherit a
half-held lock or share a socket with its siblings), so the zygote checks it has neither after the
import and reports what it found; the stack refuses to fork from a zygote that has.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import os
import signal
import socket
import stat
import sys
import threading
import time
import traceback
import uuid
from importlib.machinery import PathFinder
from typing import Any


class OnlyWhatLambdaHas:
    """Import guard: top-level modules outside the function's world are not importable."""

    def __init__(self, own_dirs: list[str], stdlib_dirs: list[str], allowed: set[str]):
        self.own_dirs = own_dirs
        self.stdlib_dirs = stdlib_dirs
        self.allowed = allowed

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if path is not None:
            return None
        if fullname in sys.builtin_module_names or fullname in self.allowed:
            return None
        spec = PathFinder.find_spec(fullname, self.own_dirs)
        if spec is not None:
            return spec
        if PathFinder.find_spec(fullname, self.stdlib_dirs) is not None:
            return None
        raise ModuleNotFoundError(
            f"No module named '{fullname}' (it is not in the function's code, its layer or the Lambda runtime)",
            name=fullname,
        )


class Context:
    """The parts of the Lambda context object handlers use."""

    def __init__(self, request_id: str, deadline: float):
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.invoked_function_arn = os.environ.get("LOCAL_FUNCTION_ARN", "")
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "local"
        self._deadline = deadline

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.time()) * 1000))


def _error(exc: BaseException) -> dict[str, Any]:
    return {
        "errorType": type(exc).__name__,
        "errorMessage": str(exc),
        "stackTrace": traceback.format_tb(exc.__traceback__),
    }


def set_up_sandbox(spec: dict[str, Any]) -> None:
    """What Lambda's runtime gives a function: its code, its layer, the standard library and the
    allowed packages importable, nothing else; handler prints and logs on stderr."""
    sys.path[:] = [
        p
        for p in sys.path
        if os.path.isdir(p)
        and "site-packages" not in p
        and os.path.abspath(p) != os.path.dirname(os.path.abspath(__file__))
    ]
    stdlib = list(sys.path)
    own = [spec["code_dir"], *spec["layer_dirs"]]
    sys.path[:0] = own
    sys.path.extend(spec["site_packages"])
    sys.meta_path.insert(0, OnlyWhatLambdaHas(own, stdlib, set(spec["allowed"])))

    # Ctrl-C in `make run` reaches the whole process group; the stack stops the zygote and its
    # workers itself, so they ignore it rather than print a KeyboardInterrupt traceback over the
    # terminal (the workers inherit this)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # the answers travel on their own socket; whatever the handler writes to stdout is its log
    os.dup2(2, 1)
    sys.stdout = sys.stderr


def import_handler(handler_path: str) -> tuple[Any, dict[str, Any] | None]:
    """The handler, or why its module could not be imported (Lambda's init error)."""
    module_name, function_name = handler_path.rsplit(".", 1)
    try:
        return getattr(importlib.import_module(module_name), function_name), None
    except Exception as exc:  # noqa: BLE001 - an init error is reported on every invoke, as Lambda does
        traceback.print_exc()
        return None, _error(exc)


def _is_connection(fd: int) -> bool:
    """Whether this descriptor is a socket whose traffic children would interleave: a stream, or a
    connected datagram socket. An unconnected datagram socket is safe to share (each send is one
    whole datagram): the X-Ray SDK opens one at import for its daemon (tracing is off here)."""
    try:
        if not stat.S_ISSOCK(os.fstat(fd).st_mode):
            return False
    except OSError:
        return False  # the listing's own descriptor, closed already
    with socket.socket(fileno=os.dup(fd)) as duplicate:
        if duplicate.type != socket.SOCK_DGRAM:
            return True
        try:
            duplicate.getpeername()
        except OSError:
            return False
        return True


def preload(modules: list[str]) -> None:
    """Import the runtime's packages the handler imports only on first use (the product imports
    boto3 where it creates its first client, which kept the import out of its own cold start):
    a few tenths of a second of each worker's first invoke, done once here instead. Importing them
    creates no client and opens nothing; the handler still creates its clients itself."""
    for module in modules:
        # a function without it fails at its own import of it, as in AWS
        with contextlib.suppress(ImportError):
            importlib.import_module(module)


def fork_hazards(control_fd: int) -> list[str]:
    """Why forking this process would be unsafe: threads besides this one (a child gets only the
    forking thread, and any lock another thread held stays held) and connections besides the
    stack's (every child would share them). Empty when the import left neither."""
    hazards = []
    tasks = "/proc/self/task"
    threads = len(os.listdir(tasks)) if os.path.isdir(tasks) else threading.active_count()
    if threads > 1:
        hazards.append(f"the import started {threads - 1} thread(s)")
    fds = "/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"
    connections = [fd for fd in map(int, os.listdir(fds)) if fd != control_fd and _is_connection(fd)]
    if connections:
        hazards.append(f"the import opened {len(connections)} connection(s)")
    return hazards


def serve(connection: socket.socket, handler: Any, init_error: dict[str, Any] | None, timeout: float) -> None:
    """Answer the stack's requests, one JSON line each, until it closes the connection."""

    def answer(message: dict[str, Any]) -> None:
        connection.sendall((json.dumps(message, default=str) + "\n").encode())

    for line in connection.makefile("r", encoding="utf-8"):
        request = json.loads(line)
        request_id = request.get("request_id") or str(uuid.uuid4())
        if init_error is not None:
            answer({"ok": False, "error": init_error})
            continue
        context = Context(request_id, time.time() + timeout)
        try:
            result = handler(request["event"], context)
            answer({"ok": True, "result": result})
        except Exception as exc:  # noqa: BLE001 - the runtime turns any exception into a function error
            traceback.print_exc()
            answer({"ok": False, "error": _error(exc)})


def fork_worker(control: socket.socket, handler: Any, init_error: dict[str, Any] | None, timeout: float) -> None:
    """Fork one worker and send the stack its end of the worker's connection (and a pidfd)."""
    ours, theirs = socket.socketpair()
    sys.stderr.flush()  # else the worker would inherit, and write again, what the zygote had not yet written
    pid = os.fork()
    if pid == 0:  # the worker
        status = 0
        try:
            control.close()
            ours.close()
            # the zygote lets the kernel reap its workers; a handler that runs a subprocess must
            # be able to wait for it
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            serve(theirs, handler, init_error, timeout)
        except BaseException:  # noqa: BLE001 - whatever ends the worker, it must not return into the zygote's loop
            traceback.print_exc()
            status = 1
        finally:
            sys.stderr.flush()
            os._exit(status)
    theirs.close()
    # a pidfd names this process and no later one with a recycled pid (Linux 5.3 and later)
    pidfd = os.pidfd_open(pid) if hasattr(os, "pidfd_open") else None
    fds = [ours.fileno()] if pidfd is None else [ours.fileno(), pidfd]
    socket.send_fds(control, [json.dumps({"pid": pid}).encode() + b"\n"], fds)
    # the worker's connection must end up held by the stack alone: a copy here, or in the next
    # worker forked, would keep it open after the worker exits
    ours.close()
    if pidfd is not None:
        os.close(pidfd)


def main() -> None:
    spec = json.loads(sys.argv[1])
    control = socket.socket(fileno=spec["control_fd"])
    set_up_sandbox(spec)
    handler, init_error = import_handler(spec["handler"])
    preload(spec["preload"])
    hazards = fork_hazards(control.fileno())
    # What the import created is shared with every worker until one writes it; freezing keeps the
    # garbage collector from writing to (and so copying) every one of those objects in each worker.
    gc.collect()
    gc.freeze()
    # workers exit without the zygote waiting for them; the kernel reaps them
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    ready = {"ready": init_error is None, "hazards": hazards}
    control.sendall(json.dumps(ready).encode() + b"\n")
    while True:
        command = control.recv(1)
        if not command:  # the stack closed its end (stopped, or died): the zygote goes too
            return
        if hazards:
            control.sendall(json.dumps({"error": "; ".join(hazards)}).encode() + b"\n")
        else:
            fork_worker(control, handler, init_error, spec["timeout"])


if __name__ == "__main__":
    main()
