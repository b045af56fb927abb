"""A volunteer's journey through screening: what it does that a young person's does not. The
applicant gets a link to withdraw in their first letter, and a letter at each outcome."""

from __future__ import annotations

from backup.domain import emails
from backup.domain.records import Leaving, Person
from backup.domain.stages import Stage
from backup.usecases.journeys import Letter
from backup.usecases.letters import Letters
from backup.usecases.withdrawal import WithdrawLinks

OUTCOME_LETTERS = {
    Stage.READY_FOR_MATCH: emails.ready_for_match,
    Stage.REJECTED: emails.rejected,
    Stage.WITHDRAWN: emails.withdrawn,
}


class VolunteerJourney:
    def __init__(self, letters: Letters, withdraw_links: WithdrawLinks):
        self.letters = letters
        self.withdraw_links = withdraw_links

    def welcome(self, person: Person) -> None:
        """Confirm the application to the applicant, with a link to withdraw."""
        withdraw_url = self.withdraw_links.url_for(person, person.email)
        self.letters.send_once(
            person,
            "application_received",
            emails.application_received(person.email, person.first_name, person.id, withdraw_url),
            "applicant",
        )

    def outcome_letter(self, person: Person, outcome: Stage) -> Letter | None:
        # a journey ended by ops is followed up by a person, not a form letter
        letter = OUTCOME_LETTERS.get(outcome)
        if outcome is Stage.WITHDRAWN and person.leaving_because is Leaving.INACTIVE:
            letter = emails.closed_inactive
        if person.leaving_because is Leaving.ERASED:
            return None  # their data is being erased: no letter, and no trace of one
        return Letter(letter(person.email, person.first_name), "applicant") if letter else None
