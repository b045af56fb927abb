"""Choosing the pairs that are best for the whole pool, not first come, first served.

The objective, in order: match as many waiting young people as possible, then maximise the total
score of the chosen pairs. Impossible pairs (too far, declined before, against the young person's
wishes) are never chosen, and each young person and each volunteer is used at most once.
Pure domain code (no boto3); the handler stores the result with conditional writes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse.csgraph import min_weight_full_bipartite_matching

from backup.domain.proposals import Candidate, Proposal
from scoring import (
    DEFAULT_CONFIG,
    MAX_SCORE,
    MatchingConfig,
    PossibleScores,
    ScoreMatrix,
    Volunteer,
    YoungPerson,
    possible_scores,
    reason_for,
)

ALTERNATIVES = 2
ROWS_PER_CHUNK = 128
Pairs = list[tuple[int, int]]  # (young index, volunteer index) into a ScoreMatrix


@dataclass(frozen=True)
class MatchingResult:
    """What one matching run decided for the pool."""

    proposals: tuple[Proposal, ...]
    # nobody ready is possible for them at all: the recruitment-needs view
    unmatched: tuple[str, ...]
    # someone is possible, but every possible volunteer was chosen for another young person this run
    left_waiting: tuple[str, ...]
    total_score: float


@dataclass(frozen=True, order=True)
class PoolValue:
    """How good a set of pairs is, comparable in the objective's order: count first, then total score."""

    matched: int
    total_score: float


def pool_value(matrix: ScoreMatrix, pairs: Pairs) -> PoolValue:
    """Count and total score of `pairs`; raises if a pair is impossible or a person is used twice."""
    rows, cols = [i for i, _ in pairs], [j for _, j in pairs]
    if len(set(rows)) != len(rows) or len(set(cols)) != len(cols):
        raise ValueError("someone is used twice")
    if not all(matrix.possible[i, j] for i, j in pairs):
        raise ValueError("an impossible pair was chosen")
    return PoolValue(len(pairs), float(sum(matrix.scores[i, j] for i, j in pairs)))


def _impossible_cost(shape: tuple[int, int]) -> float:
    """A cost so high that giving up one possible pair never pays, whatever it does to the scores."""
    return MAX_SCORE * (min(shape) + 2)


def optimal_pairs(matrix: ScoreMatrix) -> Pairs:
    """The optimal assignment (Hungarian-type solver on the dense matrix, impossible pairs masked)."""
    rows = np.flatnonzero(matrix.possible.any(axis=1))
    cols = np.flatnonzero(matrix.possible.any(axis=0))
    if rows.size == 0:
        return []
    # only people with somebody possible take part: a much smaller problem in sparse regions
    possible = matrix.possible[np.ix_(rows, cols)]
    cost = matrix.scores[np.ix_(rows, cols)]  # a copy: negated and masked in place to spare memory
    np.negative(cost, out=cost)
    cost[~possible] = _impossible_cost(matrix.shape)
    chosen_rows, chosen_cols = linear_sum_assignment(cost)
    keep = possible[chosen_rows, chosen_cols]
    return [(int(rows[r]), int(cols[c])) for r, c in zip(chosen_rows[keep], chosen_cols[keep], strict=True)]


def greedy_pairs(matrix: ScoreMatrix, order: Iterable[int] | None = None) -> Pairs:
    """First come, first served (for comparison only): in waiting order, each takes the best volunteer left."""
    free = np.ones(matrix.shape[1], dtype=bool)
    pairs: Pairs = []
    for i in range(matrix.shape[0]) if order is None else order:
        options = np.where(matrix.possible[i] & free, matrix.scores[i], -np.inf)
        j = int(np.argmax(options))
        if np.isfinite(options[j]):
            free[j] = False
            pairs.append((i, j))
    return pairs


def exact_pairs_milp(matrix: ScoreMatrix) -> Pairs:
    """An independent exact reference: the same objective as an integer program (HiGHS via scipy.optimize.milp)."""
    rows, cols = np.nonzero(matrix.possible)
    if rows.size == 0:
        return []
    n, m = matrix.shape
    edges = np.arange(rows.size)
    ones = np.ones(rows.size)
    each_young = sparse.csr_matrix((ones, (rows, edges)), shape=(n, rows.size))
    each_volunteer = sparse.csr_matrix((ones, (cols, edges)), shape=(m, rows.size))
    result = milp(
        c=-(matrix.scores[rows, cols] + _impossible_cost(matrix.shape)),
        constraints=[LinearConstraint(each_young, 0, 1), LinearConstraint(each_volunteer, 0, 1)],
        integrality=ones,
        bounds=Bounds(0, 1),
    )
    if not result.success:
        raise RuntimeError(f"milp failed: {result.message}")
    chosen = result.x > 0.5
    return [(int(i), int(j)) for i, j in zip(rows[chosen], cols[chosen], strict=True)]


def exact_pairs_sparse(matrix: ScoreMatrix) -> Pairs:
    """A second independent exact method, on the dense matrix's possible pairs (see `sparse_pairs`)."""
    rows, cols = np.nonzero(matrix.possible)
    scores = sparse.csr_matrix((matrix.scores[rows, cols], (rows, cols)), shape=matrix.shape)
    return sparse_pairs(PossibleScores(scores))


