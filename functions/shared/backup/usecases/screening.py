"""A volunteer's journey through screening: what it does that a young person's does not. The
applicant gets a link to withdraw in their first letter, and a letter at each outcome."""

from __future__ import annotations

from datetime import timedelta

from backup.domain import emails
from backup.domain.errors import Conflict
from backup.domain.history import Event, EventKind
from backup.domain.links import LinkKind
from backup.domain.records import Person
from backup.domain.settings import Settings
from backup.domain.stages import Stage
from backup.usecases.human_steps import SYSTEM, HumanSteps
from backup.usecases.journeys import Letter
from backup.usecases.letters import Letters
from backup.usecases.ports import Clock, Expect, Repository

OUTCOME_LETTERS = {
    Stage.READY_FOR_MATCH: emails.ready_for_match,
    Stage.REJECTED: emails.rejected,
    Stage.WITHDRAWN: emails.withdrawn,
}


class VolunteerJourney:
    def __init__(self, repository: Repository, letters: Letters, steps: HumanSteps, settings: Settings, now: Clock):
        self.repository = repository
        self.letters = letters
        self.steps = steps
        self.settings = settings
        self.now = now

    def welcome(self, person: Person) -> None:
        """Confirm the application to the applicant, with a link to withdraw (kept as long as the
        application is)."""
        withdraw_id = person.withdraw_link_id
        if not withdraw_id:  # a retried task keeps the link it made
            link = self.steps.new_link(
                (person.kind, person.id),
                LinkKind.WITHDRAW,
                person.email,
                timedelta(days=self.settings.retention_days),
                None,
            )
            withdraw_id = link.link_id
            try:
                self.repository.update(
                    person.kind,
                    person.id,
                    set={"withdraw_link_id": withdraw_id},
                    expect=Expect(unset=frozenset({"withdraw_link_id"})),
                    event=Event(
                        at=self.now(), kind=EventKind.EMAIL_SENT, by=SYSTEM, details={"email": "application_received"}
                    ),
                )
            except Conflict:  # a concurrent retry stored its link first: use that one
                self.repository.invalidate_link(withdraw_id, "resent")
                person = self.repository.get_person(person.kind, person.id)
                withdraw_id = person.withdraw_link_id or withdraw_id
        self.letters.send_once(
            person,
            "application_received",
            emails.application_received(
                person.email, person.first_name, person.id, self.settings.url(f"/withdraw/{withdraw_id}")
            ),
            "applicant",
        )

    def outcome_letter(self, person: Person, outcome: Stage) -> Letter | None:
        # a journey ended by ops is followed up by a person, not a form letter
        letter = OUTCOME_LETTERS.get(outcome)
        return Letter(letter(person.email, person.first_name), "applicant") if letter else None
