"""How well a ready volunteer suits a waiting young person: the programme's matching rules as numbers.

Pure domain code (no boto3). `score_pair` explains one pair in Danish; `score_matrix` scores a
whole pool at once with numpy, using the same rules, for the assignment.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

import numpy as np
import scipy.sparse as sparse
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from backup.domain.applications import INTEREST_LABELS, Availability, Interest
from backup.domain.eligibility import age_on
from backup.domain.postcodes import POSTCODES

# --- Weights -------------------------------------------------------------------------------
# A pair's score is out of 100. Geography comes first because the two must be able to meet
# often and without a long trip, for a year or more; the programme matches on it before
# anything else. Shared interests give them something to do together and are the best proxy
# we have for "chemistry". Availability matters (frequent contact predicts longer matches) but
# is the part the consultant can most easily negotiate at the introduction meeting.
WEIGHT_DISTANCE = 40.0
WEIGHT_INTERESTS = 35.0
WEIGHT_AVAILABILITY = 25.0
MAX_SCORE = WEIGHT_DISTANCE + WEIGHT_INTERESTS + WEIGHT_AVAILABILITY

# Three shared interests already give plenty to do together; a fourth should not outweigh
# being 10 km nearer, so the interest part saturates here.
INTERESTS_FOR_FULL_SCORE = 3

# Meeting cadence, most frequent first. Same cadence: full marks; one step apart (weekly vs
# every other week) is workable with some give; weekly vs monthly rarely is, so it scores 0
# (still possible: the consultant may know better).
CADENCE_ORDER = (Availability.WEEKLY, Availability.BIWEEKLY, Availability.MONTHLY)
AVAILABILITY_FIT = np.array(
    [
        [1.0, 0.5, 0.0],
        [0.5, 1.0, 0.5],
        [0.0, 0.5, 1.0],
    ]
)

DEFAULT_MAX_DISTANCE_KM = 40.0
EARTH_RADIUS_KM = 6371.0088  # mean Earth radius (IUGG)

# --- Preferences: a hard filter, not a penalty ---------------------------------------------
# A young person's stated wish about the volunteer's gender or age band is respected as a hard
# filter. These young people carry many broken relationships; a wish such as "only a woman" is
# often about safety, and proposing someone against it costs trust the programme relies on.
# The young person co-approves the volunteer anyway, so a penalised proposal would usually be
# declined, costing weeks. A young person whom the filter leaves without anyone is reported as
# unmatched, which feeds the recruitment-needs view: the programme recruits to the wish.
# A volunteer whose gender is unknown does not satisfy a gender wish (we cannot promise it).

Gender = Literal["female", "male"]
VolunteerGender = Literal["female", "male", "other"]
GENDER_CODES = {None: 0, "female": 1, "male": 2, "other": 3}
GENDER_WORDS = {"female": "kvindelig", "male": "mandlig"}


class AgeBand(BaseModel):
    """A wished age band for the volunteer, both ends inclusive; no upper end for '50+'."""

    model_config = ConfigDict(frozen=True)

    low: int = Field(ge=0)
    high: int | None = None

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, value: Any) -> Any:
        """Accept '25-35', '50+', (25, 35), [25, 35] or {'low': 25, 'high': 35}."""
        if isinstance(value, str):
            text = value.strip().replace(" ", "").replace("–", "-")
            if match := re.fullmatch(r"(\d+)\+", text):
                return {"low": int(match.group(1)), "high": None}
            if match := re.fullmatch(r"(\d+)-(\d+)", text):
                return {"low": int(match.group(1)), "high": int(match.group(2))}
            raise ValueError(f"age band must look like '25-35' or '50+', not {value!r}")
        if isinstance(value, list | tuple):
            low, high = value
            return {"low": low, "high": high}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> AgeBand:
        if self.high is not None and self.high < self.low:
            raise ValueError("age band's upper end is below its lower end")
        return self

    def contains(self, age: int) -> bool:
        return self.low <= age and (self.high is None or age <= self.high)

    @property
    def label(self) -> str:
        return f"{self.low} år eller derover" if self.high is None else f"{self.low}-{self.high} år"


class Preferences(BaseModel):
    """What the young person wishes of the volunteer; every part is optional."""

    model_config = ConfigDict(frozen=True)

    volunteer_gender: Gender | None = None
    volunteer_age: AgeBand | None = None


def _valid_postcode(value: str) -> str:
    value = value.strip()
    if value not in POSTCODES:
        raise ValueError(f"unknown Danish postcode {value!r}")
    return value


class _InThePool(BaseModel):
    """What the matching knows of anyone in the pool, volunteer or young person."""

    model_config = ConfigDict(frozen=True)

    id: str
    postcode: str
    interests: tuple[str, ...]
    availability: Availability
    birth_date: date

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        return _valid_postcode(value)


class Volunteer(_InThePool):
    """A volunteer in READY_FOR_MATCH, as the matching needs to know them."""

    gender: VolunteerGender | None = None


class YoungPerson(_InThePool):
    """A confirmed, waiting young person, with their wishes of a volunteer and the volunteers they
    declined. (Their free-text wishes are for the consultant: matching does not read them.)"""

    preferences: Preferences = Preferences()
    # volunteers from declined introductions (either side said no): never proposed again
    excluded_volunteer_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MatchingConfig:
    """Tunable rules; the handler builds it from environment variables."""

    max_distance_km: float = DEFAULT_MAX_DISTANCE_KM


DEFAULT_CONFIG = MatchingConfig()


# --- Interests -----------------------------------------------------------------------------
# Free text that names one of the fixed interests (in English or its Danish label, any case)
# counts as that interest, so "Fodbold" typed by hand matches a ticked "football".
_FIXED_BY_TEXT = {interest.value: interest for interest in Interest} | {
    label.casefold(): interest for interest, label in INTEREST_LABELS.items()
}
FIXED_INTERESTS = tuple(Interest)


def normalise_text(text: str) -> str:
    """Case- and spacing-insensitive form of a free-text interest."""
    return " ".join(text.casefold().split()).strip(" .,;:!?")


@dataclass(frozen=True)
class InterestSet:
    """Someone's interests split into the fixed set and normalised free text (kept with its spelling)."""

    fixed: frozenset[Interest]
    free: dict[str, str]  # normalised -> as the person wrote it

    @classmethod
    def of(cls, items: Iterable[str]) -> InterestSet:
        fixed: set[Interest] = set()
        free: dict[str, str] = {}
        for item in items:
            key = normalise_text(item)
            if not key:
                continue
            if key in _FIXED_BY_TEXT:
                fixed.add(_FIXED_BY_TEXT[key])
            else:
                free.setdefault(key, item.strip())
        return cls(frozenset(fixed), free)

    def shared_with(self, other: InterestSet) -> list[str]:
        """Danish names of the shared interests, fixed ones first in the form's order."""
        names = [INTEREST_LABELS[i].casefold() for i in FIXED_INTERESTS if i in self.fixed and i in other.fixed]
        return names + [self.free[key] for key in sorted(self.free.keys() & other.free.keys())]


