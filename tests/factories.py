"""Records for tests: a volunteer, a young person or a link as the programme stores them, with
whatever a test cares about given and the rest filled in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from backup.domain.evidence import Evidence
from backup.domain.kinds import RecordKind
from backup.domain.links import Link, LinkKind
from backup.domain.records import Volunteer, VolunteerDetails, YoungPerson, YouthDetails
from backup.domain.stages import HUMAN_STEPS, YOUTH_STEPS, Stage

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def volunteer(
    person_id: str = "a1",
    stage: Stage | str = Stage.APPLIED,
    at: datetime = NOW,
    record: dict[str, Any] | None = None,
    **details: Any,
) -> Volunteer:
    return Volunteer(
        id=person_id,
        stage=stage,
        stage_since=at,
        created_at=at,
        **(record or {}),
        details=VolunteerDetails.model_validate(details),
    )


def young_person(
    person_id: str = "y1",
    stage: Stage | str = Stage.REFERRED,
    at: datetime = NOW,
    record: dict[str, Any] | None = None,
    **details: Any,
) -> YoungPerson:
    return YoungPerson(
        id=person_id,
        stage=stage,
        stage_since=at,
        created_at=at,
        **(record or {}),
        details=YouthDetails.model_validate(details),
    )


def link(
    link_id: str = "abc",
    kind: LinkKind = LinkKind.DECISION,
    record_id: str = "a1",
    record_kind: RecordKind = RecordKind.VOLUNTEER,
    at: datetime = NOW,
    **changes: Any,
) -> Link:
    values: dict[str, Any] = dict(
        link_id=link_id,
        kind=kind,
        record_kind=record_kind,
        record_id=record_id,
        sent_to="konsulent@example.org",
        created_at=at - timedelta(days=1),
        expires_at=at + timedelta(days=5),
    )
    values.update(changes)
    return Link(**values)


def approvals(day: datetime | None = None) -> dict[Stage, dict[str, str]]:
    """What a consultant records to approve each screening step (dates on `day`)."""
    on = (day or NOW).date().isoformat()
    return {
        Stage.PHONE_SCREENING: {
            "motivation_ok": "yes",
            "understands_broken_relations": "yes",
            "has_time_for_a_year": "yes",
            "references_contacted": "yes",
        },
        Stage.HOME_VISIT: {"visit_date": on, "assessment": "Roligt hjem, god forståelse for de unge."},
        Stage.CHILD_CERTIFICATE: {"received_date": on, "certificate_clean": "yes"},
        Stage.TRAINING: {"completed_date": on, "hours": "6"},
        Stage.REFERRAL_CHECK: {},
    }


def evidence(stages: tuple[Stage, ...], at: datetime = NOW, by: str = "konsulent@example.org") -> dict[str, Any]:
    """Each step approved through its own link, as the consultant's decisions leave it."""
    fields = approvals(at)
    return {
        stage: Evidence(
            decision="approve", decided_by=by, decided_at=at, link_id=f"link-{stage.value}", fields=fields[stage]
        )
        for stage in stages
    }


def cleared_volunteer(
    person_id: str = "v1", at: datetime = NOW, record: dict[str, Any] | None = None, **details: Any
) -> Volunteer:
    """A volunteer in the pool whose screening evidence holds (certificate received on `at`)."""
    return volunteer(
        person_id,
        Stage.READY_FOR_MATCH,
        at,
        record={
            "evidence": evidence(HUMAN_STEPS, at),
            "cleared_until": (at + timedelta(days=730)).date(),
            **(record or {}),
        },
        **details,
    )


def confirmed_young_person(
    person_id: str = "y1", at: datetime = NOW, record: dict[str, Any] | None = None, **details: Any
) -> YoungPerson:
    """A young person in the pool whose referral a consultant confirmed."""
    return young_person(
        person_id,
        Stage.WAITING_FOR_MATCH,
        at,
        record={"evidence": evidence(YOUTH_STEPS, at), **(record or {})},
        **details,
    )
