"""Emails that bounce or are complained about: recorded on the record's history, and someone
told, so no step waits forever on an address that cannot receive mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backup.domain import emails
from backup.domain.errors import NotFound
from backup.domain.history import Event, EventKind
from backup.domain.kinds import RecordKind
from backup.usecases.letters import Letters
from backup.usecases.ports import Clock, Metrics, Repository

# the roles of people in the programme (as opposed to staff): their consultant can call them
PEOPLE = frozenset({"applicant", "contact_adult", "youth", "volunteer"})


@dataclass(frozen=True)
class MailEvent:
    kind: str  # "bounce" or "complaint"
    permanent: bool
    record_id: str
    recipient: str  # the role tagged on the email: applicant, consultant, ops, contact_adult, youth, volunteer
    record_kind: RecordKind = RecordKind.VOLUNTEER


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _first_tag(tags: dict[str, Any], name: str) -> str | None:
    """SES gives each tag as a list of values; anything else (a forged or broken event) is no value."""
    values = tags.get(name)
    if isinstance(values, list) and values and isinstance(values[0], str) and values[0]:
        return values[0]
    return None


def parse_ses_event(message: Any) -> MailEvent | None:
    """Read an SES bounce or complaint (configuration-set event or identity notification); None for
    anything else, whatever its shape."""
    message = _object(message)
    kind = str(message.get("eventType") or message.get("notificationType") or "").lower()
    if kind not in {"bounce", "complaint"}:
        return None
    tags = _object(_object(message.get("mail")).get("tags"))
    # "application_id" is what emails sent before records had their own names were tagged with
    record_id = _first_tag(tags, "record_id") or _first_tag(tags, "application_id")
    if not record_id:
        return None
    try:
        record_kind = RecordKind(_first_tag(tags, "kind") or "VOLUNTEER")
    except ValueError:
        return None
    permanent = kind == "complaint" or _object(message.get("bounce")).get("bounceType") == "Permanent"
    return MailEvent(kind, permanent, record_id, _first_tag(tags, "recipient") or "unknown", record_kind)


class Deliverability:
    def __init__(
        self,
        repository: Repository,
        letters: Letters,
        ops_email: str,
        default_consultant: str,
        now: Clock,
        metrics: Metrics,
    ):
        self.repository = repository
        self.letters = letters
        self.ops_email = ops_email
        self.default_consultant = default_consultant
        self.now = now
        self.metrics = metrics

    def record(self, event: MailEvent) -> str | None:
        """Record the event; tell whoever can act. Returns who was told (None if nobody)."""
        try:
            record = self.repository.get_record(event.record_kind, event.record_id)
        except NotFound:
            return None
        kind = EventKind.EMAIL_BOUNCED if event.kind == "bounce" else EventKind.EMAIL_COMPLAINED
        self.repository.add_event(
            event.record_kind,
            event.record_id,
            Event(
                at=self.now(),
                kind=kind,
                by="ses",
                details={"recipient": event.recipient, "permanent": str(event.permanent).lower()},
            ),
        )
        self.metrics.count("EmailBounced" if event.kind == "bounce" else "EmailComplained")
        if not event.permanent:
            return None  # a full mailbox or a passing fault: SES tries again itself
        # a person cannot be reached: their consultant calls them; a consultant or ops mailbox
        # that fails needs ops to move the step to someone who can receive it
        tell = (record.consultant or self.default_consultant) if event.recipient in PEOPLE else self.ops_email
        if tell == self.ops_email and event.recipient == "ops":
            return None  # nobody else to tell; the bounce alarm and the dashboard show it
        self.letters.send(
            event.record_kind,
            event.record_id,
            emails.undeliverable(tell, event.record_id, event.recipient, event.kind),
            "consultant" if tell != self.ops_email else "ops",
        )
        return tell
