"""Choosing pairs for the whole pool: best for everyone, nobody twice, nobody impossible."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "functions" / "matching"))

from scipy import sparse  # noqa: E402

from assignment import (  # noqa: E402
    Pairs,
    PoolValue,
    assign,
    choose_alternatives,
    exact_pairs_milp,
    exact_pairs_sparse,
    greedy_pairs,
    optimal_pairs,
    pool_value,
    sparse_alternatives,
    sparse_pairs,
)
from scoring import (  # noqa: E402
    PossibleScores,
    ScoreMatrix,
    Volunteer,
    YoungPerson,
    possible_scores,
    score_matrix,
    score_pair,
)

TODAY = date(2025, 6, 1)
X = None  # an impossible pair in a hand-written matrix


def matrix(rows: list[list[float | None]]) -> ScoreMatrix:
    """A score matrix written by hand: young people are rows, volunteers columns, X impossible."""
    return ScoreMatrix(
        np.array([[0.0 if s is None else s for s in row] for row in rows]),
        np.array([[s is not None for s in row] for row in rows]),
    )


def young(id: str, postcode: str, **changes: object) -> YoungPerson:
    fields = {"interests": ["football"], "availability": "weekly", "birth_date": date(2008, 1, 1)}
    return YoungPerson.model_validate({"id": id, "postcode": postcode} | fields | changes)


def volunteer(id: str, postcode: str, **changes: object) -> Volunteer:
    fields = {"interests": ["football"], "availability": "weekly", "birth_date": date(1980, 1, 1), "gender": "female"}
    return Volunteer.model_validate({"id": id, "postcode": postcode} | fields | changes)


# --- better than first come, first served -------------------------------------------------------


def test_the_whole_pool_beats_first_come_first_served_on_total_score() -> None:
    # Anna (first in the queue) likes both volunteers; Bo has a strong fit only with the first one.
    scores = matrix([[90, 80], [85, 40]])
    assert pool_value(scores, greedy_pairs(scores)) == PoolValue(2, 130)  # Anna takes her best: Bo gets 40
    assert pool_value(scores, optimal_pairs(scores)) == PoolValue(2, 165)  # Anna 80, Bo 85
    assert sorted(optimal_pairs(scores)) == [(0, 1), (1, 0)]


def test_the_whole_pool_matches_a_young_person_that_first_come_first_served_leaves_out() -> None:
    # Real places: the volunteer in Silkeborg is the only one within 40 km of Herning.
    ys = [young("first-in-silkeborg", "8600"), young("then-in-herning", "7400")]
    vs = [volunteer("v-silkeborg", "8600"), volunteer("v-ry", "8680")]  # Ry: 16 km from Silkeborg, 49 from Herning
    result = assign(ys, vs, today=TODAY)
    assert {p.young_id: p.chosen.volunteer_id for p in result.proposals} == {
        "first-in-silkeborg": "v-ry",
        "then-in-herning": "v-silkeborg",
    }
    scores = score_matrix(ys, vs, today=TODAY)
    assert pool_value(scores, greedy_pairs(scores)).matched == 1
    assert result.unmatched == () and result.left_waiting == ()


def test_matching_as_many_young_people_as_possible_comes_before_the_total_score() -> None:
    # Giving Anna her 100 would leave Bo with nobody; 0.5 + 99 matches both.
    scores = matrix([[100, 0.5], [99, X]])
    assert pool_value(scores, optimal_pairs(scores)) == PoolValue(2, 99.5)


# --- never twice, never impossible, always optimal ---------------------------------------------


def brute_force(scores: ScoreMatrix) -> PoolValue:
    """Every way to pair the pool, tried one by one (small pools only)."""

    def best(row: int, used: frozenset[int]) -> PoolValue:
        if row == scores.shape[0]:
            return PoolValue(0, 0.0)
        options = [best(row + 1, used)]  # this young person waits
        for col in range(scores.shape[1]):
            if col not in used and scores.possible[row, col]:
                rest = best(row + 1, used | {col})
                options.append(PoolValue(rest.matched + 1, rest.total_score + float(scores.scores[row, col])))
        return max(options)

    return best(0, frozenset())


small_pools = st.integers(1, 5).flatmap(
    lambda n: st.integers(1, 6).flatmap(
        lambda m: st.lists(
            st.lists(st.one_of(st.none(), st.integers(0, 100).map(float)), min_size=m, max_size=m),
            min_size=n,
            max_size=n,
        )
    )
)


def assert_valid(scores: ScoreMatrix, pairs: Pairs) -> PoolValue:
    young_used = [i for i, _ in pairs]
    volunteers_used = [j for _, j in pairs]
    assert len(set(young_used)) == len(young_used), "a young person was given two volunteers"
    assert len(set(volunteers_used)) == len(volunteers_used), "a volunteer was given two young people"
    assert all(scores.possible[i, j] for i, j in pairs), "an impossible pair was chosen"
    return pool_value(scores, pairs)


@settings(max_examples=200, deadline=None)
@given(small_pools)
def test_nobody_is_assigned_twice_and_the_assignment_is_optimal(rows: list[list[float | None]]) -> None:
    scores = matrix(rows)
    ours = assert_valid(scores, optimal_pairs(scores))
    exact = brute_force(scores)
    assert ours.matched == exact.matched
    assert ours.total_score == pytest.approx(exact.total_score)
    greedy = assert_valid(scores, greedy_pairs(scores))
    assert (greedy.matched, greedy.total_score) <= (ours.matched, ours.total_score + 1e-9)


@settings(max_examples=40, deadline=None)
@given(small_pools)
def test_the_independent_exact_solvers_agree(rows: list[list[float | None]]) -> None:
    scores = matrix(rows)
    ours = pool_value(scores, optimal_pairs(scores))
    for solver in (exact_pairs_milp, exact_pairs_sparse):
        other = assert_valid(scores, solver(scores))
        assert other.matched == ours.matched
        assert other.total_score == pytest.approx(ours.total_score)


postcodes = st.sampled_from(["8000", "8200", "8600", "7400", "8680", "2100", "3700"])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(postcodes, st.sets(st.integers(0, 6), max_size=2)), min_size=1, max_size=6),
    st.lists(st.tuples(postcodes, st.sampled_from(["female", "male"])), min_size=1, max_size=7),
)
def test_proposals_never_share_a_volunteer_nor_include_an_excluded_one(
    young_spec: list[tuple[str, set[int]]], volunteer_spec: list[tuple[str, str]]
) -> None:
    ys = [
        young(f"y{i}", pc, excluded_volunteer_ids={f"v{j}" for j in excluded})
        for i, (pc, excluded) in enumerate(young_spec)
    ]
    vs = [volunteer(f"v{j}", pc, gender=g) for j, (pc, g) in enumerate(volunteer_spec)]
    result = assign(ys, vs, today=TODAY)
    chosen = [p.chosen.volunteer_id for p in result.proposals]
    assert len(set(chosen)) == len(chosen)
    by_id = {y.id: y for y in ys}
    volunteer_by_id = {v.id: v for v in vs}
    for proposal in result.proposals:
        offered = [proposal.chosen.volunteer_id] + [c.volunteer_id for c in proposal.alternatives]
        assert len(set(offered)) == len(offered) <= 3
        assert not set(offered) & by_id[proposal.young_id].excluded_volunteer_ids
        assert all(score_pair(by_id[proposal.young_id], volunteer_by_id[v], today=TODAY) for v in offered)
    everyone = [p.young_id for p in result.proposals] + list(result.unmatched) + list(result.left_waiting)
    assert sorted(everyone) == sorted(by_id)


# --- alternatives and the people left over -----------------------------------------------------


def test_alternatives_are_volunteers_nobody_else_got_before_those_chosen_for_others() -> None:
    #                 v0   v1  v2  v3
    scores = matrix([[90, 85, 30, 20], [X, 95, X, X]])
    pairs = optimal_pairs(scores)
    assert sorted(pairs) == [(0, 0), (1, 1)]
    # v1 scores 85 for young person 0 but is chosen for young person 1: the free v2 and v3 come first
    assert choose_alternatives(scores, pairs) == {0: [2, 3], 1: []}


def test_volunteers_chosen_for_others_fill_up_when_too_few_are_free() -> None:
    scores = matrix([[90, 85, 30], [X, 95, X]])
    assert choose_alternatives(scores, optimal_pairs(scores)) == {0: [2, 1], 1: []}


def only_possible(scores: ScoreMatrix) -> PossibleScores:
    rows, cols = np.nonzero(scores.possible)
    return PossibleScores(sparse.csr_matrix((scores.scores[rows, cols], (rows, cols)), shape=scores.shape))


def test_alternatives_from_the_possible_pairs_only_are_the_same() -> None:
    for rows in ([[90, 85, 30, 20], [X, 95, X, X]], [[90, 85, 30], [X, 95, X]], [[0, 0, X, 0], [0, X, 0, 0]]):
        scores = matrix(rows)
        pairs = optimal_pairs(scores)
        ours = sparse_alternatives(only_possible(scores), pairs)
        reference = choose_alternatives(scores, pairs)
        # the same volunteers' scores in the same order (equal scores may be other volunteers)
        assert {i: [scores.scores[i, j] for j in js] for i, js in ours.items()} == {
            i: [scores.scores[i, j] for j in js] for i, js in reference.items()
        }


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(postcodes, st.sampled_from([(), ("music",), ("football", "Skak")])), min_size=1, max_size=8),
    st.lists(st.tuples(postcodes, st.sampled_from(["female", "male"])), min_size=1, max_size=9),
    st.sampled_from([None, "female", "male"]),
)
def test_the_possible_pairs_carry_the_dense_scores_and_assign_is_as_good_as_the_dense_reference(
    young_spec: list[tuple[str, tuple[str, ...]]], volunteer_spec: list[tuple[str, str]], wish: str | None
) -> None:
    ys = [
        young(f"y{i}", pc, interests=list(interests) or ["music"], preferences={"volunteer_gender": wish})
        for i, (pc, interests) in enumerate(young_spec)
    ]
    vs = [volunteer(f"v{j}", pc, gender=g) for j, (pc, g) in enumerate(volunteer_spec)]
    dense = score_matrix(ys, vs, today=TODAY, excluded_pairs=[("y0", "v0")])
    pool = possible_scores(ys, vs, today=TODAY, excluded_pairs=[("y0", "v0")])
    kept = {(i, int(j)): float(score) for i in range(len(ys)) for j, score in zip(*pool.row(i), strict=True)}
    rows, cols = np.nonzero(dense.possible)
    assert kept == {(int(i), int(j)): float(dense.scores[i, j]) for i, j in zip(rows, cols, strict=True)}
    reference = pool_value(dense, optimal_pairs(dense))
    ours = assert_valid(dense, sparse_pairs(pool))
    assert ours.matched == reference.matched
    assert ours.total_score == pytest.approx(reference.total_score)
    result = assign(ys, vs, today=TODAY, excluded_pairs=[("y0", "v0")])
    assert result.total_score == pytest.approx(reference.total_score)


def test_each_proposal_explains_the_chosen_volunteer_and_the_alternatives_best_first() -> None:
    ys = [young("y1", "8000", interests=["football", "cooking"])]
    vs = [
        volunteer("near", "8200", interests=["football", "cooking"]),
        volunteer("further", "8520", interests=["football", "cooking"]),
        volunteer("further-still", "8660", interests=["music"], availability="monthly"),
        volunteer("too-far", "2100"),
    ]
    (proposal,) = assign(ys, vs, today=TODAY).proposals
    assert proposal.chosen.volunteer_id == "near"
    assert proposal.chosen.reason == "4 km fra hinanden; begge kan lide fodbold og madlavning; kan begge mødes hver uge"
    assert [c.volunteer_id for c in proposal.alternatives] == ["further", "further-still"]
    assert proposal.chosen.score > proposal.alternatives[0].score > proposal.alternatives[1].score


def test_a_young_person_with_nobody_within_reach_is_reported_for_recruitment() -> None:
    ys = [young("in-aarhus", "8000"), young("on-bornholm", "3700")]
    vs = [volunteer("v1", "8200"), volunteer("v2", "2100")]  # Copenhagen is 151 km from Rønne
    result = assign(ys, vs, today=TODAY)
    assert [p.young_id for p in result.proposals] == ["in-aarhus"]
    assert result.unmatched == ("on-bornholm",)
    assert result.left_waiting == ()


def test_a_wish_nobody_ready_can_meet_leaves_the_young_person_for_recruitment() -> None:
    ys = [young("wants-a-man", "8000", preferences={"volunteer_gender": "male"})]
    result = assign(ys, [volunteer("v1", "8000", gender="female")], today=TODAY)
    assert result.proposals == ()
    assert result.unmatched == ("wants-a-man",)


def test_when_volunteers_run_out_the_rest_wait_rather_than_share_one() -> None:
    ys = [young("y1", "8000"), young("y2", "8200")]
    result = assign(ys, [volunteer("v1", "8000")], today=TODAY)
    assert [p.chosen.volunteer_id for p in result.proposals] == ["v1"]
    assert result.proposals[0].young_id == "y1"  # same postcode: the better pair
    assert result.left_waiting == ("y2",)
    assert result.unmatched == ()


def test_declined_introductions_given_as_pairs_are_never_proposed() -> None:
    ys = [young("y1", "8000")]
    result = assign(ys, [volunteer("v1", "8000"), volunteer("v2", "8200")], today=TODAY, excluded_pairs=[("y1", "v1")])
    (proposal,) = result.proposals
    assert proposal.chosen.volunteer_id == "v2"
    assert proposal.alternatives == ()


def test_an_empty_pool_proposes_nothing() -> None:
    assert assign([], [volunteer("v1", "8000")], today=TODAY).proposals == ()
    result = assign([young("y1", "8000")], [], today=TODAY)
    assert result.proposals == () and result.unmatched == ("y1",)


def test_the_total_score_is_the_sum_of_the_chosen_pairs() -> None:
    ys = [young("y1", "8000"), young("y2", "8200")]
    result = assign(ys, [volunteer("v1", "8000"), volunteer("v2", "8210")], today=TODAY)
    assert result.total_score == pytest.approx(sum(p.chosen.score for p in result.proposals))
