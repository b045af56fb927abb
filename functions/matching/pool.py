"""One matching run over the whole pool: who waits, who is ready, the best set of pairs, and the
proposals made from it (each claimed by a conditional write, so overlapping runs are safe)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ValidationError

from assignment import assign
from backup.matchmaking import Matchmaking
from backup.repository import VOLUNTEER, YOUTH, Repository
from backup.stages import Stage
from scoring import MatchingConfig, Preferences, Volunteer, YoungPerson

logger = Logger(child=True)


def volunteer_from(profile: dict[str, Any]) -> Volunteer:
    details = profile["details"]
    return Volunteer(id=profile["application_id"], postcode=details["postcode"],
                     interests=tuple(details.get("interests", [])), availability=details["availability"],
                     birth_date=details["birth_date"], gender=details.get("gender") or None)


def young_person_from(profile: dict[str, Any]) -> YoungPerson:
    details = profile["details"]
    return YoungPerson(id=profile["application_id"], postcode=details["postcode"],
                       interests=tuple(details.get("interests", [])), availability=details["availability"],
                       birth_date=details["birth_date"], wishes=details.get("wishes", ""),
                       preferences=Preferences(**(details.get("preferences") or {})),
                       excluded_volunteer_ids=frozenset(profile.get("excluded_volunteers", [])))


def _people(repository: Repository, stage: Stage, kind: str, build: Any) -> tuple[list[Any], dict[str, Any]]:
    ids = [w.person_id for w in repository.waiting_in_stage(stage) if w.kind == kind]
    profiles = repository.get_people(ids, kind)
    people = []
    for profile in profiles:
        if profile.get("withdrawal_requested"):
            continue  # on their way out of the programme: never proposed
        try:
            people.append(build(profile))
        except (ValidationError, KeyError) as bad:  # one broken record must not stop everyone's matching
            logger.warning("left out of matching: record cannot be read", extra={
                "person_id": profile.get("application_id"), "problem": type(bad).__name__})
    return people, {p["application_id"]: p for p in profiles}


def run_matching(repository: Repository, matchmaking: Matchmaking, now: datetime,
                 max_distance_km: float) -> dict[str, int]:
    young, youth_profiles = _people(repository, Stage.WAITING_FOR_MATCH, YOUTH, young_person_from)
    volunteers, _ = _people(repository, Stage.READY_FOR_MATCH, VOLUNTEER, volunteer_from)
    result = assign(young, volunteers, today=now.date(), config=MatchingConfig(max_distance_km=max_distance_km))
    created = matchmaking.propose(list(result.proposals))
    # who has nobody within reach: the recruitment-needs view shows them, per region
    unmatched = set(result.unmatched)
    for youth_id, profile in youth_profiles.items():
        if bool(profile.get("no_candidates")) != (youth_id in unmatched):
            repository.update_person(youth_id, None, {"no_candidates": youth_id in unmatched}, kind=YOUTH)
    return {"young_waiting": len(young), "volunteers_ready": len(volunteers), "proposed": len(created),
            "without_candidates": len(unmatched)}
