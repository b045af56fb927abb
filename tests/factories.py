"""Records for tests: a volunteer, a young person or a link as the programme stores them, with
whatever a test cares about given and the rest filled in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from backup.domain.kinds import RecordKind
from backup.domain.links import Link, LinkKind
from backup.domain.records import Volunteer, VolunteerDetails, YoungPerson, YouthDetails
from backup.domain.stages import Stage

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
