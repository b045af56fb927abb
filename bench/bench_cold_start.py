"""Cold start benchmark: how long a fresh Lambda process of each function takes to import its handler
and answer its first request, next to `import boto3`, creating one client and making one call in the
same kind of fresh process.

Each run is a new `python -I -S` process with exactly the environment the template gives the function
(as the local stack's workers run it: only the function's code, its layer, the layer's requirements and
the runtime's boto3 importable), against moto in server mode in this process (the template's table, and
state machines that succeed at once). The handler's runs and the baseline's alternate, N times each;
the figures are medians and the ratios are handler / baseline, so the machine's speed cancels out.

Run with `make bench` (or `python bench/bench_cold_start.py --runs 11`). Not a test: nothing is
asserted on time. Bytecode: the processes use the .pyc files Python writes next to the sources (as a
layer built with compiled bytecode would ship them); see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import subprocess
import sys
import sysconfig
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from local_stack import template as tpl  # noqa: E402
from local_stack.lambdas import allowed_top_level_modules, lambda_environment  # noqa: E402

# What the child process runs: the worker's import rules (local_stack/worker.py), then one import timed.
CHILD = r"""
import json, os, sys, time
spec = json.loads(sys.argv[1])
sys.dont_write_bytecode = spec["read_only"]  # -I ignores PYTHONDONTWRITEBYTECODE
sys.path[:] = [p for p in sys.path if os.path.isdir(p) and "site-packages" not in p]
stdlib = list(sys.path)
own = [spec["code_dir"], *spec["layer_dirs"]]
sys.path[:0] = own
sys.path.extend(spec["site_packages"])
sys.path.insert(0, spec["local_stack_dir"])
from worker import OnlyWhatLambdaHas
sys.path.pop(0)
sys.meta_path.insert(0, OnlyWhatLambdaHas(own, stdlib, set(spec["allowed"])))
import importlib


# The function's log (stdout, as in Lambda): when its first line with Powertools' cold_start=true was
# written. The lines themselves are dropped; this process's own answer goes to the real stdout.
class FirstColdStartLine:

    def __init__(self):
        self.at = None

    def write(self, text):
        if self.at is None and '"cold_start":true' in text.replace(" ", ""):
            self.at = time.perf_counter()
        return len(text)

    def flush(self):
        pass


out, sys.stdout = sys.stdout, FirstColdStartLine()
start, cpu_start = time.perf_counter(), time.process_time()
if spec["what"] == "baseline":
    import boto3
    client = boto3.client("dynamodb")
    imported = time.perf_counter()
    client.get_item(TableName=os.environ["TABLE_NAME"], Key={"pk": {"S": "nobody"}, "sk": {"S": "PROFILE"}})
else:
    module_name, function_name = spec["handler"].rsplit(".", 1)
    handler = getattr(importlib.import_module(module_name), function_name)
    imported = time.perf_counter()
    sys.path.insert(0, spec["local_stack_dir"])
    from worker import Context
    sys.path.pop(0)
    try:
        result = handler(spec["event"], Context("bench", time.time() + 60))
        answer = str(result.get("statusCode", "ok")) if isinstance(result, dict) else "ok"
    except Exception as error:  # an error answer is an answer: Lambda reports it as the function's error
        answer = type(error).__name__
answered, cpu_answered = time.perf_counter(), time.process_time()
if spec["what"] == "baseline":
    answer = "ok"
# the process's own peak (VmHWM): ru_maxrss would carry the parent's over from before exec
with open("/proc/self/status") as status:
    rss = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
logged = None if sys.stdout.at is None else sys.stdout.at - start
figures = {"seconds": imported - start, "first_s": answered - start, "rss_mib": rss, "answer": answer}
figures["first_cpu_s"] = cpu_answered - cpu_start
out.write(json.dumps({**figures, "cold_start_log_s": logged, "modules": len(sys.modules)}) + "\n")
"""

FUNCTIONS = [
    "intake",
    "screening",
    "gathering_pages",
    "workflow",
    "support",
    "ops",
    "staff",
    "gatherings",
    "matching",
    "email_events",
    "watch",
]


class _AnyArn(dict[tuple[str, str], str]):
    """Every resource attribute resolves to a placeholder: no resources are created for a cold start."""

    def __missing__(self, key: tuple[str, str]) -> str:
        logical, attribute = key
        return f"arn:aws:local:{tpl.REGION}:{tpl.ACCOUNT_ID}:{logical}/{attribute}"


def offline_context(template: dict[str, Any]) -> tpl.Context:
    """Names for the template's resources as the local stack gives them, without creating them."""
    from local_stack.stack import LOCAL_PARAMETERS

    context = tpl.Context(
        tpl.parameter_defaults(template, {**LOCAL_PARAMETERS, "PublicBaseUrl": "http://127.0.0.1:3000"})
    )
    context.attributes = _AnyArn()
    for name, condition in template.get("Conditions", {}).items():
        context.conditions[name] = context.condition(condition)
    for logical in template["Resources"]:
        context.refs[logical] = f"{context.stack_name}-{logical}"
    return context