# --- One pair ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PairScore:
    """The score of one possible pair and the reason a person can read."""

    score: float
    distance_km: float
    shared_interests: tuple[str, ...]
    reason: str


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def postcode_distance_km(a: str, b: str) -> float:
    pa, pb = POSTCODES[a], POSTCODES[b]
    return haversine_km(pa.latitude, pa.longitude, pb.latitude, pb.longitude)


def is_possible(
    young: YoungPerson, volunteer: Volunteer, distance_km: float, *, today: date, config: MatchingConfig
) -> bool:
    """The hard rules: within reach, not declined before, and the young person's wishes met."""
    if distance_km > config.max_distance_km or volunteer.id in young.excluded_volunteer_ids:
        return False
    wish = young.preferences
    if wish.volunteer_gender is not None and volunteer.gender != wish.volunteer_gender:
        return False
    return wish.volunteer_age is None or wish.volunteer_age.contains(age_on(volunteer.birth_date, today))


# The three parts of a score. `score_pair` and `score_matrix` both use these, so they always agree.


def distance_points(distance_km: Any, max_distance_km: float) -> Any:
    """Full points next door, falling linearly to none at the maximum distance."""
    return WEIGHT_DISTANCE * (1.0 - np.minimum(distance_km, max_distance_km) / max_distance_km)