def sparse_pairs(pool: PossibleScores) -> Pairs:
    """The optimal assignment over the possible pairs only: sparse LAPJVsp (what `assign` uses).

    Each young person gets a private "nobody" option at a prohibitive cost, so a full matching
    always exists and leaving someone out is chosen only when unavoidable: as many matched as
    possible first, then the highest total score (the same objective as `optimal_pairs`).
    """
    n, m = pool.shape
    if pool.matrix.nnz == 0:
        return []
    # the costs with each row's "nobody" column put at its end, in one new array each (no stacking)
    ends = pool.matrix.indptr[1:]
    indices = np.insert(pool.matrix.indices, ends, np.arange(m, m + n, dtype=pool.matrix.indices.dtype))
    costs = np.insert(pool.matrix.data, ends, -_impossible_cost(pool.shape))
    np.subtract(MAX_SCORE + 1.0, costs, out=costs)  # strictly positive: zero would read as "no edge"
    graph = sparse.csr_matrix((costs, indices, pool.matrix.indptr + np.arange(n + 1)), shape=(n, m + n))
    young, volunteer = min_weight_full_bipartite_matching(graph)
    return [(int(i), int(j)) for i, j in zip(young, volunteer, strict=True) if j < m]


def choose_alternatives(matrix: ScoreMatrix, pairs: Pairs, count: int = ALTERNATIVES) -> dict[int, list[int]]:
    """Up to `count` alternatives per assigned young person, best score first.

    Rule: first the best possible volunteers whom this run chose for nobody (so the consultant can
    switch without undoing another proposal); only if there are fewer than `count` of those, the
    best possible volunteers chosen for someone else fill up the list.
    """
    if not pairs or count == 0:
        return {}
    rows = np.array([i for i, _ in pairs])
    chosen = np.array([j for _, j in pairs])
    taken = np.zeros(matrix.shape[1], dtype=bool)
    taken[chosen] = True
    alternatives: dict[int, list[int]] = {}
    # a few rows at a time keeps the temporaries small (a full copy of the matrix is 40 MB)
    for start in range(0, rows.size, ROWS_PER_CHUNK):
        chunk, own = rows[start : start + ROWS_PER_CHUNK], chosen[start : start + ROWS_PER_CHUNK]
        possible = matrix.possible[chunk]
        possible[np.arange(chunk.size), own] = False  # never the young person's own chosen volunteer
        scores = matrix.scores[chunk]
        free_top = _top(np.where(possible & ~taken, scores, -np.inf), count)
        taken_top = _top(np.where(possible & taken, scores, -np.inf), count)
        for k, i in enumerate(chunk):
            alternatives[int(i)] = (free_top[k] + taken_top[k])[:count]
    return alternatives


def _top(scores: np.ndarray, count: int) -> list[list[int]]:
    """Column indices of the `count` highest finite scores of each row, best first."""
    count = min(count, scores.shape[1])
    best = np.argpartition(-scores, count - 1, axis=1)[:, :count]
    best_scores = np.take_along_axis(scores, best, axis=1)
    best = np.take_along_axis(best, np.argsort(-best_scores, axis=1, kind="stable"), axis=1)
    return [[int(j) for j in row if np.isfinite(scores[k, j])] for k, row in enumerate(best)]


def sparse_alternatives(pool: PossibleScores, pairs: Pairs, count: int = ALTERNATIVES) -> dict[int, list[int]]:
    """`choose_alternatives` over the possible pairs only; equal scores in column order."""
    if not pairs or count == 0:
        return {}
    taken = np.zeros(pool.shape[1], dtype=bool)
    taken[[j for _, j in pairs]] = True
    alternatives: dict[int, list[int]] = {}
    for i, own in pairs:
        cols, scores = pool.row(i)
        others = cols != own
        cols, scores = cols[others], scores[others]
        order = np.lexsort((cols, -scores))  # best score first, then the lower column
        ranked = cols[order]
        free = ranked[~taken[ranked]][:count]
        alternatives[i] = [int(j) for j in free] + [int(j) for j in ranked[taken[ranked]][: count - free.size]]
    return alternatives


def assign(
    young: Sequence[YoungPerson],
    volunteers: Sequence[Volunteer],
    *,
    today: date,
    config: MatchingConfig = DEFAULT_CONFIG,
    excluded_pairs: Iterable[tuple[str, str]] = (),
    alternatives: int = ALTERNATIVES,
) -> MatchingResult:
    """Score the pool, choose the optimal pairs and explain each proposal and its alternatives.

    Only the possible pairs are kept (`possible_scores`), so a national pool (20,000 volunteers and
    5,000 young people) fits the function's memory; `optimal_pairs` on the dense matrix is the reference.
    """
    pool = possible_scores(young, volunteers, today=today, config=config, excluded_pairs=excluded_pairs)
    pairs = sparse_pairs(pool)
    others = sparse_alternatives(pool, pairs, alternatives)

    def candidate(i: int, j: int) -> Candidate:
        cols, scores = pool.row(i)
        return Candidate(volunteers[j].id, float(scores[cols == j][0]), reason_for(young[i], volunteers[j]))

    chosen = dict(pairs)
    proposals = tuple(
        Proposal(young[i].id, candidate(i, chosen[i]), tuple(candidate(i, j) for j in others[i]))
        for i in range(len(young))
        if i in chosen
    )
    any_possible = [bool(k) for k in np.diff(pool.matrix.indptr)]
    return MatchingResult(
        proposals=proposals,
        unmatched=tuple(y.id for i, y in enumerate(young) if not any_possible[i]),
        left_waiting=tuple(y.id for i, y in enumerate(young) if any_possible[i] and i not in chosen),
        total_score=float(sum(p.chosen.score for p in proposals)),
    )
