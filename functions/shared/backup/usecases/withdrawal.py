"""A person leaves before their journey's outcome: a volunteer or a young person (or their contact
adult) withdraws from the link in their emails, a consultant closes someone who has not been
heard from, or ops erase someone's data. Whatever the run is doing (in a step, between steps,
waiting for ops or in the pool), it ends through its own Withdrawn branch, and a proposal the
person is in lets the other person go back to the pool without being told why.
"""

from __future__ import annotations

from backup.domain.errors import Conflict, NotFound
from backup.domain.history import Event, EventKind
from backup.domain.links import InvalidatedLink, Link, LinkKind, check_usable
from backup.domain.records import Leaving, Person, YoungPerson
from backup.domain.settings import PERSON_LINK_LIFETIME, Settings
from backup.domain.stages import Stage
from backup.usecases.human_steps import HumanSteps
from backup.usecases.ports import Clock, Expect, Repository, Waits

CAUSES = {
    Leaving.WITHDREW: "The person withdrew.",
    Leaving.INACTIVE: "The person was closed after a long time without activity.",
    Leaving.ERASED: "The person's data is being erased.",
}


# said to whoever opens a withdrawal link after the journey ended (they, or their contact adult)
ENDED = "Forløbet i BackUp er allerede afsluttet, så du skal ikke gøre mere. Du er altid velkommen igen senere."


class Withdrawal:
    def __init__(self, repository: Repository, waits: Waits, now: Clock):
        self.repository = repository
        self.waits = waits
        self.now = now

    def open(self, link_id: str) -> tuple[Link, Person]:
        """The withdrawal link and its person, for the page; DeadLink if it cannot be used."""
        link = check_usable(self.repository.get_link(link_id), self.now())
        if link.kind is not LinkKind.WITHDRAW:
            raise InvalidatedLink("Dette link kan ikke bruges til at trække sig.", link)
        try:
            person = self.repository.get_person(link.record_kind, link.record_id)
        except NotFound:  # erased
            raise InvalidatedLink(ENDED, link, title="Forløbet er afsluttet") from None
        if person.stage.is_final:
            raise InvalidatedLink(ENDED, link, title="Forløbet er afsluttet")
        if person.stage is Stage.MATCHED and not isinstance(person, YoungPerson):
            raise InvalidatedLink(
                "Du er matchet med en ung. Vil du stoppe, så tal med din konsulent, så I kan "
                "afslutte forløbet ordentligt sammen.",
                link,
            )
        return link, person

    def withdraw(self, link_id: str) -> Person:
        """The person asked to leave, by their link. A matched young person's match has no run left
        to end: the request is recorded, and the hourly watch tells their consultant, who ends the
        match with them (backup.usecases.inactivity). Returns the person as they were."""
        link, person = self.open(link_id)
        if person.stage is Stage.MATCHED:
            self._flag(person, Leaving.WITHDREW, link.sent_to)
        else:
            self.end_run(person, Leaving.WITHDREW, link.sent_to)
        return person

    def end_run(self, person: Person, because: Leaving, by: str) -> bool:
        """Flag the record, then fail every wait the run may be in, so the run ends through its
        Withdrawn branch. False if the person was already leaving (nothing more is done)."""
        if not self._flag(person, because, by):
            return False
        # Read again now that the flag is written: a wait opened since the first read is ended too.
        # A task that opens a wait looks at the flag after its own write, and between steps nothing
        # waits: the next task sees the flag and raises Withdrawn.
        person = self.repository.get_person(person.kind, person.id)
        for token in self._open_waits(person):
            self.waits.fail_wait((person.kind, person.id), token, "Withdrawn", CAUSES[because])
        if person.proposal_id:
            self._leave_proposal(person.proposal_id)
        return True

    def _open_waits(self, person: Person) -> list[str]:
        """The tokens the run may be waiting on: the open step's link (or a renewal's), ops' choice,
        or the pool."""
        tokens = []
        for link_id in (person.open_link_id, person.ops_link_id):
            link = self.repository.get_link(link_id) if link_id else None
            if link is not None and link.task_token and link.is_open:
                tokens.append(link.task_token)
        if person.match_token:
            tokens.append(person.match_token)
        return tokens

    def _leave_proposal(self, proposal_id: str) -> None:
        """A proposal waiting on someone who left stops waiting: the other returns to the pool, and
        is not told why."""
        try:
            match = self.repository.get_proposal(proposal_id)
        except NotFound:
            return
        if match.stage is Stage.MATCHED:
            return  # a match's run is over; the consultant ends it with them
        for link_id in filter(None, [match.open_link_id, *match.answer_links.values()]):
            link = self.repository.get_link(link_id)
            if link is not None and link.task_token and link.is_open:
                self.waits.fail_wait((match.kind, match.id), link.task_token, "PersonGone", "Someone left.")

    def _flag(self, person: Person, because: Leaving, by: str) -> bool:
        """Record that the person is leaving, and why; False if they already were."""
        try:
            self.repository.update(
                person.kind,
                person.id,
                set={"withdrawal_requested": True, "leaving_because": because},
                expect=Expect(unset=frozenset({"withdrawal_requested"})),
                event=Event(
                    at=self.now(),
                    kind=EventKind.WITHDRAWAL_REQUESTED,
                    stage=person.stage,
                    by=by,
                    details={"because": because.value},
                ),
            )
        except Conflict:
            return False
        return True


class WithdrawLinks:
    """A person's own link to leave: made with their first letter, kept as long as they are (their
    journey's end stamps its expiry), in every later letter to them or their contact adult."""

    def __init__(self, repository: Repository, steps: HumanSteps, settings: Settings, now: Clock):
        self.repository = repository
        self.steps = steps
        self.settings = settings
        self.now = now

    def url_for(self, person: Person, sent_to: str) -> str:
        withdraw_id = person.withdraw_link_id
        if not withdraw_id:  # a retried task keeps the link it made
            link = self.steps.new_link(
                (person.kind, person.id), LinkKind.WITHDRAW, sent_to, PERSON_LINK_LIFETIME, None, keep=False
            )
            withdraw_id = link.link_id
            try:
                self.repository.update(
                    person.kind,
                    person.id,
                    set={"withdraw_link_id": withdraw_id},
                    expect=Expect(unset=frozenset({"withdraw_link_id"})),
                )
            except Conflict:  # a concurrent retry stored its link first: use that one
                self.repository.delete_link(withdraw_id)
                person = self.repository.get_person(person.kind, person.id)
                withdraw_id = person.withdraw_link_id or withdraw_id
        return self.settings.url(f"/withdraw/{withdraw_id}")
