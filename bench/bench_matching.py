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
import time
import tracemalloc
from collections import defaultdict
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TypeVar

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
                wishes="En voksen at snakke med",
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


def measured_in_fresh_process(volunteers: int, young: int) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--measure", f"{volunteers}x{young}"], capture_output=True, text=True, check=True
    )
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
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
    args = parser.parse_args()
    if args.measure:
        ((volunteers, young),) = parse_sizes(args.measure)
        print(json.dumps(measure_assign(volunteers, young)))
        return
    memory = matching_memory_mb()
    for k, (volunteers, young) in enumerate(parse_sizes(args.sizes)):
        report_size(volunteers, young, memory, details=k == 0, full_milp=args.full_milp)


if __name__ == "__main__":
    main()
