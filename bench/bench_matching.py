"""Matching benchmark: ready volunteers and waiting young people on real Danish postcodes.

Prints the time to score and assign, peak memory, and how our assignment compares with exact
solvers and with first-come greedy. Run with `make bench-matching` (5,000 volunteers x 1,000 young
people) or `make bench-matching SIZES="5000x1000 20000x5000"` (volunteers x young people). Each
size's time and memory are measured in a fresh process, so one size's memory does not count for the
next. Not a test: nothing is asserted on time.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import threading
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "functions" / "matching"), str(ROOT / "functions" / "shared")]

from assignment import (  # noqa: E402
    Pairs,
    assign,
    exact_pairs_milp,
    exact_pairs_sparse,
    greedy_pairs,
    optimal_pairs,
    pool_value,
    sparse_pairs,
)
from backup.domain.applications import Availability, Interest  # noqa: E402
from backup.domain.postcodes import POSTCODES  # noqa: E402
from scoring import (  # noqa: E402
    Preferences,
    ScoreMatrix,
    Volunteer,
    VolunteerGender,
    YoungPerson,
    possible_scores,
    score_matrix,
)

TODAY = date(2025, 6, 1)
VOLUNTEERS = 5_000
YOUNG = 1_000
SEED = 20250601
# Approximate shares of Denmark's population by region (Statistics Denmark, 2024, rounded):
# people are drawn by region first, then uniformly among the region's postcodes.
REGION_SHARES = {"Hovedstaden": 0.32, "Midtjylland": 0.23, "Syddanmark": 0.21, "Sjælland": 0.145, "Nordjylland": 0.10}
FREE_TEXT = ["klatring", "Skak", "strikning", "fiskeri", "yoga", "bagning", "Fodbold", "løb", "tegneserier", "heste"]
CADENCES = [Availability.WEEKLY, Availability.BIWEEKLY, Availability.MONTHLY]
CADENCE_WEIGHTS = [0.5, 0.35, 0.15]
GENDERS: list[VolunteerGender | None] = ["female", "male", None]

T = TypeVar("T")


def postcode_picker(rng: random.Random) -> Callable[[], str]:
    by_region: dict[str, list[str]] = defaultdict(list)
    for code, place in sorted(POSTCODES.items()):
        by_region[place.region].append(code)
    regions = list(REGION_SHARES)
    weights = list(REGION_SHARES.values())
    return lambda: rng.choice(by_region[rng.choices(regions, weights)[0]])


def interests(rng: random.Random) -> tuple[str, ...]:
    chosen = [i.value for i in rng.sample(list(Interest), rng.randint(1, 4))]
    if rng.random() < 0.3:
        chosen.append(rng.choice(FREE_TEXT))
    return tuple(chosen)


def born(rng: random.Random, youngest: int, oldest: int) -> date:
    return TODAY - timedelta(days=rng.randint(youngest * 365 + 1, oldest * 365))


def make_pool(volunteers: int, young: int, seed: int = SEED) -> tuple[list[YoungPerson], list[Volunteer]]:
    rng = random.Random(seed)  # noqa: S311 - a reproducible pool, not a secret
    postcode = postcode_picker(rng)
    pool_v = [
        Volunteer(
            id=f"v{k}",
            postcode=postcode(),
            interests=interests(rng),
            availability=rng.choices(CADENCES, CADENCE_WEIGHTS)[0],
            birth_date=born(rng, 25, 70),
            gender=rng.choices(GENDERS, [0.65, 0.3, 0.05])[0],
        )
        for k in range(volunteers)
    ]
    pool_y = []
    for k in range(young):
        wish = {}
        if rng.random() < 0.25:
            wish["volunteer_gender"] = rng.choice(["female", "male"])
        if rng.random() < 0.15:
            wish["volunteer_age"] = rng.choice(["25-35", "35-50", "50+"])
        excluded = frozenset(rng.sample([v.id for v in pool_v], 2)) if rng.random() < 0.05 else frozenset()
        pool_y.append(
            YoungPerson(
                id=f"y{k}",
                postcode=postcode(),
                interests=interests(rng),
                availability=rng.choices(CADENCES, CADENCE_WEIGHTS)[0],
                birth_date=born(rng, 14, 24),
                preferences=Preferences.model_validate(wish),
                excluded_volunteer_ids=excluded,
            )
        )
    return pool_y, pool_v


def timed(action: Callable[[], T], repeat: int = 1) -> tuple[T, float]:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return result, best


def compare(name: str, matrix: ScoreMatrix, ours: Pairs, reference: Pairs, seconds: float) -> None:
    mine, exact = pool_value(matrix, ours), pool_value(matrix, reference)
    print(
        f"  vs {name:<42} {seconds:6.2f} s  matched {exact.matched} / ours {mine.matched}, "
        f"total {exact.total_score:,.1f}  ours/exact = {mine.total_score / exact.total_score:.6f}"
    )


def report_greedy(label: str, matrix: ScoreMatrix, optimal: Pairs) -> None:
    g, o = pool_value(matrix, greedy_pairs(matrix)), pool_value(matrix, optimal)
    print(
        f"  first-come greedy on {label}: matched {g.matched} vs optimal {o.matched}, "
        f"greedy/optimal total score = {g.total_score / o.total_score:.4f}"
    )


def parse_sizes(text: str) -> list[tuple[int, int]]:
    """'5000x1000 20000x5000' (volunteers x young people, spaces or commas between) as pairs."""
    sizes = []
    for word in text.replace(",", " ").split():
        volunteers, sep, young = word.lower().replace("_", "").partition("x")
        if not sep or not volunteers.isdigit() or not young.isdigit() or int(volunteers) < 1 or int(young) < 1:
            raise ValueError(f"a size is VOLUNTEERSxYOUNG, e.g. 5000x1000, not {word!r}")
        sizes.append((int(volunteers), int(young)))
    if not sizes:
        raise ValueError("no size given")
    return sizes


def max_rss_mib() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS); it includes the interpreter, numpy and scipy
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)


def measure_assign(volunteers: int, young: int) -> dict[str, float]:
    """What the matching function does with a pool this size (scoring, pairs, reasons): time and memory.
    Run in a fresh process (--measure), so the max RSS is this size's alone."""
    pool_y, pool_v = make_pool(volunteers, young)
    rss_before = max_rss_mib()
    _, t_score = timed(lambda: possible_scores(pool_y, pool_v, today=TODAY), repeat=2)
    result, t_total = timed(lambda: assign(pool_y, pool_v, today=TODAY), repeat=2)
    tracemalloc.start()
    assign(pool_y, pool_v, today=TODAY)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "score_s": t_score,
        "assign_s": t_total,
        "traced_mib": peak / 2**20,
        "rss_mib": max_rss_mib(),
        "rss_before_mib": rss_before,
        "total_score": result.total_score,
        "proposals": len(result.proposals),
    }


