"""Letters: every email goes out tagged with whom it concerns, with who sends it and the privacy
notice's address at its foot (and, to a person in the programme, their consultant's name, address
and phone, and while they are still in, how to leave), and is noted on the record's
history (subject, recipient, time; never the body), so a person's copy of their data can list it.
The letters a task must not lose on a retry, nor send twice, go out once.

A task records its change first and sends its email after. If SES throttles and Step Functions
retries the task, the change is already there; the letter is not. Such a letter is therefore
marked on the record once it is sent, and a retry sends exactly the letters that are not marked.
"""

from __future__ import annotations

import contextlib
from typing import TypeVar

from backup.domain import emails
from backup.domain.emails import Email
from backup.domain.errors import NotFound
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.domain.records import Person, ProposalRecord, Record
from backup.domain.settings import Settings
from backup.domain.stages import Stage
from backup.usecases.ports import Clock, Mailer, Repository

R = TypeVar("R", bound=Record)
PRIVACY_PAGE = "/privatliv"
# the recipients who are a person in the programme (or write for one), and whose record it is
_YOUTH_SIDE = frozenset({"youth", "contact_adult"})
PERSON_RECIPIENTS = frozenset({"applicant", "volunteer", *_YOUTH_SIDE})


class Letters:
    def __init__(self, repository: Repository, mailer: Mailer, settings: Settings, now: Clock):
        self.repository = repository
        self.mailer = mailer
        self.settings = settings
        self.now = now

    def send(self, kind: RecordKind, record_id: str, email: Email, recipient: str) -> None:
        """Send, tagged with the record and the recipient's role (never their address), so a bounce
        finds its way back to the record; then note it on the record's history."""
        person, match = self._person_of(kind, record_id, recipient)
        contact = None if person is None else self.settings.contact_for(person.postcode, person.consultant)
        withdraw = _unless_given(self._withdraw_url(person), email)
        concern = _unless_given(self._concern_url(person, recipient, match), email)
        email = emails.with_footer(email, self.settings.url(PRIVACY_PAGE), withdraw, contact, concern)
        self.mailer.send(email, {"record_id": record_id, "kind": kind.value, "recipient": recipient})
        event = Event(
            at=self.now(),
            kind=EventKind.EMAIL_SENT,
            by="system",
            details={"subject": email.subject[:200], "to": email.to, "recipient": recipient},
        )
        with contextlib.suppress(NotFound):  # a record erased meanwhile keeps no trail
            self.repository.add_event(kind, record_id, event)

    def send_once(self, record: R, key: str, email: Email, recipient: str) -> R:
        """Send `email` unless the record says `key` was sent; mark it after. Returns the record as
        marked, so later letters of the same task see it."""
        if key in record.letters_sent:
            return record
        self.send(record.kind, record.id, email, recipient)
        sent = (*record.letters_sent, key)
        self.repository.update(record.kind, record.id, set={"letters_sent": sent})
        return record.model_copy(update={"letters_sent": sent})

    def _person_of(
        self, kind: RecordKind, record_id: str, recipient: str
    ) -> tuple[Person | None, ProposalRecord | None]:
        """The person a letter goes to (or is about, to a contact adult), and the proposal the letter
        is about if it is one; None for staff's letters."""
        if recipient not in PERSON_RECIPIENTS:
            return None, None
        try:
            if kind is not RecordKind.MATCH:
                return self.repository.get_person(kind, record_id), None
            proposal = self.repository.get_proposal(record_id)
            if recipient in _YOUTH_SIDE:
                return self.repository.get_young_person(proposal.youth_id), proposal
            return self.repository.get_volunteer(proposal.volunteer_id), proposal
        except NotFound:
            return None, None

    def _concern_url(self, person: Person | None, recipient: str, about: ProposalRecord | None) -> str | None:
        """While someone is matched, every letter to them (or to the young person's contact adult)
        carries their own "Jeg er bekymret" link, once the match's support has made it. `about`: the
        proposal the letter is about, already read (their match, when it is that one)."""
        if person is None or person.stage is not Stage.MATCHED or not person.proposal_id:
            return None
        try:
            match = about if about is not None and about.id == person.proposal_id else None
            match = match or self.repository.get_proposal(person.proposal_id)
        except NotFound:
            return None
        party = "volunteer" if recipient == "applicant" else recipient
        link_id = match.concern_links.get(party) if match.stage is Stage.MATCHED else None
        return self.settings.url(f"/decisions/{link_id}") if link_id else None

    def _withdraw_url(self, person: Person | None) -> str | None:
        """The person's leaving link, while they can still use it."""
        if (
            person is None
            or not person.withdraw_link_id
            or person.leaving
            or (person.kind is RecordKind.VOLUNTEER and person.stage is Stage.MATCHED)
        ):
            return None
        return self.settings.url(f"/withdraw/{person.withdraw_link_id}")


def _unless_given(url: str | None, email: Email) -> str | None:
    """A link for the letter's foot, unless the letter gives it already."""
    return None if url is None or url in email.text else url
