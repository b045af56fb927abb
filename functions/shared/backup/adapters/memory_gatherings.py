"""The gathering store in memory, under one lock: the same promises as DynamoDB's conditional
writes (tests/contract/test_gatherings.py runs both)."""

from __future__ import annotations

import threading
from datetime import datetime

from backup.domain.errors import Conflict, NotFound
from backup.domain.gatherings import (
    Answer,
    Gathering,
    GatheringDetails,
    GatheringStatus,
    Invitation,
    check_answerable,
    waiting_order,
)


class MemoryGatherings:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._gatherings: dict[str, Gathering] = {}
        self._invitations: dict[str, dict[str, Invitation]] = {}  # gathering id -> link id -> invitation

    def create_gathering(self, gathering: Gathering) -> None:
        with self._lock:
            if gathering.id in self._gatherings:
                raise Conflict(f"gathering {gathering.id} exists")
            self._gatherings[gathering.id] = gathering
            self._invitations[gathering.id] = {}

    def get_gathering(self, gathering_id: str) -> Gathering:
        with self._lock:
            if gathering_id not in self._gatherings:
                raise NotFound(f"gathering {gathering_id}")
            return self._gatherings[gathering_id]

    def list_gatherings(self) -> list[Gathering]:
        with self._lock:
            return sorted(self._gatherings.values(), key=lambda g: (g.starts_at, g.id))

    def update_details(self, gathering_id: str, details: GatheringDetails) -> Gathering:
        with self._lock:
            gathering = self.get_gathering(gathering_id)
            if gathering.status is not GatheringStatus.OPEN or details.capacity < gathering.taken:
                raise Conflict("not open, or fewer seats than are taken")
            changed = gathering.model_copy(update={"details": details})
            self._gatherings[gathering_id] = changed
            return changed

    def end(self, gathering_id: str, status: GatheringStatus, reason: str | None = None) -> bool:
        with self._lock:
            gathering = self.get_gathering(gathering_id)
            if gathering.status is not GatheringStatus.OPEN:
                return False
            self._gatherings[gathering_id] = gathering.model_copy(update={"status": status, "cancel_reason": reason})
            return True

    def add_invitation(self, invitation: Invitation) -> bool:
        with self._lock:
            known = self._invitations.setdefault(invitation.gathering_id, {})
            if any(
                (i.person_kind, i.person_id) == (invitation.person_kind, invitation.person_id) for i in known.values()
            ):
                return False
            known[invitation.link_id] = invitation
            return True

    def get_invitation(self, gathering_id: str, link_id: str) -> Invitation | None:
        with self._lock:
            return self._invitations.get(gathering_id, {}).get(link_id)

    def invitations(self, gathering_id: str) -> list[Invitation]:
        with self._lock:
            return sorted(self._invitations.get(gathering_id, {}).values(), key=lambda i: i.link_id)

    def answer(self, gathering_id: str, link_id: str, yes: bool, at: datetime) -> Answer:
        with self._lock:
            invitation = self.get_invitation(gathering_id, link_id)
            if invitation is None:
                raise NotFound("invitation")
            gathering = self.get_gathering(gathering_id)
            check_answerable(gathering, at)
            before = invitation.answer
            if yes and before in (Answer.YES, Answer.WAITING):
                return before
            if not yes and before is Answer.NO:
                return before
            taken = gathering.taken
            if yes and gathering.free > 0:
                after, taken, since = Answer.YES, taken + 1, None
            elif yes:
                after, since = Answer.WAITING, at
            else:
                after, since = Answer.NO, None
                taken -= before is Answer.YES
            self._gatherings[gathering_id] = gathering.model_copy(update={"taken": taken})
            self._invitations[gathering_id][link_id] = invitation.model_copy(
                update={"answer": after, "answered_at": at, "waiting_since": since}
            )
            return after

    def promote_next(self, gathering_id: str) -> Invitation | None:
        with self._lock:
            gathering = self.get_gathering(gathering_id)
            waiting = waiting_order(self.invitations(gathering_id))
            if gathering.status is not GatheringStatus.OPEN or gathering.free == 0 or not waiting:
                return None
            first = waiting[0].model_copy(update={"answer": Answer.YES, "waiting_since": None})
            self._gatherings[gathering_id] = gathering.model_copy(update={"taken": gathering.taken + 1})
            self._invitations[gathering_id][first.link_id] = first
            return first

    def record_attendance(self, gathering_id: str, link_id: str, attended: bool, at: datetime) -> None:
        with self._lock:
            invitation = self.get_invitation(gathering_id, link_id)
            if invitation is None:
                raise NotFound("invitation")
            gathering = self.get_gathering(gathering_id)
            if gathering.status is GatheringStatus.CANCELLED or at < gathering.starts_at:
                raise Conflict("cancelled, or not begun")
            self._invitations[gathering_id][link_id] = invitation.model_copy(update={"attended": attended})


class RecordingMeasures:
    """Keeps every measure, summed per (name, region)."""

    def __init__(self) -> None:
        self.totals: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def measure(self, name: str, region: str, value: int = 1) -> None:
        with self._lock:
            self.totals[(name, region)] = self.totals.get((name, region), 0) + value
