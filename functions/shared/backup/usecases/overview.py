"""The consultant overview's reads: every record in a stage with a consultant's step, with its
open link, for backup.domain.overview to pick the signed-in consultant's from."""

from __future__ import annotations

from backup.domain.errors import NotFound
from backup.domain.kinds import RecordKind
from backup.domain.overview import CONSULTANT_STEPS, Candidate, OpenStep, open_steps
from backup.domain.records import Person
from backup.usecases.ports import Clock, Repository


class ConsultantOverview:
    def __init__(self, repository: Repository, now: Clock):
        self.repository = repository
        self.now = now

    def open_steps(self, consultant: str) -> list[OpenStep]:
        """The steps waiting for `consultant`, oldest first. Reads each stage's index, the records
        in it, and each open link: a few hundred small reads for a whole programme."""
        return open_steps(consultant, self._candidates(), self.now())

    def _candidates(self) -> list[Candidate]:
        candidates: list[Candidate | None] = []
        for kind, stages in CONSULTANT_STEPS.items():
            for stage in stages:
                ids = [w.id for w in self.repository.waiting_in_stage(stage) if w.kind is kind]
                if kind is RecordKind.MATCH:
                    candidates.extend(self._proposal(proposal_id) for proposal_id in ids)
                else:
                    candidates.extend(self._person(p) for p in self.repository.get_people(kind, ids))
        return [c for c in candidates if c is not None]

    def _person(self, person: Person) -> Candidate:
        link = self.repository.get_link(person.open_link_id) if person.open_link_id else None
        return Candidate(person.kind, person.id, person.stage, link, person.first_name)

    def _proposal(self, proposal_id: str) -> Candidate | None:
        try:
            proposal = self.repository.get_proposal(proposal_id)
            youth = self.repository.get_young_person(proposal.youth_id)
        except NotFound:  # closed or erased between the index and this read
            return None
        link = self.repository.get_link(proposal.open_link_id) if proposal.open_link_id else None
        return Candidate(proposal.kind, proposal.id, proposal.stage, link, youth.first_name)