# The records as the programme stores them: each pool member as the application or referral left
# them (names, addresses, a motivation: an item of about the real size), with the evidence of every
# step approved, so that the run's safeguarding check (clearance_problem) passes and reads as much.
READY_SINCE = datetime(2025, 5, 1, 9, 0, tzinfo=UTC)
MOTIVATION = "Jeg vil gerne være en stabil voksen for en ung, der har brug for det. " * 6


def stored_preferences(preferences: Preferences) -> dict[str, str | None]:
    """A young person's wishes as the referral form stored them (the scoring model reads the age
    band as a range)."""
    age = preferences.volunteer_age
    band = None if age is None else f"{age.low}+" if age.high is None else f"{age.low}-{age.high}"
    return {"volunteer_gender": preferences.volunteer_gender, "volunteer_age": band}


def stored_records(volunteers: int, young: int) -> tuple[list[Any], list[Any]]:
    """The pool of make_pool() as cleared volunteers and confirmed young people (domain records)."""
    sys.path.insert(0, str(ROOT))
    from backup.domain.records import Volunteer as VolunteerRecord
    from backup.domain.records import VolunteerDetails, YouthDetails
    from backup.domain.records import YoungPerson as YoungPersonRecord
    from backup.domain.stages import HUMAN_STEPS, YOUTH_STEPS, Stage
    from tests.factories import evidence

    pool_y, pool_v = make_pool(volunteers, young)
    volunteer_evidence, youth_evidence = evidence(HUMAN_STEPS, READY_SINCE), evidence(YOUTH_STEPS, READY_SINCE)
    records_v = [
        VolunteerRecord(
            id=v.id,
            stage=Stage.READY_FOR_MATCH,
            stage_since=READY_SINCE,
            created_at=READY_SINCE - timedelta(days=60),
            evidence=volunteer_evidence,
            cleared_until=(READY_SINCE + timedelta(days=730)).date(),
            details=VolunteerDetails(
                first_name="Anne",
                last_name="Sørensen",
                email=f"{v.id}@example.org",
                phone="+4512345678",
                birth_date=v.birth_date,
                address="Blegdamsvej 27, 3. th.",
                postcode=v.postcode,
                city=POSTCODES[v.postcode].city,
                interests=v.interests,
                availability=v.availability,
                motivation=MOTIVATION,
                experience="Spejderleder i otte år.",
                gender=v.gender,
                references=("Mette Hansen, +4587654321", "Jens Holm, +4511223344"),
            ),
        )
        for v in pool_v
    ]
    records_y = [
        YoungPersonRecord(
            id=y.id,
            stage=Stage.WAITING_FOR_MATCH,
            stage_since=READY_SINCE,
            created_at=READY_SINCE - timedelta(days=30),
            evidence=youth_evidence,
            excluded_volunteers=sorted(y.excluded_volunteer_ids),
            details=YouthDetails(
                first_name="Sara",
                birth_date=y.birth_date,
                postcode=y.postcode,
                placement="plejefamilie",
                interests=y.interests,
                wishes="En voksen at snakke med",
                preferences=stored_preferences(y.preferences),
                availability=y.availability,
                contact_adult_name="Lise Berg",
                contact_adult_email="lise@kommune.example",
                contact_adult_phone="+4533445566",
                contact_adult_organisation="Københavns Kommune",
            ),
        )
        for y in pool_y
    ]
    return records_y, records_v


