"""A young person's journey from referral: what it does that a volunteer's does not. The contact
adult who referred them hears that the referral arrived, and whether it was taken on."""

from __future__ import annotations

from backup.domain import emails
from backup.domain.records import Leaving, Person, YoungPerson
from backup.domain.stages import Stage
from backup.usecases.journeys import Letter
from backup.usecases.letters import Letters
from backup.usecases.withdrawal import WithdrawLinks

OUTCOME_LETTERS = {
    Stage.WAITING_FOR_MATCH: emails.referral_confirmed,
    Stage.REJECTED: emails.referral_declined,
    Stage.WITHDRAWN: emails.referral_withdrawn,
}


class YoungPersonJourney:
    def __init__(self, letters: Letters, withdraw_links: WithdrawLinks):
        self.letters = letters
        self.withdraw_links = withdraw_links

    def welcome(self, person: Person) -> None:
        """The contact adult hears the referral arrived; the link to withdraw it (theirs and the
        young person's) is at the foot of this and every later letter."""
        assert isinstance(person, YoungPerson)
        details = person.details
        self.withdraw_links.url_for(person, details.contact_adult_email)
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
        if outcome is Stage.WITHDRAWN and person.leaving_because is Leaving.INACTIVE:
            letter = emails.referral_closed_inactive
        if person.leaving_because is Leaving.ERASED:
            return None  # their data is being erased: no letter, and no trace of one
        if letter is None:
            return None
        details = person.details
        return Letter(
            letter(details.contact_adult_email, details.contact_adult_name, details.first_name), "contact_adult"
        )