# points for 0, 1, 2, ... shared interests (index with min(count, INTERESTS_FOR_FULL_SCORE))
INTEREST_POINTS = WEIGHT_INTERESTS * np.arange(INTERESTS_FOR_FULL_SCORE + 1) / INTERESTS_FOR_FULL_SCORE
AVAILABILITY_POINTS = WEIGHT_AVAILABILITY * AVAILABILITY_FIT


def score_pair(
    young: YoungPerson, volunteer: Volunteer, *, today: date, config: MatchingConfig = DEFAULT_CONFIG
) -> PairScore | None:
    """Score one pair with its Danish reason, or None when the pair is not possible."""
    distance = postcode_distance_km(young.postcode, volunteer.postcode)
    if not is_possible(young, volunteer, distance, today=today, config=config):
        return None
    shared = InterestSet.of(young.interests).shared_with(InterestSet.of(volunteer.interests))
    cadences = CADENCE_ORDER.index(young.availability), CADENCE_ORDER.index(volunteer.availability)
    score = float(
        distance_points(distance, config.max_distance_km)
        + INTEREST_POINTS[min(len(shared), INTERESTS_FOR_FULL_SCORE)]
        + AVAILABILITY_POINTS[cadences]
    )
    return PairScore(score, distance, tuple(shared), explain(young, volunteer, distance, shared))


def reason_for(young: YoungPerson, volunteer: Volunteer) -> str:
    """The Danish reason for a pair already known to be possible (e.g. chosen from a ScoreMatrix)."""
    shared = InterestSet.of(young.interests).shared_with(InterestSet.of(volunteer.interests))
    return explain(young, volunteer, postcode_distance_km(young.postcode, volunteer.postcode), shared)


# --- Reasons in Danish -----------------------------------------------------------------------

CADENCE_WORDS = {
    Availability.WEEKLY: "hver uge",
    Availability.BIWEEKLY: "hver anden uge",
    Availability.MONTHLY: "en gang om måneden",
}


def danish_list(items: Sequence[str]) -> str:
    """'a', 'a og b', 'a, b og c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " og " + items[-1]


def explain(young: YoungPerson, volunteer: Volunteer, distance_km: float, shared: Sequence[str]) -> str:
    """E.g. '4 km fra hinanden; begge kan lide fodbold og madlavning; kan begge mødes hver uge'."""
    if young.postcode == volunteer.postcode:
        parts = ["bor i samme postnummer"]
    else:
        parts = [f"{max(1, round(distance_km))} km fra hinanden"]
    parts.append(f"begge kan lide {danish_list(shared)}" if shared else "ingen fælles interesser endnu")
    if young.availability == volunteer.availability:
        parts.append(f"kan begge mødes {CADENCE_WORDS[young.availability]}")
    else:
        parts.append(
            f"den unge vil gerne mødes {CADENCE_WORDS[young.availability]}, "
            f"den frivillige kan {CADENCE_WORDS[volunteer.availability]}"
        )
    wish = young.preferences
    wished = []
    if wish.volunteer_gender:
        wished.append(f"en {GENDER_WORDS[wish.volunteer_gender]} frivillig")
    if wish.volunteer_age:
        wished.append(f"en frivillig på {wish.volunteer_age.label}")
    if wished:
        parts.append(f"passer med den unges ønske om {' og '.join(wished)}")
    return "; ".join(parts)


# --- A whole pool at once --------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreMatrix:
    """Scores of every (young person, volunteer) pair; `possible` marks the pairs allowed at all."""

    scores: np.ndarray  # float64, shape (young, volunteers); only meaningful where possible
    possible: np.ndarray  # bool, same shape

    @property
    def shape(self) -> tuple[int, int]:
        rows, columns = self.possible.shape
        return int(rows), int(columns)


def _coordinates(postcodes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Index of each postcode among the distinct ones, and their (lat, lon) in radians."""
    distinct, index = np.unique(np.asarray(postcodes, dtype=str), return_inverse=True)
    coords = np.radians([[POSTCODES[p].latitude, POSTCODES[p].longitude] for p in distinct])
    return index.reshape(-1), coords.reshape(-1, 2)