class DynamoReads:
    """Counts what the clients ask DynamoDB for, and the read units it would be billed: a GetItem or
    BatchGetItem pays per item (its size rounded up to 4 KB), a Query per page (the page's size
    rounded up); an eventually consistent read half. A client's answers may be in DynamoDB's typed
    form (the repository's reader): they are sized as the values they hold."""

    def __init__(self, *clients: Any) -> None:
        self.reset()
        self._lock = threading.Lock()  # the repository reads batches from several threads
        self._marks = threading.local()
        for client in clients:
            events = client.meta.events
            events.register("before-parameter-build.dynamodb", self._before, unique_id="bench-params")
            events.register("before-parse.dynamodb", self._answered, unique_id="bench-answered")
            events.register("after-call.dynamodb", self._after, unique_id="bench-after")

    def reset(self) -> None:
        self.calls: dict[str, int] = defaultdict(int)
        self.items = 0
        self.bytes = 0
        self.read_units = 0.0
        # botocore's reading of each answer (from its arrival to the parsed result), summed over
        # the threads: the function pays it in AWS too
        self.parse_s = 0.0
        self.sizing = True

    @staticmethod
    def _before(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        context["bench_params"] = params  # the request as the caller gave it, for after the call

    def _answered(self, **_: Any) -> None:
        self._marks.at = time.perf_counter()

    def _after(self, model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        with self._lock:
            self.parse_s += time.perf_counter() - self._marks.at
            self.calls[model.name] += 1
            if self.sizing:
                self._size(model.name, context.get("bench_params", {}), parsed)

    def _size(self, name: str, params: dict[str, Any], parsed: dict[str, Any]) -> None:
        """Items, bytes and read units of one answer (slow: only in the untimed read)."""
        import math

        from backup.adapters.dynamodb import plain_item

        def size(item: dict[str, Any]) -> int:
            typed = all(isinstance(v, dict) and len(v) == 1 and next(iter(v)) in TYPE_TAGS for v in item.values())
            return len(json.dumps(plain_item(item) if typed else item, default=str))

        if name == "BatchGetItem":
            for table, items in parsed.get("Responses", {}).items():
                consistent = params["RequestItems"][table].get("ConsistentRead", False)
                for item in items:
                    item_bytes = size(item)
                    self.items += 1
                    self.bytes += item_bytes
                    self.read_units += math.ceil(item_bytes / 4096) * (1.0 if consistent else 0.5)
        elif name in {"Query", "Scan"}:
            items = parsed.get("Items", [])
            page = sum(size(item) for item in items)
            self.items += len(items)
            self.bytes += page
            self.read_units += max(1, math.ceil(page / 4096)) * (1.0 if params.get("ConsistentRead") else 0.5)


TYPE_TAGS = frozenset({"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"})
PAGE_BYTES = 1024 * 1024  # DynamoDB returns at most 1 MB of items per Query page
MS_PER_CALL = 20  # assumed: DynamoDB's answer to a BatchGetItem of 100 items or a Query page, in the function's region


class TableStandIn:
    """DynamoDB's side of the two reads the run makes, answered in this process: the stage index
    (KEYS_ONLY, paged by 1 MB) and BatchGetItem, from the items exactly as the repository writes
    them, in DynamoDB's JSON. Everything on the function's side is real: boto3 builds and signs each
    request, botocore parses each answer, the repository and the run read them. (moto answers the
    same reads in several minutes for this pool: its time is not DynamoDB's, so it is not used here.)"""

    def __init__(self, items: list[dict[str, Any]], latency_s: float = 0.0) -> None:
        from boto3.dynamodb.types import TypeSerializer

        typed = TypeSerializer()
        self.items = {(i["pk"], i["sk"]): {k: typed.serialize(v) for k, v in i.items()} for i in items}
        # each item's JSON made once: the stand-in's own CPU is not DynamoDB's and must not take the
        # function's (the GIL is shared, and the function reads from several threads)
        self.encoded = {key: json.dumps(item) for key, item in self.items.items()}
        self._projected: dict[str, dict[tuple[str, str], str]] = {}
        self.by_stage: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for item in self.items.values():
            if "stage" in item and "stage_since" in item:
                keys = {k: item[k] for k in ("pk", "sk", "stage", "stage_since")}
                self.by_stage[item["stage"]["S"]].append(keys)
        for keys in self.by_stage.values():
            keys.sort(key=lambda k: k["stage_since"]["S"])
        self.latency_s = latency_s  # DynamoDB's time for each answer, slept (the GIL is free meanwhile)
        self.seconds = 0.0  # the stand-in's own CPU, for the report
        self._lock = threading.Lock()

    def answer(self, request: Any, **_: Any) -> Any:
        from botocore.awsrequest import AWSResponse
        from moto.core.botocore_stubber import MockRawResponse

        start = time.perf_counter()
        operation = request.headers["X-Amz-Target"].decode().split(".")[1]
        body = json.loads(request.body)
        if operation == "BatchGetItem":
            raw = MockRawResponse(self.batch_get(body).encode())
        else:
            raw = MockRawResponse(json.dumps(self.query(body)).encode())
        with self._lock:
            self.seconds += time.perf_counter() - start
        time.sleep(self.latency_s)
        return AWSResponse(request.url, 200, {"Content-Type": "application/x-amz-json-1.0"}, raw)

    def batch_get(self, body: dict[str, Any]) -> str:
        ((table, request),) = body["RequestItems"].items()
        keys = [(k["pk"]["S"], k["sk"]["S"]) for k in request["Keys"]]
        if "ProjectionExpression" in request:
            encoded = self.projected(request["ProjectionExpression"], request.get("ExpressionAttributeNames", {}))
        else:
            encoded = self.encoded
        found = ",".join(encoded[key] for key in keys)
        return f'{{"Responses": {{{json.dumps(table)}: [{found}]}}, "UnprocessedKeys": {{}}}}'

    def projected(self, expression: str, names: dict[str, str]) -> dict[tuple[str, str], str]:
        """Every item's JSON with only the attributes (and map keys) the expression names, as
        DynamoDB projects them; made once per projection (the read asks with one per kind)."""
        key = json.dumps([expression, names], sort_keys=True)  # one text may stand for other names
        if key not in self._projected:
            paths = [[names.get(part, part) for part in path.strip().split(".")] for path in expression.split(",")]

            def project(item: dict[str, Any]) -> dict[str, Any]:
                kept: dict[str, Any] = {}
                for head, *rest in paths:
                    if head not in item:
                        continue
                    if not rest:
                        kept[head] = item[head]
                    elif rest[0] in item[head].get("M", {}):
                        kept.setdefault(head, {"M": {}})["M"][rest[0]] = item[head]["M"][rest[0]]
                return kept

            self._projected[key] = {at: json.dumps(project(item)) for at, item in self.items.items()}
        return self._projected[key]

    def query(self, body: dict[str, Any]) -> dict[str, Any]:
        assert body.get("IndexName") == "by_stage", body  # the only query the pool read makes
        (stage,) = [v["S"] for v in body["ExpressionAttributeValues"].values()]
        keys = self.by_stage[stage]
        start = 0
        if "ExclusiveStartKey" in body:
            start = keys.index(body["ExclusiveStartKey"]) + 1
        page, size = [], 0
        for k in keys[start:]:
            size += len(json.dumps(k))
            if size > PAGE_BYTES:
                break
            page.append(k)
        answer: dict[str, Any] = {"Items": page, "Count": len(page), "ScannedCount": len(page)}
        if start + len(page) < len(keys):
            answer["LastEvaluatedKey"] = page[-1]
        return answer


def measure_from_table(volunteers: int, young: int) -> dict[str, Any]:
    """The matching run as the function runs it, from a table: the pool read (the stage index, then
    the records in batches, each validated and its safeguarding checked), then assign(). Run in a
    fresh process (--measure-table): the growth of its RSS over the run is the run's memory."""
    import os

    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",  # noqa: S105 - nothing is sent anywhere
        "AWS_DEFAULT_REGION": "eu-west-1",
    }.items():
        os.environ.setdefault(name, value)
    sys.path.insert(0, str(ROOT))
    import boto3

    from backup.adapters.dynamodb import DynamoRepository, record_item
    from backup.domain.evidence import Rules
    from backup.domain.settings import DEFAULT_CERTIFICATE_VALIDITY_DAYS
    from pool import collector_paused, read_pool

    rss_base = current_rss_mib()  # what a function holds before it reads anything (its imports)
    records_y, records_v = stored_records(volunteers, young)
    table = TableStandIn([record_item(r) for r in [*records_y, *records_v]])
    del records_y, records_v
    resource_ = boto3.resource("dynamodb")
    reader = boto3.client("dynamodb")
    for client in (resource_.meta.client, reader):
        client.meta.events.register("before-send.dynamodb", table.answer)
    reads = DynamoReads(resource_.meta.client, reader)
    repository = DynamoRepository("bench", resource_, reader=reader)
    rules = Rules(DEFAULT_CERTIFICATE_VALIDITY_DAYS)
    # once first, sizing every answer (slow): the items, bytes and read units; and the clients and
    # models made, as a warm function has them. Then the measured run, with the calls alone counted,
    # DynamoDB's time for each answer slept as the function would wait for it.
    read_pool(repository, TODAY, rules)
    items, size, read_units = reads.items, reads.bytes, reads.read_units
    reads.reset()
    reads.sizing = False
    table.seconds, table.latency_s = 0.0, MS_PER_CALL / 1000
    rss_before = current_rss_mib()
    with collector_paused():  # as run_matching reads and assigns
        start = time.perf_counter()
        pool = read_pool(repository, TODAY, rules)
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        result = assign(pool.young, pool.volunteers, today=TODAY)
        assign_s = time.perf_counter() - start
    return {
        "read_s": read_s,
        "stand_in_s": table.seconds,
        "assign_s": assign_s,
        "young": len(pool.young),
        "volunteers": len(pool.volunteers),
        "proposals": len(result.proposals),
        "total_score": result.total_score,
        "calls": dict(reads.calls),
        "items": items,
        "mib_read": size / 2**20,
        "read_units": read_units,
        "parse_s": reads.parse_s,
        "rss_base_mib": rss_base,
        "rss_before_mib": rss_before,
        "rss_peak_mib": max_rss_mib(),
    }


def current_rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def measured_in_fresh_process(volunteers: int, young: int, how: str = "--measure") -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, how, f"{volunteers}x{young}"], capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"measuring {volunteers}x{young} ({how}) failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def report_size(volunteers: int, young: int, memory_mib: int, details: bool, full_milp: bool) -> None:
    print(f"\nPool: {volunteers:,} ready volunteers, {young:,} waiting young people, seed {SEED}")
    f = measured_in_fresh_process(volunteers, young)
    print(
        f"Time (best of 2): possible pairs scored {f['score_s']:.2f} s; whole assign() with pairs and reasons "
        f"{f['assign_s']:.2f} s"
    )
    room = memory_mib - f["rss_mib"]
    print(
        f"Memory: {f['traced_mib']:.0f} MiB traced by tracemalloc during assign(); process max RSS "
        f"{f['rss_mib']:.0f} MiB ({f['rss_before_mib']:.0f} MiB before scoring: interpreter, numpy, scipy, pool); "
        f"the function has {memory_mib} MB: {'fits' if room > 0 else 'DOES NOT FIT'}, {room:.0f} MiB to spare"
    )
    report_table_run(volunteers, young, memory_mib, f["total_score"])
    pool_y, pool_v = make_pool(volunteers, young)
    matrix, t_dense = timed(lambda: score_matrix(pool_y, pool_v, today=TODAY))
    print(f"Possible pairs: {int(matrix.possible.sum()):,} of {matrix.possible.size:,}")
    pool = possible_scores(pool_y, pool_v, today=TODAY)
    ours = sparse_pairs(pool)
    reference, t_reference = timed(lambda: optimal_pairs(matrix))
    print("Exactness (ours/exact must be 1.0):")
    compare("dense linear_sum_assignment (reference)", matrix, ours, reference, t_dense + t_reference)
    mine = pool_value(matrix, ours)
    print(f"  assign()'s total score {f['total_score']:,.1f} vs our pairs' {mine.total_score:,.1f}")
    if details:
        if full_milp:
            milp_pairs, t_milp = timed(lambda: exact_pairs_milp(matrix))
            compare("integer program (milp/HiGHS), full pool", matrix, ours, milp_pairs, t_milp)
        else:
            small = ScoreMatrix(matrix.scores[:200, :1000], matrix.possible[:200, :1000])
            milp_pairs, t_milp = timed(lambda: exact_pairs_milp(small))
            compare("integer program (milp/HiGHS), 200 x 1,000", small, optimal_pairs(small), milp_pairs, t_milp)
            print("     (the full pool as an integer program takes about a minute: --full-milp)")
        sparse_reference, t_sparse = timed(lambda: exact_pairs_sparse(matrix))
        compare("sparse LAPJVsp on the dense matrix's pairs", matrix, ours, sparse_reference, t_sparse)
        report_greedy("this pool", matrix, reference)
        # where volunteers are scarce, first come, first served also leaves young people without anyone
        scarce = score_matrix(*make_pool(young, young, seed=SEED + 1), today=TODAY)
        report_greedy(f"a scarce pool ({young:,} volunteers)", scarce, optimal_pairs(scarce))


