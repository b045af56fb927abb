"""An applicant withdraws, from the link in their emails: the run ends through its own
Withdrawn branch whatever it is doing (in a step, between steps, waiting for ops or in the pool),
and a proposal they are in lets the other person go back to the pool."""

from __future__ import annotations

import contextlib

from backup.domain.errors import Conflict, NotFound, StepNotWaiting
from backup.domain.history import Event, EventKind
from backup.domain.links import InvalidatedLink, Link, LinkKind, check_usable
from backup.domain.records import Person
from backup.domain.stages import Stage
from backup.usecases.ports import Clock, Expect, Repository, TaskResults


class Withdrawal:
    def __init__(self, repository: Repository, results: TaskResults, now: Clock):
        self.repository = repository
        self.results = results
        self.now = now

    def open(self, link_id: str) -> tuple[Link, Person]:
        """The withdrawal link and its person, for the page; DeadLink if it cannot be used."""
        link = check_usable(self.repository.get_link(link_id), self.now())
        if link.kind is not LinkKind.WITHDRAW:
            raise InvalidatedLink("Dette link kan ikke bruges til at trække en ansøgning tilbage.", link)
        person = self.repository.get_person(link.record_kind, link.record_id)
        if person.stage.is_final:
            raise InvalidatedLink("Ansøgningen er allerede afsluttet.", link)
        if person.stage is Stage.MATCHED:
            raise InvalidatedLink(
                "Du er matchet med en ung. Vil du stoppe, så tal med din konsulent, så I kan "
                "afslutte forløbet ordentligt sammen.",
                link,
            )
        return link, person

    def withdraw(self, link_id: str) -> None:
        """Flag the record, then fail every wait the run may be in, so the run ends."""
        link, person = self.open(link_id)
        try:
            self.repository.update(
                person.kind,
                person.id,
                set={"withdrawal_requested": True},
                expect=Expect(unset=frozenset({"withdrawal_requested"})),
                event=Event(at=self.now(), kind=EventKind.WITHDRAWAL_REQUESTED, stage=person.stage, by=link.sent_to),
            )
        except Conflict:
            return  # already asked: nothing more to do
        # Read again now that the flag is written: a wait opened since the first read is ended too.
        # A task that opens a wait looks at the flag after its own write, and between steps nothing
        # waits: the next task sees the flag and raises Withdrawn.
        person = self.repository.get_person(person.kind, person.id)
        for token in self._open_waits(person):
            with contextlib.suppress(StepNotWaiting):  # that wait is over already
                self.results.fail(token, "Withdrawn", "The applicant withdrew the application.")
        if person.proposal_id:
            self._leave_proposal(person.proposal_id)

    def _open_waits(self, person: Person) -> list[str]:
        """The tokens the run may be waiting on: the open step's link, ops' choice, or the pool."""
        tokens = []
        for link_id in (person.open_link_id, person.ops_link_id):
            link = self.repository.get_link(link_id) if link_id else None
            if link is not None and link.task_token and link.is_open:
                tokens.append(link.task_token)
        if person.match_token:
            tokens.append(person.match_token)
        return tokens

    def _leave_proposal(self, proposal_id: str) -> None:
        """A proposal waiting on someone who withdrew stops waiting: the other returns to the pool."""
        try:
            match = self.repository.get_proposal(proposal_id)
        except NotFound:
            return
        for link_id in filter(None, [match.open_link_id, *match.answer_links.values()]):
            link = self.repository.get_link(link_id)
            if link is not None and link.task_token and link.is_open:
                with contextlib.suppress(StepNotWaiting):  # that wait is over already
                    self.results.fail(link.task_token, "PersonGone", "Someone in the proposal withdrew.")
                    return
