"""A young person's journey from referral: what it does that a volunteer's does not. The contact
adult who referred them hears that the referral arrived, and whether it was taken on."""

from __future__ import annotations

from backup.domain import emails
from backup.domain.records import Person, YoungPerson
from backup.domain.stages import Stage
from backup.usecases.journeys import Letter
from backup.usecases.letters import Letters

OUTCOME_LETTERS = {Stage.WAITING_FOR_MATCH: emails.referral_confirmed, Stage.REJECTED: emails.referral_declined}


class YoungPersonJourney:
    def __init__(self, letters: Letters):
        self.letters = letters

    def welcome(self, person: Person) -> None:
        assert isinstance(person, YoungPerson)
        details = person.details
        self.letters.send_once(
            person,
            "referral_received",
            emails.referral_received(
                details.contact_adult_email, details.contact_adult_name, details.first_name, person.id
            ),
            "contact_adult",
        )

    def outcome_letter(self, person: Person, outcome: Stage) -> Letter | None:
        assert isinstance(person, YoungPerson)
        letter = OUTCOME_LETTERS.get(outcome)
        if letter is None:
            return None
        details = person.details
        return Letter(
            letter(details.contact_adult_email, details.contact_adult_name, details.first_name), "contact_adult"
        )
