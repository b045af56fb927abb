"""The programme's settings, as the template's parameters give them to the functions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from backup.domain.evidence import Rules
from backup.domain.regions import consultant_for

DEFAULT_RETENTION_DAYS = 1825
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
    run_lifetime_seconds: int = DEFAULT_RUN_LIFETIME_SECONDS
    regional_consultants: dict[str, str] = field(default_factory=dict)
    certificate_validity_days: int = DEFAULT_CERTIFICATE_VALIDITY_DAYS

    @property
    def rules(self) -> Rules:
        return Rules(certificate_validity_days=self.certificate_validity_days)

    def consultant_for(self, postcode: str) -> str:
        """The consultant of the postcode's region, else the default consultant."""
        return consultant_for(postcode, self.regional_consultants, self.consultant_email)

    def link_lifetime(self) -> timedelta:
        """A screening step's link lives as long as its step may wait: a period per reminder, one
        until escalation and two more for ops to act; then the step times out and goes to ops."""
        return timedelta(seconds=self.reminder_delay_seconds * (self.max_reminders + 3))

    def url(self, path: str) -> str:
        """An address on the programme's web pages, for emails."""
        return self.base_url.rstrip("/") + path

    def retention_expiry(self, at: datetime) -> int:
        """When an ended journey's data is deleted (DynamoDB TTL, epoch seconds)."""
        return int((at + timedelta(days=self.retention_days)).timestamp())
