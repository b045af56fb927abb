"""The local stack at programme scale: N people waiting, then its memory, its idle CPU and POST /apply.

Starts a local stack in this process, fills it with N applications (each run then waits in its
first consultant step, a waitForTaskToken task; with --pool K, K of them are taken through the four
steps and wait in the pool, another waitForTaskToken task), and prints what issue 14 asks for: threads, the
memory of the whole stack (this process, which hosts moto and its Step Functions engine, plus the
functions' processes: a zygote per function and the workers it forked), as PSS (the figure for the
2 GB goal: a page shared by several processes counted once, split between them) and RSS (shared
pages counted in each process), the CPU of the whole stack while idle, and the latency of POST
/apply at concurrency 10 with the N people waiting. Linux only (/proc).

    python bench/probe_local_stack.py 1000 --pool 20            # the issue's figures
    python bench/probe_local_stack.py 100 --param ReminderDelaySeconds=120   # make run's reminders
    python bench/probe_local_stack.py 30 --trace --sample      # what holds memory, what runs while idle

The steps wait ReminderDelaySeconds before reminding; the probe uses the template's default (three
days) unless told otherwise, so waiting people really wait (`make run` reminds after 120 s, so that
a journey with its reminders can be watched: then the stack is not idle, it is reminding).
"""

from __future__ import annotations

import argparse
import collections
import gc
import logging
import os
import statistics
import sys
import threading
import time
import tracemalloc
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from moto.stepfunctions.parser.utils import TMP_THREADS  # noqa: E402

from local_stack.client import SAMPLE_APPLICATION, Client, approval_fields  # noqa: E402
from local_stack.stack import LocalStack, free_port  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")
# innermost frames of threads that wait, not run (_read: a worker's answers, line by line)
BLOCKED = {"wait", "_wait_for_tstate_lock", "join", "select", "accept", "readline", "_read"}
STEPS = ("PHONE_SCREENING", "HOME_VISIT", "CHILD_CERTIFICATE", "TRAINING")  # the consultant's steps, in order


def _descendants(pid: int) -> list[tuple[int, int]]:
    """Every process under `pid` with its depth: 1 for a child (a zygote, or a worker the stack
    started itself), 2 for a worker a zygote forked."""
    children: dict[int, list[int]] = collections.defaultdict(list)
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children[int(fields[1])].append(int(entry))
    found, frontier, depth = [], [pid], 0
    while frontier:
        depth += 1
        frontier = [child for parent in frontier for child in children.get(parent, [])]
        found += [(child, depth) for child in frontier]
    return found


def _cpu(pid: int) -> float:
    """CPU seconds of one process (0 if it has exited)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def _memory(pid: int) -> tuple[float, float]:
    """Resident and proportional set size of one process in MiB. RSS counts every page the process
    maps, also those it shares (a forked worker's with its zygote, every worker's libraries); PSS
    divides each shared page between its sharers, so the PSS of processes adds up to what they hold."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as rollup:
            sizes = dict(line.split()[:2] for line in rollup if line.split()[0] in ("Rss:", "Pss:"))
    except OSError:
        return 0.0, 0.0
    return int(sizes["Rss:"]) / 1024, int(sizes["Pss:"]) / 1024


def stack_cpu() -> dict[int, float]:
    """CPU seconds of each process of the whole stack: this process and every process under it."""
    me = os.getpid()
    return {pid: _cpu(pid) for pid in [me, *(child for child, _ in _descendants(me))]}


def stack_memory() -> tuple[float, float, float, float, int, int]:
    """The whole stack's RSS and PSS in MiB, this process's RSS and PSS, its processes under this one,
    and how many of those a zygote forked."""
    me = os.getpid()
    rss, pss = _memory(me)
    own_rss, own_pss = rss, pss
    under = _descendants(me)
    for child, _ in under:
        child_rss, child_pss = _memory(child)
        rss, pss = rss + child_rss, pss + child_pss
    return rss, pss, own_rss, own_pss, len(under), sum(depth > 1 for _, depth in under)


