"""Scoring a volunteer for a young person: the programme's matching rules, hand-checked."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "functions" / "matching"))

from scoring import (  # noqa: E402
    DEFAULT_MAX_DISTANCE_KM,
    MAX_SCORE,
    AgeBand,
    MatchingConfig,
    Preferences,
    Volunteer,
    YoungPerson,
    postcode_distance_km,
    score_matrix,
    score_pair,
)

TODAY = date(2025, 6, 1)
AARHUS_C, AARHUS_N, LYSTRUP, SILKEBORG, COPENHAGEN_O = "8000", "8200", "8520", "8600", "2100"


def young(**changes: object) -> YoungPerson:
    fields: dict[str, object] = {
        "id": "y1",
        "postcode": AARHUS_C,
        "interests": ["football", "cooking"],
        "availability": "weekly",
        "birth_date": date(2008, 3, 1),
    }
    return YoungPerson.model_validate(fields | changes)


def volunteer(**changes: object) -> Volunteer:
    fields: dict[str, object] = {
        "id": "v1",
        "postcode": AARHUS_N,
        "interests": ["football", "cooking"],
        "availability": "weekly",
        "birth_date": date(1985, 6, 1),
        "gender": "female",
    }
    return Volunteer.model_validate(fields | changes)


def score(y: YoungPerson, v: Volunteer, config: MatchingConfig = MatchingConfig()) -> float:
    result = score_pair(y, v, today=TODAY, config=config)
    assert result is not None, "expected a possible pair"
    return result.score


# --- nearer and more shared interests wins ------------------------------------------------------


def test_a_nearer_volunteer_scores_higher() -> None:
    assert score(young(), volunteer(postcode=AARHUS_N)) > score(young(), volunteer(postcode=LYSTRUP))


def test_more_shared_interests_score_higher() -> None:
    one = volunteer(interests=["football", "music"])
    two = volunteer(interests=["football", "cooking"])
    assert score(young(), two) > score(young(), one) > score(young(), volunteer(interests=["music"]))


def test_a_hand_checked_score() -> None:
    # same postcode: all 40 distance points; 2 of 3 interest points-steps: 35 * 2/3; weekly both: 25
    result = score_pair(young(), volunteer(postcode=AARHUS_C), today=TODAY)
    assert result is not None
    assert result.distance_km == 0
    assert result.score == pytest.approx(40 + 35 * 2 / 3 + 25)


def test_distance_points_fall_linearly_to_zero_at_the_maximum() -> None:
    far = volunteer(postcode=SILKEBORG, interests=["music"], availability="monthly")  # 40.1 km from Aarhus C
    config = MatchingConfig(max_distance_km=50)
    assert score(young(), far, config) == pytest.approx(40 * (1 - postcode_distance_km(AARHUS_C, SILKEBORG) / 50))


def test_more_than_three_shared_interests_add_nothing_more() -> None:
    four = ["football", "cooking", "music", "film"]
    assert score(young(interests=four), volunteer(interests=four)) == pytest.approx(
        score(young(interests=four[:3]), volunteer(interests=four[:3]))
    )


def test_free_text_interests_match_whatever_the_case_and_spacing() -> None:
    y = young(interests=["Klatring", "brætspil"])
    v = volunteer(interests=["  klatring ", "BRÆTSPIL", "strik"])
    result = score_pair(y, v, today=TODAY)
    assert result is not None
    assert result.shared_interests == ("brætspil", "Klatring")


def test_free_text_naming_a_listed_interest_counts_as_that_interest() -> None:
    result = score_pair(young(interests=["Fodbold"]), volunteer(interests=["football"]), today=TODAY)
    assert result is not None
    assert result.shared_interests == ("fodbold",)


def test_the_same_meeting_rhythm_scores_best_and_weekly_against_monthly_worst() -> None:
    weekly, biweekly, monthly = (volunteer(availability=a) for a in ("weekly", "biweekly", "monthly"))
    assert score(young(), weekly) - score(young(), biweekly) == pytest.approx(12.5)
    assert score(young(), biweekly) - score(young(), monthly) == pytest.approx(12.5)


def test_scores_stay_between_zero_and_the_maximum() -> None:
    assert 0 <= score(young(), volunteer(postcode=AARHUS_C)) <= MAX_SCORE


# --- impossible pairs ---------------------------------------------------------------------------


def test_beyond_the_maximum_distance_a_pair_is_impossible() -> None:
    assert postcode_distance_km(AARHUS_C, COPENHAGEN_O) > DEFAULT_MAX_DISTANCE_KM
    assert score_pair(young(), volunteer(postcode=COPENHAGEN_O), today=TODAY) is None


def test_the_maximum_distance_is_configurable_and_inclusive() -> None:
    distance = postcode_distance_km(AARHUS_C, SILKEBORG)  # 40.1 km: just beyond the default
    assert score_pair(young(), volunteer(postcode=SILKEBORG), today=TODAY) is None
    assert score_pair(young(), volunteer(postcode=SILKEBORG), today=TODAY, config=MatchingConfig(distance)) is not None


def test_a_volunteer_from_a_declined_introduction_is_never_possible_again() -> None:
    y = young(excluded_volunteer_ids=["v1"])
    assert score_pair(y, volunteer(id="v1"), today=TODAY) is None
    assert score_pair(y, volunteer(id="v2"), today=TODAY) is not None


# --- the young person's preferences are respected (a hard filter) ------------------------------


def test_a_wished_gender_is_respected() -> None:
    y = young(preferences={"volunteer_gender": "female"})
    assert score_pair(y, volunteer(gender="female"), today=TODAY) is not None
    assert score_pair(y, volunteer(gender="male"), today=TODAY) is None
    assert score_pair(y, volunteer(gender=None), today=TODAY) is None  # we cannot promise it


def test_a_wished_age_band_is_respected_at_both_ends() -> None:
    y = young(preferences={"volunteer_age": "25-35"})
    turns_35_today = volunteer(birth_date=date(1990, 6, 1))
    turns_36_today = volunteer(birth_date=date(1989, 6, 1))
    assert score_pair(y, turns_35_today, today=TODAY) is not None
    assert score_pair(y, turns_36_today, today=TODAY) is None


def test_no_wish_means_anyone_ready_will_do() -> None:
    for gender in ("female", "male", "other", None):
        assert score_pair(young(), volunteer(gender=gender), today=TODAY) is not None


@pytest.mark.parametrize(
    ("given", "low", "high"),
    [("25-35", 25, 35), ("35 - 50", 35, 50), ("50+", 50, None), ((25, 35), 25, 35), ([35, 50], 35, 50)],
)
def test_age_bands_can_be_written_several_ways(given: object, low: int, high: int | None) -> None:
    band = Preferences.model_validate({"volunteer_age": given}).volunteer_age
    assert band == AgeBand(low=low, high=high)


@pytest.mark.parametrize("given", ["old", "35-25", "-5"])
def test_nonsense_age_bands_are_refused(given: str) -> None:
    with pytest.raises(ValidationError):
        Preferences.model_validate({"volunteer_age": given})


def test_an_unknown_postcode_is_refused() -> None:
    with pytest.raises(ValidationError):
        young(postcode="0000")


# --- reasons a person can read ------------------------------------------------------------------


def test_the_reason_reads_like_the_programme_talks() -> None:
    result = score_pair(young(), volunteer(), today=TODAY)
    assert result is not None
    assert result.reason == "4 km fra hinanden; begge kan lide fodbold og madlavning; kan begge mødes hver uge"


def test_the_reason_names_different_rhythms_the_same_postcode_and_the_wish_met() -> None:
    y = young(interests=["music"], preferences={"volunteer_gender": "female", "volunteer_age": "50+"})
    v = volunteer(postcode=AARHUS_C, interests=["art"], availability="biweekly", birth_date=date(1960, 1, 1))
    result = score_pair(y, v, today=TODAY)
    assert result is not None
    assert result.reason == (
        "bor i samme postnummer; ingen fælles interesser endnu; "
        "den unge vil gerne mødes hver uge, den frivillige kan hver anden uge; "
        "passer med den unges ønske om en kvindelig frivillig og en frivillig på 50 år eller derover"
    )


# --- the whole-pool matrix follows the same rules as a single pair ------------------------------

POSTCODES_NEARBY = [AARHUS_C, AARHUS_N, LYSTRUP, SILKEBORG, "8660", "8680", "7400", COPENHAGEN_O]
INTERESTS = ["football", "cooking", "music", "art", "Klatring", "klatring", "Fodbold", "skak"]

young_people = st.builds(
    lambda i, pc, ints, a, g, band, excl: young(
        id=f"y{i}",
        postcode=pc,
        interests=ints,
        availability=a,
        preferences={"volunteer_gender": g, "volunteer_age": band},
        excluded_volunteer_ids=excl,
    ),
    st.integers(0, 10**6),
    st.sampled_from(POSTCODES_NEARBY),
    st.lists(st.sampled_from(INTERESTS), min_size=1, max_size=4),
    st.sampled_from(["weekly", "biweekly", "monthly"]),
    st.sampled_from([None, "female", "male"]),
    st.sampled_from([None, "25-35", "35-50", "50+"]),
    st.sets(st.sampled_from([f"v{i}" for i in range(8)]), max_size=2),
)
volunteers = st.builds(
    lambda pc, ints, a, born, g: volunteer(postcode=pc, interests=ints, availability=a, birth_date=born, gender=g),
    st.sampled_from(POSTCODES_NEARBY),
    st.lists(st.sampled_from(INTERESTS), min_size=1, max_size=4),
    st.sampled_from(["weekly", "biweekly", "monthly"]),
    st.dates(date(1950, 1, 1), date(2000, 1, 1)),
    st.sampled_from([None, "female", "male", "other"]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(young_people, min_size=1, max_size=5), st.lists(volunteers, min_size=1, max_size=8))
def test_the_pool_matrix_agrees_with_scoring_each_pair(ys: list[YoungPerson], vs: list[Volunteer]) -> None:
    ys = [y.model_copy(update={"id": f"y{i}"}) for i, y in enumerate(ys)]
    vs = [v.model_copy(update={"id": f"v{j}"}) for j, v in enumerate(vs)]
    matrix = score_matrix(ys, vs, today=TODAY)
    for i, y in enumerate(ys):
        for j, v in enumerate(vs):
            pair = score_pair(y, v, today=TODAY)
            assert matrix.possible[i, j] == (pair is not None)
            if pair is not None:
                assert matrix.scores[i, j] == pytest.approx(pair.score, abs=1e-9)


def test_excluded_pairs_given_beside_the_people_are_impossible_in_the_matrix() -> None:
    matrix = score_matrix(
        [young()], [volunteer(id="v1"), volunteer(id="v2")], today=TODAY, excluded_pairs=[("y1", "v2")]
    )
    assert matrix.possible.tolist() == [[True, False]]


def test_an_empty_pool_gives_an_empty_matrix() -> None:
    assert score_matrix([], [volunteer()], today=TODAY).scores.shape == (0, 1)
    assert np.asarray(score_matrix([young()], [], today=TODAY).possible).shape == (1, 0)
