"""Gatherings and invitations for tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from backup.domain.gatherings import Audience, Gathering, GatheringDetails, GatheringKind, Invitation
from backup.domain.kinds import RecordKind
from tests.factories import NOW


def details(starts_in: timedelta = timedelta(days=10), **changes: Any) -> GatheringDetails:
    values: dict[str, Any] = {
        "kind": GatheringKind.NETWORK_DAY,
        "theme": "Din første bolig",
        "starts_at": NOW + starts_in,
        "ends_at": NOW + starts_in + timedelta(hours=3),
        "place": "Røde Kors, Aarhus",
        "region": "Midtjylland",
        "capacity": 10,
        "audiences": (Audience.PAIRS,),
    }
    values.update(changes)
    return GatheringDetails.model_validate(values)


def gathering(gathering_id: str = "g1", starts_in: timedelta = timedelta(days=10), **changes: Any) -> Gathering:
    return Gathering(
        id=gathering_id, details=details(starts_in, **changes), created_by="staff@rodekors.dk", created_at=NOW
    )


def invitation(
    link_id: str, person_id: str, kind: RecordKind = RecordKind.VOLUNTEER, gathering_id: str = "g1"
) -> Invitation:
    return Invitation(gathering_id=gathering_id, link_id=link_id, person_kind=kind, person_id=person_id, invited_at=NOW)
