"""Probe (not part of `make bench`): N applications on a local stack in this process, then idle.

Prints the stack process's threads, moto's never-emptied TMP_THREADS list, its resident memory and its
CPU while idle; with --trace, what Python memory it holds by file and what grew while idle
(tracemalloc; slow). Written down in docs/benchmarks.md. Linux only (/proc).

    python bench/probe_local_stack.py 100
    python bench/probe_local_stack.py 30 --trace
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from moto.stepfunctions.parser.utils import TMP_THREADS  # noqa: E402

from local_stack.client import SAMPLE_APPLICATION, Client  # noqa: E402
from local_stack.stack import LocalStack, free_port  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024


def cpu_seconds() -> float:
    times = os.times()
    return times.user + times.system


def state() -> str:
    alive = sum(t.is_alive() for t in TMP_THREADS)
    return (
        f"threads {threading.active_count()}, TMP_THREADS {len(TMP_THREADS)} ({alive} alive), RSS {rss_mib():.0f} MiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("applications", type=int)
    parser.add_argument("--idle", type=float, default=20, help="seconds idle after the applications")
    parser.add_argument("--trace", action="store_true", help="tracemalloc: what is held and what grew while idle")
    args = parser.parse_args()
    with (
        open(os.devnull, "w") as log,
        LocalStack(api_port=free_port(), aws_port=free_port(), log=log) as stack,
    ):
        client = Client(stack.web, stack.endpoint, stack.table_name)
        print(f"started: {state()}", flush=True)
        if args.trace:
            tracemalloc.start(1)
        start = time.monotonic()
        for k in range(args.applications):
            client.apply({**SAMPLE_APPLICATION, "email": f"probe{k}-{uuid.uuid4().hex[:6]}@example.org"})
        print(f"after {args.applications} applications ({time.monotonic() - start:.0f} s): {state()}", flush=True)
        before = tracemalloc.take_snapshot() if args.trace else None
        cpu, wall = cpu_seconds(), time.monotonic()
        time.sleep(args.idle)
        busy = (cpu_seconds() - cpu) / (time.monotonic() - wall)
        print(f"idle {args.idle:.0f} s: CPU {100 * busy:.0f} % of a core in this process; {state()}", flush=True)
        if before is not None:
            after = tracemalloc.take_snapshot()
            print("held, by file:")
            for stat in after.statistics("filename")[:6]:
                print(f"  {stat}")
            print("grew while idle:")
            for stat in after.compare_to(before, "lineno")[:6]:
                print(f"  {stat}")


if __name__ == "__main__":
    main()