def report_table_run(volunteers: int, young: int, memory_mib: int, total_score: float) -> None:
    t = measured_in_fresh_process(volunteers, young, "--measure-table")
    named = ", ".join(f"{n} {name}" for name, n in sorted(t["calls"].items()))
    print(
        f"From the table ({volunteers + young:,} records): the pool read {t['read_s']:.2f} s (DynamoDB's "
        f"{MS_PER_CALL} ms an answer assumed and waited; botocore's reading of the answers {t['parse_s']:.2f} s "
        f"over the threads; the stand-in's own {t['stand_in_s']:.2f} s; {t['young']:,} young and "
        f"{t['volunteers']:,} volunteers cleared), assign() {t['assign_s']:.2f} s: "
        f"{t['read_s'] + t['assign_s']:.2f} s in all"
    )
    print(
        f"  DynamoDB: {named}; {t['items']:,} items (the index's keys, then the records), {t['mib_read']:.1f} MiB, "
        f"about {t['read_units']:,.0f} read units (${t['read_units'] * 0.1413 / 1e6:.5f} on demand; the records "
        "eventually consistent)"
    )
    growth = t["rss_peak_mib"] - t["rss_before_mib"]
    peak = t["rss_base_mib"] + growth
    room = memory_mib - peak
    print(
        f"  Memory: the run grew the process by {growth:.0f} MiB (max RSS {t['rss_peak_mib']:.0f} MiB, of which "
        f"{t['rss_before_mib'] - t['rss_base_mib']:.0f} MiB is the stand-in table); with the {t['rss_base_mib']:.0f} "
        f"MiB of the function's imports about {peak:.0f} MiB of the function's {memory_mib} MB: "
        f"{'fits' if room > 0 else 'DOES NOT FIT'}, {room:.0f} MiB to spare"
    )
    same = "the same" if abs(t["total_score"] - total_score) < 1e-6 else "NOT THE SAME"
    print(f"  total score from the table {t['total_score']:,.1f}: {same} as from the pool in memory")


