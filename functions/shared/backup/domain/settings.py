"""The programme's settings, as the template's parameters give them to the functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from backup.domain.evidence import Rules
from backup.domain.regions import Contact, Contacts

# The retention schedule (docs/privacy/retention.md has every item and why):
# a match and both its people are kept this long after the match ends (RetentionDays): five
# years covers the limitation period for claims about what happened in it, with a margin
DEFAULT_RETENTION_DAYS = 1825
# someone who never got as far as a match (rejected, withdrawn, closed, a referral not taken on)
# and a proposal that did not become a match: about six months (UnsuccessfulRetentionDays), the
# period Datatilsynet usually accepts for unsuccessful applicants, long enough to answer a
# complaint about the decision
DEFAULT_UNSUCCESSFUL_RETENTION_DAYS = 183
# someone in progress with no activity this long is asked, through their consultant, whether they
# carry on (InactivityDays); unanswered after ACTIVITY_ANSWER_DAYS, their journey is closed
DEFAULT_INACTIVITY_DAYS = 180
ACTIVITY_ANSWER_DAYS = 30
# a journey waiting for ops after a failure is ended this long after (OpsWaitDays), with an alarm
DEFAULT_OPS_WAIT_DAYS = 30
# a person's own link (to withdraw) lives as long as they can be in the programme: a young
# person may be referred at 14 and stay matched until 25
PERSON_LINK_LIFETIME = timedelta(days=12 * 366)
# a child-protection certificate counts this long after it was received (CertificateValidityDays)
DEFAULT_CERTIFICATE_VALIDITY_DAYS = 730
# Standard executions stop after a year; someone still waiting in the pool carries on in a new
# run before that (330 days leaves a month for a step that is mid-way when the time comes)
DEFAULT_RUN_LIFETIME_SECONDS = 330 * 24 * 3600
# a proposal's links live as long as an introduction can reasonably take to arrange
PROPOSAL_LINK_DAYS = 60
# an ops link waits a year: a journey that needs ops must not be lost by waiting
OPS_LINK_DAYS = 365
# a used or dead link is kept this long after it expired, so its page can still say what happened
LINK_KEPT_DAYS = 30


@dataclass(frozen=True)
class Settings:
    base_url: str
    consultant_email: str
    ops_email: str
    max_reminders: int
    reminder_delay_seconds: int
    retention_days: int = DEFAULT_RETENTION_DAYS
    unsuccessful_retention_days: int = DEFAULT_UNSUCCESSFUL_RETENTION_DAYS
    inactivity_days: int = DEFAULT_INACTIVITY_DAYS
    ops_wait_days: int = DEFAULT_OPS_WAIT_DAYS
    run_lifetime_seconds: int = DEFAULT_RUN_LIFETIME_SECONDS
    regional_consultants: dict[str, Contact] = field(default_factory=dict)
    certificate_validity_days: int = DEFAULT_CERTIFICATE_VALIDITY_DAYS
    # the default consultant's name and phone, shown with their address to whoever needs a person
    consultant_name: str = ""
    consultant_phone: str = ""

    @property
    def rules(self) -> Rules:
        return Rules(certificate_validity_days=self.certificate_validity_days)

    def consultant_for(self, postcode: str) -> str:
        """The consultant of the postcode's region, else the default consultant."""
        return self.contact_for(postcode).email

    @property
    def programme_contact(self) -> Contact:
        """Whom anyone can reach about the programme: the default consultant."""
        return Contact(self.consultant_email, self.consultant_name, self.consultant_phone)

    def contact_for(self, postcode: str, consultant: str | None = None) -> Contact:
        """Whom a person (or their contact adult) can reach: see `Contacts.for_person`."""
        return Contacts(self.programme_contact, self.regional_consultants).for_person(postcode, consultant)

    def link_lifetime(self) -> timedelta:
        """A screening step's link lives as long as its step may wait: a period per reminder, one
        until escalation and two more for ops to act; then the step times out and goes to ops."""
        return timedelta(seconds=self.reminder_delay_seconds * (self.max_reminders + 3))

    def url(self, path: str) -> str:
        """An address on the programme's web pages, for emails."""
        return self.base_url.rstrip("/") + path

    def retention_expiry(self, at: datetime, matched: bool) -> int:
        """When the data of something that ended at `at` is deleted (DynamoDB TTL, epoch seconds):
        a match and its people after RetentionDays, anyone and anything else after
        UnsuccessfulRetentionDays."""
        days = self.retention_days if matched else self.unsuccessful_retention_days
        return int((at + timedelta(days=days)).timestamp())