def offline_specs() -> list[tpl.FunctionSpec]:
    """The template's functions with their environment resolved, without a running stack."""
    template = tpl.load()
    return tpl.function_specs(template, offline_context(template))


def folder_of(spec: tpl.FunctionSpec) -> str:
    return spec.code_dir.name


@dataclass
class Sample:
    seconds: float  # the import (the baseline: import boto3 and make the client)
    first_s: float  # ... and the first request answered (the baseline: one GetItem)
    rss_mib: float
    answer: str  # the first request's status code, "ok" or the error it raised
    modules: int
    cold_start_log_s: float | None = None  # the first log line with cold_start=true, from before the import
    first_cpu_s: float = 0.0  # the process's CPU time (user and system) for the same as first_s


def first_event(function: str) -> dict[str, Any]:
    """Each function's first request: what a cold sandbox typically gets first."""
    from local_stack.client import SAMPLE_APPLICATION
    from local_stack.front_door import http_api_event

    def http(method: str, path: str, route: str, body: bytes = b"", params: dict[str, str] | None = None) -> Any:
        headers = {"host": "backup.example", "content-type": "application/json", "accept": "application/json"}
        return http_api_event(method, path, headers, body, f"{method} {route}", params or {}, "127.0.0.1")

    scheduled = {"source": "aws.events", "detail-type": "Scheduled Event", "detail": {}, "time": "2025-06-01T00:00:00Z"}
    link = uuid.uuid4().hex
    events: dict[str, Any] = {
        # a new application, stored and its run started (a different address each time: daily limits)
        "intake": http(
            "POST", "/apply", "/apply", json.dumps({**SAMPLE_APPLICATION, "email": f"{link}@example.org"}).encode()
        ),
        "screening": http("GET", f"/decisions/{link}", "/decisions/{link_id}", params={"link_id": link}),
        "staff": http("GET", "/staff", "/staff"),
        # a gathering's signup page for an unknown link (its table read, a Danish page)
        "gathering_pages": http(
            "GET",
            f"/tilmelding/{link}/{link}",
            "/tilmelding/{gathering_id}/{link_id}",
            params={"gathering_id": link, "link_id": link},
        ),
        "support": {"action": "begin", "proposal_id": link},  # a match's support run, for an unknown match
        "gatherings": {"action": "list_gatherings"},  # staff's list, on an empty table
        "workflow": {"action": "confirm_match", "person_id": link, "kind": "VOLUNTEER"},
        "ops": {"action": "export", "person_id": link, "kind": "VOLUNTEER"},
        "matching": scheduled,  # the daily run, on an empty pool
        "watch": scheduled,
        # SES's bounce on the default event bus, of a message sent before records had tags (not ours)
        "email_events": {"source": "aws.ses", "detail-type": "Email Bounced", "detail": {"eventType": "Bounce"}},
    }
    return dict(events[function])


class MotoStack:
    """moto in server mode with the template's table and state machines that succeed at once."""

    def __init__(self, specs: list[tpl.FunctionSpec]):
        import boto3
        from moto.server import ThreadedMotoServer

        from local_stack.stack import free_port

        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server = ThreadedMotoServer(port=self.port, verbose=False)
        self.server.start()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        session = boto3.Session(
            aws_access_key_id="local",
            aws_secret_access_key="local",  # noqa: S106 - moto's, not a secret
            region_name=tpl.REGION,
        )
        template = tpl.load()
        context = offline_context(template)
        dynamodb = session.client("dynamodb", endpoint_url=self.endpoint)
        for logical, resource in tpl.resources_of(template, "AWS::DynamoDB::Table").items():
            dynamodb.create_table(TableName=context.refs[logical], **tpl.table_arguments(resource, context))
        sfn = session.client("stepfunctions", endpoint_url=self.endpoint)
        machines = {v for spec in specs for k, v in spec.environment.items() if k.endswith("STATE_MACHINE_ARN")}
        for arn in sorted(machines):
            sfn.create_state_machine(
                name=arn.rsplit(":", 1)[1],
                roleArn=f"arn:aws:iam::{tpl.ACCOUNT_ID}:role/bench",
                definition=json.dumps({"StartAt": "Done", "States": {"Done": {"Type": "Succeed"}}}),
            )

    def stop(self) -> None:
        self.server.stop()


