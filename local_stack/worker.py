"""One warm Lambda worker: runs a function's handler the way the Lambda Python runtime does.

Started by the local stack as `python -I -S worker.py SPEC_JSON` with exactly the function's
environment. It imports only the function's code, its layer, the standard library and the
packages the layer's requirements (and the runtime's boto3) bring: anything else fails to
import here as it would in AWS. Requests arrive as JSON lines on stdin; answers leave on a
private copy of stdout, while the handler's own prints and logs go to stderr.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
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


def main() -> None:
    spec = json.loads(sys.argv[1])
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

    # Ctrl-C in `make run` reaches the whole process group; the stack stops its workers itself,
    # so a worker ignores it rather than print a KeyboardInterrupt traceback over the terminal
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answers = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr

    module_name, function_name = spec["handler"].rsplit(".", 1)
    handler = None
    init_error: dict[str, Any] | None = None
    try:
        handler = getattr(importlib.import_module(module_name), function_name)
    except Exception as exc:  # noqa: BLE001 - an init error is reported on every invoke, as Lambda does
        traceback.print_exc()
        init_error = _error(exc)
    answers.write(json.dumps({"ready": init_error is None}) + "\n")

    for line in sys.stdin:
        request = json.loads(line)
        request_id = request.get("request_id") or str(uuid.uuid4())
        if init_error is not None:
            answers.write(json.dumps({"ok": False, "error": init_error}) + "\n")
            continue
        context = Context(request_id, time.time() + spec["timeout"])
        try:
            result = handler(request["event"], context)  # type: ignore[misc]
            answers.write(json.dumps({"ok": True, "result": result}, default=str) + "\n")
        except Exception as exc:  # noqa: BLE001 - the runtime turns any exception into a function error
            traceback.print_exc()
            answers.write(json.dumps({"ok": False, "error": _error(exc)}) + "\n")


if __name__ == "__main__":
    main()