def _distinct_distances(young: Sequence[str], volunteers: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Haversine km between the distinct postcodes on each side (about 1,100 exist), and each person's index."""
    yi, yc = _coordinates(young)
    vi, vc = _coordinates(volunteers)
    dlat = vc[None, :, 0] - yc[:, None, 0]
    dlon = vc[None, :, 1] - yc[:, None, 1]
    a = np.sin(dlat / 2) ** 2 + np.cos(yc[:, None, 0]) * np.cos(vc[None, :, 0]) * np.sin(dlon / 2) ** 2
    return yi, vi, 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


def _incidence(people: Sequence[InterestSet], vocabulary: dict[str, int]) -> sparse.csr_matrix:
    rows, cols = [], []
    for row, interests in enumerate(people):
        for word in interests.free:
            if word in vocabulary:
                rows.append(row)
                cols.append(vocabulary[word])
    data = np.ones(len(rows), dtype=np.float32)
    return sparse.csr_matrix((data, (rows, cols)), shape=(len(people), len(vocabulary)))


class _PoolFeatures:
    """Each person's part of the rules as arrays, computed once; any block of young people's rows is
    then scored against every volunteer without holding the whole (young x volunteers) matrix."""

    def __init__(
        self,
        young: Sequence[YoungPerson],
        volunteers: Sequence[Volunteer],
        today: date,
        config: MatchingConfig,
        excluded_pairs: Iterable[tuple[str, str]],
    ):
        self.shape = (len(young), len(volunteers))
        self.yi, self.vi, distinct_km = _distinct_distances(
            [y.postcode for y in young], [v.postcode for v in volunteers]
        )
        self.within = distinct_km <= config.max_distance_km
        self.distance = distance_points(distinct_km, config.max_distance_km)
        y_sets, v_sets = [InterestSet.of(y.interests) for y in young], [InterestSet.of(v.interests) for v in volunteers]
        self.y_fixed = np.array([[i in s.fixed for i in FIXED_INTERESTS] for s in y_sets], dtype=np.float32)
        self.v_fixed_t = np.array([[i in s.fixed for i in FIXED_INTERESTS] for s in v_sets], dtype=np.float32)
        self.y_fixed, self.v_fixed_t = (
            self.y_fixed.reshape(len(young), -1),
            self.v_fixed_t.reshape(len(volunteers), -1).T,
        )
        # only free-text words that someone on each side wrote can be shared
        vocabulary = {
            word: n
            for n, word in enumerate(
                sorted(set().union(*(s.free for s in y_sets)) & set().union(*(s.free for s in v_sets)))
            )
        }
        self.y_free = _incidence(y_sets, vocabulary) if vocabulary else None
        self.v_free_t = _incidence(v_sets, vocabulary).T.tocsc() if vocabulary else None
        self.y_cadence = np.array([CADENCE_ORDER.index(y.availability) for y in young])
        self.v_cadence = np.array([CADENCE_ORDER.index(v.availability) for v in volunteers])
        # the young person's wishes (hard filter, see above)
        self.wish_gender = np.array([GENDER_CODES[y.preferences.volunteer_gender] for y in young])
        self.gender = np.array([GENDER_CODES[v.gender] for v in volunteers])
        bands = [y.preferences.volunteer_age for y in young]
        self.ages: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        if any(bands):
            self.ages = (
                np.array([b.low if b else 0 for b in bands]),
                np.array([b.high if b and b.high is not None else 10_000 for b in bands]),
                np.array([age_on(v.birth_date, today) for v in volunteers]),
            )
        # declined introductions
        column = {v.id: j for j, v in enumerate(volunteers)}
        row = {y.id: i for i, y in enumerate(young)}
        pairs = [(i, column[v]) for i, y in enumerate(young) for v in y.excluded_volunteer_ids if v in column]
        pairs += [(row[y], column[v]) for y, v in excluded_pairs if y in row and v in column]
        self.excluded = np.array(sorted(set(pairs)), dtype=np.intp).reshape(-1, 2)

    def possible(self, start: int, stop: int) -> np.ndarray:
        """Which pairs of young people start..stop and every volunteer are allowed at all (bool)."""
        possible = np.take(self.within[self.yi[start:stop]], self.vi, axis=1)
        wish = self.wish_gender[start:stop, None]
        possible &= (wish == 0) | (wish == self.gender[None, :])
        if self.ages is not None:
            low, high, age = self.ages
            possible &= (low[start:stop, None] <= age[None, :]) & (age[None, :] <= high[start:stop, None])
        mine = (self.excluded[:, 0] >= start) & (self.excluded[:, 0] < stop)
        possible[self.excluded[mine, 0] - start, self.excluded[mine, 1]] = False
        return possible

    def scores(self, start: int, stop: int, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Scores (float64) of the pairs (start + rows, columns); rows and columns broadcast together."""
        counts = self.y_fixed[start:stop] @ self.v_fixed_t
        if self.y_free is not None and self.v_free_t is not None:
            free = (self.y_free[start:stop] @ self.v_free_t).tocoo()
            counts[free.row, free.col] += free.data
        np.minimum(counts, INTERESTS_FOR_FULL_SCORE, out=counts)
        young = start + rows
        scores = self.distance[self.yi[young], self.vi[columns]]
        scores += INTEREST_POINTS[counts.astype(np.uint8)[rows, columns]]
        scores += AVAILABILITY_POINTS[self.y_cadence[young], self.v_cadence[columns]]
        return np.asarray(scores, dtype=np.float64)


def score_matrix(
    young: Sequence[YoungPerson],
    volunteers: Sequence[Volunteer],
    *,
    today: date,
    config: MatchingConfig = DEFAULT_CONFIG,
    excluded_pairs: Iterable[tuple[str, str]] = (),
) -> ScoreMatrix:
    """Score every pair of the pool with numpy, as one dense matrix; the same rules as `score_pair`.

    `excluded_pairs` holds (young id, volunteer id) pairs excluded beside `excluded_volunteer_ids`.
    """
    n, m = len(young), len(volunteers)
    if n == 0 or m == 0:
        return ScoreMatrix(np.zeros((n, m)), np.zeros((n, m), dtype=bool))
    features = _PoolFeatures(young, volunteers, today, config, excluded_pairs)
    scores = features.scores(0, n, np.arange(n)[:, None], np.arange(m)[None, :])
    return ScoreMatrix(scores, features.possible(0, n))


# Young people scored at a time by `possible_scores`: 256 rows of 20,000 volunteers are 40 MB.
ROWS_PER_BLOCK = 256


@dataclass(frozen=True)
class PossibleScores:
    """The scores of the possible pairs only, one row per young person (compressed sparse rows):
    a national pool's possible pairs are about a tenth of all pairs."""

    matrix: sparse.csr_matrix  # float64 scores; an entry (even a score of 0) means the pair is possible

    @property
    def shape(self) -> tuple[int, int]:
        rows, columns = self.matrix.shape
        return int(rows), int(columns)

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Young person i's possible volunteers (column indices) and their scores."""
        start, stop = self.matrix.indptr[i], self.matrix.indptr[i + 1]
        return self.matrix.indices[start:stop], self.matrix.data[start:stop]


def possible_scores(
    young: Sequence[YoungPerson],
    volunteers: Sequence[Volunteer],
    *,
    today: date,
    config: MatchingConfig = DEFAULT_CONFIG,
    excluded_pairs: Iterable[tuple[str, str]] = (),
) -> PossibleScores:
    """The same scores as `score_matrix`, kept for the possible pairs only, built a block of rows at a time."""
    n, m = len(young), len(volunteers)
    if n == 0 or m == 0:
        return PossibleScores(sparse.csr_matrix((n, m)))
    features = _PoolFeatures(young, volunteers, today, config, excluded_pairs)
    indptr, indices, data = [np.zeros(1, dtype=np.int64)], [], []
    for start in range(0, n, ROWS_PER_BLOCK):
        stop = min(n, start + ROWS_PER_BLOCK)
        possible = features.possible(start, stop)
        rows, cols = np.nonzero(possible)  # row by row, columns in order: compressed sparse rows as they are
        indices.append(cols.astype(np.int32))
        data.append(features.scores(start, stop, rows, cols))
        indptr.append(indptr[-1][-1] + np.cumsum(possible.sum(axis=1)))
    matrix = sparse.csr_matrix((np.concatenate(data), np.concatenate(indices), np.concatenate(indptr)), shape=(n, m))
    return PossibleScores(matrix)