def cpu_since(before: dict[int, float]) -> float:
    """The stack's CPU seconds since `before`: of each process now running, what it used since then
    (all of it if it started since). A worker stopped meanwhile is not counted: idle ones are what
    stop, and they use next to none."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in stack_cpu().items())


def state() -> str:
    alive = sum(t.is_alive() for t in TMP_THREADS)
    rss, pss, own_rss, own_pss, processes, forked = stack_memory()
    return (
        f"threads {threading.active_count()}, TMP_THREADS {len(TMP_THREADS)} ({alive} alive), "
        f"PSS {pss:.0f} MiB, RSS {rss:.0f} MiB (this process PSS {own_pss:.0f}, RSS {own_rss:.0f}; "
        f"{processes} function processes, {forked} of them forked workers)"
    )


def apply(web: str, session: requests.Session, k: int) -> tuple[float, int, str]:
    application = {**SAMPLE_APPLICATION, "email": f"probe{k}-{uuid.uuid4().hex[:6]}@example.org"}
    start = time.monotonic()
    response = session.post(f"{web}/apply", json=application, timeout=60)
    seconds = time.monotonic() - start
    return seconds, response.status_code, response.json().get("application_id", "") if response.ok else ""


def applications(web: str, count: int, concurrency: int, first: int) -> list[tuple[float, int, str]]:
    local = threading.local()

    def one(k: int) -> tuple[float, int, str]:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        return apply(web, local.session, k)

    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(first, first + count)))


def to_pool(client: Client, application_id: str) -> None:
    """Approve the four steps as the consultant does (the link each step opens, its page, its form):
    the volunteer then waits in the pool (the run waits on "Waiting for a match")."""
    link = None
    for stage in STEPS:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            record = client.volunteer(application_id)
            if record["stage"] == stage and record.get("open_link_id") not in (None, link):
                break
            time.sleep(0.5)
        link = record["open_link_id"]
        for _ in range(30):  # 409 while the step's run has not yet taken its link's token
            answer = client.open_and_decide(f"{client.web}/decisions/{link}", "approve", approval_fields(stage))
            if answer.status_code != 409:
                break
            time.sleep(1)
        if answer.status_code != 200:
            raise RuntimeError(f"{stage} of {application_id}: {answer.status_code}")
    client.wait_for_stage(application_id, "READY_FOR_MATCH", timeout=300)


def to_pool_or_why(client: Client, application_id: str) -> str | None:
    try:
        to_pool(client, application_id)
    except (RuntimeError, TimeoutError, LookupError) as failed:
        return str(failed)
    return None


class FullCollections:
    """CPython's full garbage collections in this process and how long each stopped it: a
    collection that walks the million objects of a thousand waiting runs stops every thread for
    about a second (local_stack/collector.py runs them while the front door is idle)."""

    def __init__(self) -> None:
        self.pauses: list[float] = []
        self._started = 0.0
        gc.callbacks.append(self._callback)

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append(time.perf_counter() - self._started)

    def since(self, mark: int) -> str:
        pauses = self.pauses[mark:]
        return f"{len(pauses)} full collections" + (f" (longest {max(pauses):.2f} s)" if pauses else "")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def settle(limit: float = 300) -> float:
    """Wait until the runs have reached their waits: no thread started by the engine for 6 s."""
    start = time.monotonic()
    seen, quiet = len(TMP_THREADS), 0
    while quiet < 3 and time.monotonic() - start < limit:
        time.sleep(2)
        quiet = quiet + 1 if len(TMP_THREADS) == seen else 0
        seen = len(TMP_THREADS)
    return time.monotonic() - start


def sample_idle(seconds: float, interval: float = 0.05) -> collections.Counter[str]:
    """Where this process's threads are while idle, by innermost frame of ours or moto's (not waits)."""
    me = threading.get_ident()
    seen: collections.Counter[str] = collections.Counter()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for ident, frame in sys._current_frames().items():
            if ident == me:
                continue
            where: FrameType | None = frame
            if frame.f_code.co_name in BLOCKED:
                continue
            while (
                where is not None
                and "site-packages/moto" not in where.f_code.co_filename
                and ("local_stack" not in where.f_code.co_filename)
            ):
                where = where.f_back
            frame_of = where or frame
            seen[f"{Path(frame_of.f_code.co_filename).name}:{frame_of.f_lineno} {frame_of.f_code.co_name}"] += 1
        time.sleep(interval)
    return seen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("applications", type=int, help="people to leave waiting")
    parser.add_argument("--pool", type=int, default=0, help="of them, how many to take through the steps to the pool")
    parser.add_argument("--fill-concurrency", type=int, default=10, help="concurrent applications while filling")
    parser.add_argument("--idle", type=float, default=20, help="seconds idle after the applications")
    parser.add_argument("--requests", type=int, default=100, help="POST /apply at concurrency 10 after idling")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a template parameter")
    parser.add_argument("--trace", action="store_true", help="tracemalloc: what is held and what grew while idle")
    parser.add_argument("--sample", action="store_true", help="sample where this process's threads run while idle")
    args = parser.parse_args()
    parameters = {"ReminderDelaySeconds": "259200", **dict(p.split("=", 1) for p in args.param)}
    with (
        open(os.devnull, "w") as log,
        LocalStack(api_port=free_port(), aws_port=free_port(), parameters=parameters, log=log) as stack,
    ):
        for noisy in ("moto", "werkzeug"):  # the runs cut short when the stack stops at the end log errors
            logging.getLogger(noisy).setLevel(logging.CRITICAL)
        print(f"parameters {parameters}", flush=True)
        print(f"started: {state()}", flush=True)
        if args.trace:
            tracemalloc.start(1)
        collections_ = FullCollections()
        start, used = time.monotonic(), stack_cpu()
        filled = applications(stack.web, args.applications, args.fill_concurrency, 0)
        failed = sum(status != 201 for _, status, _ in filled)
        print(
            f"after {args.applications} applications ({time.monotonic() - start:.0f} s, {failed} failed, "
            f"p95 {percentile([s for s, _, _ in filled], 95):.2f} s while filling, whole stack's CPU "
            f"{cpu_since(used) / args.applications:.2f} s per application; {collections_.since(0)}): {state()}",
            flush=True,
        )
        if args.pool:
            start, client = time.monotonic(), Client(stack.web, stack.endpoint, stack.table_name)
            with ThreadPoolExecutor(args.fill_concurrency) as pool:
                why = list(pool.map(lambda a: to_pool_or_why(client, a), [a for _, _, a in filled[: args.pool]]))
            refused = [w for w in why if w]
            print(
                f"{args.pool - len(refused)} of {args.pool} through the four steps to the pool "
                f"({time.monotonic() - start:.0f} s){'; not: ' + refused[0] if refused else ''}",
                flush=True,
            )
        settled = settle()
        print(f"settled after {settled:.0f} s (no new engine threads for 6 s): {state()}", flush=True)
        before = tracemalloc.take_snapshot() if args.trace else None
        used, wall, mark = stack_cpu(), time.monotonic(), len(collections_.pauses)
        sampled = sample_idle(args.idle) if args.sample else None
        if sampled is None:
            time.sleep(args.idle)
        busy = cpu_since(used) / (time.monotonic() - wall)
        print(
            f"idle {args.idle:.0f} s: CPU {100 * busy:.1f} % of a core (whole stack), "
            f"{collections_.since(mark)}; {state()}",
            flush=True,
        )
        if sampled:
            print("running while idle (samples):")
            for where, count in sampled.most_common(8):
                print(f"  {count:5d}  {where}")
        if before is not None:
            after = tracemalloc.take_snapshot()
            print("held, by file:")
            for stat in after.statistics("filename")[:6]:
                print(f"  {stat}")
            print("grew while idle:")
            for diff in after.compare_to(before, "lineno")[:6]:
                print(f"  {diff}")
        if args.requests:
            used, wall, mark = stack_cpu(), time.monotonic(), len(collections_.pauses)
            answered = applications(stack.web, args.requests, 10, args.applications)
            cpu, wall = cpu_since(used), time.monotonic() - wall
            engine = _cpu(os.getpid()) - used[os.getpid()]
            latencies = [s for s, _, _ in answered]
            errors = sum(status != 201 for _, status, _ in answered)
            print(
                f"POST /apply x{args.requests} at concurrency 10 with {args.applications} waiting: "
                f"p50 {statistics.median(latencies):.2f} s, p95 {percentile(latencies, 95):.2f} s, "
                f"max {max(latencies):.2f} s, {errors} not 201; {args.requests / wall:.1f} per s, whole stack's "
                f"CPU {cpu / args.requests:.2f} s per application ({engine / args.requests:.2f} s in this process, "
                f"{100 * cpu / wall:.0f} % of a core; {collections_.since(mark)}); {state()}",
                flush=True,
            )


if __name__ == "__main__":
    main()
