"""Cold start benchmark: how long a fresh Lambda process of each function takes to import its handler,
next to `import boto3` plus creating one client in the same kind of fresh process.

Each run is a new `python -I -S` process with exactly the environment the template gives the function
(as the local stack's workers run it: only the function's code, its layer, the layer's requirements and
the runtime's boto3 importable). The handler's import and the baseline alternate, N times each; the
figures are medians and the ratio is handler / baseline, so the machine's speed cancels out.

Run with `make bench` (or `python bench/bench_cold_start.py --runs 11`). Not a test: nothing is
asserted on time. Bytecode: the processes use the .pyc files Python writes next to the sources (as a
layer built with compiled bytecode would ship them); see docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import sysconfig
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
sys.path[:] = [p for p in sys.path if os.path.isdir(p) and "site-packages" not in p]
stdlib = list(sys.path)
own = [spec["code_dir"], *spec["layer_dirs"]]
sys.path[:0] = own
sys.path.extend(spec["site_packages"])
sys.path.insert(0, spec["local_stack_dir"])
from worker import OnlyWhatLambdaHas
sys.path.pop(0)
sys.meta_path.insert(0, OnlyWhatLambdaHas(own, stdlib, set(spec["allowed"])))
import resource, importlib
start = time.perf_counter()
if spec["what"] == "baseline":
    import boto3
    boto3.client("dynamodb")
else:
    importlib.import_module(spec["handler"].rsplit(".", 1)[0])
seconds = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mib": rss, "modules": len(sys.modules)}))
"""

FUNCTIONS = ["intake", "screening", "workflow", "ops", "staff", "matching", "email_events", "watch"]


class _AnyArn(dict[tuple[str, str], str]):
    """Every resource attribute resolves to a placeholder: no resources are created for a cold start."""

    def __missing__(self, key: tuple[str, str]) -> str:
        logical, attribute = key
        return f"arn:aws:local:{tpl.REGION}:{tpl.ACCOUNT_ID}:{logical}/{attribute}"


def offline_specs() -> list[tpl.FunctionSpec]:
    """The template's functions with their environment resolved, without a running stack."""
    from local_stack.stack import LOCAL_PARAMETERS

    template = tpl.load()
    context = tpl.Context(
        tpl.parameter_defaults(template, {**LOCAL_PARAMETERS, "PublicBaseUrl": "http://127.0.0.1:3000"})
    )
    context.attributes = _AnyArn()
    for name, condition in template.get("Conditions", {}).items():
        context.conditions[name] = context.condition(condition)
    for logical in template["Resources"]:
        context.refs[logical] = f"{context.stack_name}-{logical}"
    return tpl.function_specs(template, context)


def folder_of(spec: tpl.FunctionSpec) -> str:
    return spec.code_dir.name


@dataclass
class Sample:
    seconds: float
    rss_mib: float
    modules: int


def run_child(spec: tpl.FunctionSpec, what: str, allowed: set[str]) -> Sample:
    config: dict[str, Any] = {
        "code_dir": str(spec.code_dir),
        "layer_dirs": [str(d) for d in spec.layer_dirs],
        "site_packages": [sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]],
        "allowed": sorted(allowed),
        "handler": spec.handler,
        "local_stack_dir": str(ROOT / "local_stack"),
        "what": what,
    }
    env = lambda_environment(spec, "http://127.0.0.1:4566")
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
    rss_mib: float
    modules: int

    @property
    def ratio(self) -> float:
        return self.handler_s / self.baseline_s


def measure(spec: tpl.FunctionSpec, runs: int) -> Figures:
    allowed = allowed_top_level_modules([*spec.layer_dirs, spec.code_dir])
    handler: list[Sample] = []
    baseline: list[Sample] = []
    run_child(spec, "handler", allowed)  # the first run writes bytecode; not counted
    for _ in range(runs):  # alternating, so a slower moment on the machine hits both
        handler.append(run_child(spec, "handler", allowed))
        baseline.append(run_child(spec, "baseline", allowed))
    return Figures(
        folder_of(spec),
        statistics.median(s.seconds for s in handler),
        statistics.median(s.seconds for s in baseline),
        statistics.median(s.rss_mib for s in handler),
        handler[-1].modules,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="alternating pairs per function (default 11)")
    parser.add_argument("functions", nargs="*", default=FUNCTIONS, help="function folders (default: all)")
    args = parser.parse_args()
    specs = {folder_of(s): s for s in offline_specs()}
    print(f"Cold start: handler import vs `import boto3` + one client, medians of {args.runs} alternating runs")
    print(f"  {'function':<13} {'handler':>9} {'boto3+client':>13} {'ratio':>6} {'max RSS':>9} {'modules':>8}")
    for name in args.functions:
        f = measure(specs[name], args.runs)
        print(
            f"  {f.function:<13} {f.handler_s * 1000:7.0f} ms {f.baseline_s * 1000:10.0f} ms "
            f"{f.ratio:5.2f}x {f.rss_mib:6.0f} MiB {f.modules:8d}"
        )


if __name__ == "__main__":
    main()