def run_child(spec: tpl.FunctionSpec, what: str, allowed: set[str], endpoint: str, layer: Path | None) -> Sample:
    config: dict[str, Any] = {
        "code_dir": str(spec.code_dir),
        "layer_dirs": [str(layer / "python")] if layer else [str(d) for d in spec.layer_dirs],
        "site_packages": [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]],
        "allowed": sorted(allowed),
        "handler": spec.handler,
        "local_stack_dir": str(ROOT / "local_stack"),
        "what": what,
        "event": first_event(folder_of(spec)),
        "read_only": layer is not None,  # a layer is read-only in Lambda (/opt): no bytecode is written
    }
    env = lambda_environment(spec, endpoint)
    env.setdefault("TABLE_NAME", "backup-local-Table")
    # Powertools logs the event as the invocation starts, with cold_start=true on a cold one: that line's
    # time is the function's init as its log shows it (the events here are made up: nothing personal)
    env["POWERTOOLS_LOGGER_LOG_EVENT"] = "true"
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", CHILD, json.dumps(config)],
        env=env,
        cwd=str(spec.code_dir),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"{folder_of(spec)} ({what}) failed:\n{done.stderr}")
    return Sample(**json.loads(done.stdout.strip().splitlines()[-1]))


@dataclass
class Figures:
    function: str
    handler_s: float
    baseline_s: float
    handler_first_s: float
    baseline_first_s: float
    rss_mib: float
    modules: int
    answer: str
    cold_start_log_s: float | None  # median; None: the first request logs no line
    handler_first_cpu_s: float = 0.0
    baseline_first_cpu_s: float = 0.0

    @property
    def ratio(self) -> float:
        return self.handler_s / self.baseline_s

    @property
    def first_ratio(self) -> float:
        return self.handler_first_s / self.baseline_first_s

    @property
    def first_cpu_ratio(self) -> float:
        return self.handler_first_cpu_s / self.baseline_first_cpu_s


def measure(spec: tpl.FunctionSpec, runs: int, endpoint: str, layer: Path | None) -> Figures:
    allowed = allowed_top_level_modules([*spec.layer_dirs, spec.code_dir])
    handler: list[Sample] = []
    baseline: list[Sample] = []
    run_child(spec, "handler", allowed, endpoint, layer)  # the first run writes bytecode; not counted
    for _ in range(runs):  # alternating, so a slower moment on the machine hits both
        handler.append(run_child(spec, "handler", allowed, endpoint, layer))
        baseline.append(run_child(spec, "baseline", allowed, endpoint, layer))
    return Figures(
        folder_of(spec),
        statistics.median(s.seconds for s in handler),
        statistics.median(s.seconds for s in baseline),
        statistics.median(s.first_s for s in handler),
        statistics.median(s.first_s for s in baseline),
        statistics.median(s.rss_mib for s in handler),
        handler[-1].modules,
        handler[-1].answer,
        _median_or_none([s.cold_start_log_s for s in handler]),
        statistics.median(s.first_cpu_s for s in handler),
        statistics.median(s.first_cpu_s for s in baseline),
    )


def _median_or_none(values: list[float | None]) -> float | None:
    logged = [v for v in values if v is not None]
    return statistics.median(logged) if logged else None


def _ms(seconds: float | None) -> str:
    return "no line" if seconds is None else f"{seconds * 1000:.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="alternating pairs per function (default 11)")
    parser.add_argument(
        "--layer",
        type=Path,
        help="a built layer (ARTIFACTS_DIR of functions/shared's build-SharedLayer for this machine) instead of the "
        "source folder, read-only as in Lambda",
    )
    parser.add_argument("functions", nargs="*", default=FUNCTIONS, help="function folders (default: all)")
    args = parser.parse_args()
    specs = {folder_of(s): s for s in offline_specs()}
    print(
        f"Cold start, medians of {args.runs} alternating fresh processes: import = the handler's module against "
        "`import boto3` + one client; first = import and the first request answered against the same plus one GetItem; "
        "cold_start = when the function's first log line with Powertools' cold_start=true was written, from before "
        "the import (the invocation's first line: Powertools logs the event as it starts, so this is the init as the "
        'log shows it; "no line" if the handler has no Powertools logger); CPU = the '
        "first's ratio in CPU time (user and system) of the two processes, steadier than wall time on a shared machine"
    )
    print(
        f"  {'function':<15} {'import':>9} {'boto3':>9} {'ratio':>6}   {'first':>9} {'boto3':>9} {'ratio':>6} "
        f"{'CPU':>6} {'max RSS':>9} {'modules':>8} {'cold_start':>10}  first answer"
    )
    moto = MotoStack(list(specs.values()))
    try:
        for name in args.functions:
            f = measure(specs[name], args.runs, moto.endpoint, args.layer)
            print(
                f"  {f.function:<15} {f.handler_s * 1000:6.0f} ms {f.baseline_s * 1000:6.0f} ms {f.ratio:5.2f}x   "
                f"{f.handler_first_s * 1000:6.0f} ms {f.baseline_first_s * 1000:6.0f} ms {f.first_ratio:5.2f}x "
                f"{f.first_cpu_ratio:5.2f}x "
                f"{f.rss_mib:5.0f} MiB {f.modules:8d} {_ms(f.cold_start_log_s):>10}  {f.answer}"
            )
    finally:
        moto.stop()


if __name__ == "__main__":
    main()
