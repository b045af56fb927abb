"""One matching run over the whole pool: who waits, who is ready, the best set of pairs, and the
proposals made from it (each claimed by a conditional write, so overlapping runs are safe)."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar, cast

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from assignment import assign
from backup.domain.evidence import Rules
from backup.domain.kinds import RecordKind
from backup.domain.records import Person
from backup.domain.records import Volunteer as VolunteerRecord
from backup.domain.records import YoungPerson as YoungPersonRecord
from backup.domain.stages import Stage
from backup.domain.transitions import clearance_problem
from backup.usecases.ports import Repository
from backup.usecases.proposals import Proposals
from scoring import MatchingConfig, Preferences, Volunteer, YoungPerson

logger = Logger(child=True)
R = TypeVar("R", bound=Person)
P = TypeVar("P")


# Of what people told us, what matching reads (the builders below): the run reads no names,
# addresses or contact details. A test builds each person both from the whole record and from these.
VOLUNTEER_DETAILS = ("postcode", "interests", "availability", "birth_date", "gender")
YOUTH_DETAILS = ("postcode", "interests", "availability", "birth_date", "preferences")


def volunteer_from(record: VolunteerRecord) -> Volunteer:
    """What matching needs of a volunteer; ValidationError if the record lacks it."""
    details = record.details
    return Volunteer.model_validate(
        {
            "id": record.id,
            "postcode": details.postcode,
            "interests": details.interests,
            "availability": details.availability,
            "birth_date": details.birth_date,
            "gender": details.gender or None,
        }
    )


def young_person_from(record: YoungPersonRecord) -> YoungPerson:
    """What matching needs of a young person; ValidationError if the record lacks it."""
    details = record.details
    return YoungPerson.model_validate(
        {
            "id": record.id,
            "postcode": details.postcode,
            "interests": details.interests,
            "availability": details.availability,
            "birth_date": details.birth_date,
            "preferences": Preferences.model_validate(details.preferences.model_dump(mode="json")),
            "excluded_volunteer_ids": frozenset(record.excluded_volunteers),
        }
    )


def _people(
    repository: Repository,
    stage: Stage,
    kind: RecordKind,
    details: tuple[str, ...],
    build: Callable[[R], P],
    today: date,
    rules: Rules,
) -> tuple[list[P], dict[str, R]]:
    ids = [w.id for w in repository.waiting_in_stage(stage) if w.kind is kind]
    # the pool may be read a moment stale: each proposal reads its two people again, consistently,
    # and claims them with a write conditional on the same (Proposals.propose); of their details
    # only what matching uses (the safeguarding check below reads the rest of the record, whole)
    records = cast(list[R], repository.get_people(kind, ids, may_be_stale=True, only_details=details))
    people = []
    for record in records:
        if record.withdrawal_requested:
            continue  # on their way out of the programme: never proposed
        if clearance_problem(record, today, rules):
            continue  # a certificate that ran out, a suspension: the claim would refuse them anyway
        try:
            people.append(build(record))
        except ValidationError as bad:  # one broken record must not stop everyone's matching
            logger.warning(
                "left out of matching: record cannot be read",
                extra={"person_id": record.id, "problem": type(bad).__name__},
            )
    return people, {r.id: r for r in records}


@dataclass(frozen=True)
class Pool:
    """Who may be proposed today: the young people waiting and the volunteers ready, as matching
    sees them, and the young people's records (the run marks who had nobody within reach)."""

    young: list[YoungPerson]
    volunteers: list[Volunteer]
    youth_records: dict[str, YoungPersonRecord]


def read_pool(repository: Repository, today: date, rules: Rules) -> Pool:
    young, youth_records = _people(
        repository, Stage.WAITING_FOR_MATCH, RecordKind.YOUTH, YOUTH_DETAILS, young_person_from, today, rules
    )
    volunteers, _ = _people(
        repository, Stage.READY_FOR_MATCH, RecordKind.VOLUNTEER, VOLUNTEER_DETAILS, volunteer_from, today, rules
    )
    return Pool(young, volunteers, youth_records)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while the run builds the pool: reading 25,000
    records makes millions of small objects, none of them cyclic, and each of the collector's full
    passes walks every one of them again; that was more than half of the read's time
    (docs/benchmarks.md, matching). Reference counting still frees what is dropped; the collector
    runs again as soon as the pool is built."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_matching(repository: Repository, proposals: Proposals, now: datetime, max_distance_km: float) -> dict[str, int]:
    config = MatchingConfig(max_distance_km=max_distance_km)
    with collector_paused():
        pool = read_pool(repository, now.date(), proposals.settings.rules)
        result = assign(pool.young, pool.volunteers, today=now.date(), config=config)
    created = proposals.propose(list(result.proposals))
    # who has nobody within reach: the recruitment-needs view shows them, per region
    unmatched = set(result.unmatched)
    for youth_id, record in pool.youth_records.items():
        if record.no_candidates != (youth_id in unmatched):
            repository.update(RecordKind.YOUTH, youth_id, set={"no_candidates": youth_id in unmatched})
    return {
        "young_waiting": len(pool.young),
        "volunteers_ready": len(pool.volunteers),
        "proposed": len(created),
        "without_candidates": len(unmatched),
    }
