"""The port for network days and supervision sessions (backup.domain.gatherings). DynamoDB
(backup.adapters.dynamodb_gatherings) and memory (backup.adapters.memory_gatherings) pass the
same contract tests (tests/contract/test_gatherings.py).

Every promise is kept by the store's own writes, whoever calls it: a seat is taken only while
one is free, an answer only from an invited person, before the deadline, on an open gathering.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from backup.domain.gatherings import Answer, Gathering, GatheringDetails, GatheringStatus, Invitation


class GatheringStore(Protocol):
    def create_gathering(self, gathering: Gathering) -> None:
        """Store a new gathering; Conflict if the id is taken."""
        ...

    def get_gathering(self, gathering_id: str) -> Gathering:
        """NotFound if there is none."""
        ...

    def list_gatherings(self) -> list[Gathering]:
        """Every gathering, soonest first."""
        ...

    def update_details(self, gathering_id: str, details: GatheringDetails) -> Gathering:
        """New details for an open gathering; Conflict if it is not open or the new capacity is
        below the seats already taken (nothing is written then)."""
        ...

    def end(self, gathering_id: str, status: GatheringStatus, reason: str | None = None) -> bool:
        """An open gathering cancelled or closed; False (nothing written) if it was not open."""
        ...

    def add_invitation(self, invitation: Invitation) -> bool:
        """A new invitation; False (nothing written) if the person is invited already."""
        ...

    def get_invitation(self, gathering_id: str, link_id: str) -> Invitation | None: ...

    def invitations(self, gathering_id: str) -> list[Invitation]: ...

    def answer(self, gathering_id: str, link_id: str, yes: bool, at: datetime) -> Answer:
        """One invited person's answer, as it stands after: YES takes a seat only while one is free,
        else WAITING (the list's end); NO gives a seat back. NotFound if there is no such
        invitation; SignUpClosed (with why) if the gathering is not open or its deadline passed."""
        ...

    def promote_next(self, gathering_id: str) -> Invitation | None:
        """The first on the waiting list gets a free seat (as it is after), or None: no free seat,
        nobody waiting, or the gathering is not open."""
        ...

    def record_attendance(self, gathering_id: str, link_id: str, attended: bool, at: datetime) -> None:
        """Whether the invited person came; Conflict if the gathering is cancelled or has not begun,
        NotFound if there is no such invitation."""
        ...


class GatheringMeasures(Protocol):
    """The dashboard's measures of gatherings, per region ("Hele landet" for a nationwide one)."""

    def measure(self, name: str, region: str, value: int = 1) -> None:
        """GatheringInvitations, GatheringSignUps or GatheringAttendance: `value` more."""
        ...
