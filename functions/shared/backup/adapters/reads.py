"""The typed reads every repository gives on top of its own `get_record`."""

from __future__ import annotations

from typing import TypeVar

from backup.domain.errors import NotFound
from backup.domain.kinds import RecordKind
from backup.domain.records import PERSON_MODELS, Person, ProposalRecord, Record, Volunteer, YoungPerson

R = TypeVar("R", bound=Record)


class TypedReads:
    def get_record(self, kind: RecordKind, record_id: str) -> Record:
        raise NotImplementedError

    def _read(self, kind: RecordKind, record_id: str, model: type[R]) -> R:
        record = self.get_record(kind, record_id)
        if not isinstance(record, model):  # a record stored under the wrong kind: as good as none
            raise NotFound(f"{record_id} is not a {model.__name__}")
        return record

    def get_person(self, kind: RecordKind, person_id: str) -> Person:
        if kind not in PERSON_MODELS:
            raise NotFound(f"{person_id} is a {kind.noun}, not a person")
        return self._read(kind, person_id, Person)

    def get_volunteer(self, volunteer_id: str) -> Volunteer:
        return self._read(RecordKind.VOLUNTEER, volunteer_id, Volunteer)

    def get_young_person(self, youth_id: str) -> YoungPerson:
        return self._read(RecordKind.YOUTH, youth_id, YoungPerson)

    def get_proposal(self, proposal_id: str) -> ProposalRecord:
        return self._read(RecordKind.MATCH, proposal_id, ProposalRecord)