def matching_memory_mb() -> int:
    """The matching function's MemorySize in template.yaml."""
    sys.path.insert(0, str(ROOT))
    from local_stack import template as tpl

    return int(tpl.load()["Resources"]["MatchingFunction"]["Properties"]["MemorySize"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--full-milp", action="store_true", help="also solve the full pool as an integer program (~1-2 min)"
    )
    parser.add_argument("--sizes", default=f"{VOLUNTEERS}x{YOUNG}", help="VOLUNTEERSxYOUNG ..., e.g. '5000x1000'")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # one size's assign() in this process, as JSON
    parser.add_argument("--measure-table", help=argparse.SUPPRESS)  # one size's run from a table, as JSON
    args = parser.parse_args()
    if args.measure:
        ((volunteers, young),) = parse_sizes(args.measure)
        print(json.dumps(measure_assign(volunteers, young)))
        return
    if args.measure_table:
        ((volunteers, young),) = parse_sizes(args.measure_table)
        print(json.dumps(measure_from_table(volunteers, young)))
        return
    memory = matching_memory_mb()
    for k, (volunteers, young) in enumerate(parse_sizes(args.sizes)):
        report_size(volunteers, young, memory, details=k == 0, full_milp=args.full_milp)


if __name__ == "__main__":
    main()
