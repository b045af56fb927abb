"""Emails that bounce or are complained about: recorded on the person's history, and a person
told, so no step waits forever on an address that cannot receive mail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backup import emails
from backup.history import Event, EventKind
from backup.repository import NotFound, Repository


@dataclass(frozen=True)
class MailEvent:
    kind: str  # "bounce" or "complaint"
    permanent: bool
    application_id: str
    recipient: str  # the role tagged on the email: applicant, consultant, ops, contact_adult, youth, volunteer
    person_kind: str = "VOLUNTEER"  # whose record: VOLUNTEER, YOUTH or MATCH


def parse_ses_event(message: dict[str, Any]) -> MailEvent | None:
    """Read an SES bounce or complaint (configuration-set event or identity notification)."""
    kind = str(message.get("eventType") or message.get("notificationType") or "").lower()
    if kind not in {"bounce", "complaint"}:
        return None
    tags = (message.get("mail") or {}).get("tags") or {}
    application_id = (tags.get("application_id") or [None])[0]
    if not application_id:
        return None
    permanent = kind == "complaint" or (message.get("bounce") or {}).get("bounceType") == "Permanent"
    return MailEvent(kind, permanent, str(application_id), str((tags.get("recipient") or ["unknown"])[0]),
                     str((tags.get("kind") or ["VOLUNTEER"])[0]))


class Deliverability:
    def __init__(self, repository: Repository, mailer: Any, ops_email: str, default_consultant: str,
                 now: Callable[[], datetime], count_metric: Callable[[str], None] = lambda name: None):
        self.repository = repository
        self.mailer = mailer
        self.ops_email = ops_email
        self.default_consultant = default_consultant
        self.now = now
        self.count_metric = count_metric

    def record(self, event: MailEvent) -> str | None:
        """Record the event; tell whoever can act. Returns who was told (None if nobody)."""
        try:
            volunteer = self.repository.get_person(event.application_id, event.person_kind)
        except NotFound:
            return None
        kind = EventKind.EMAIL_BOUNCED if event.kind == "bounce" else EventKind.EMAIL_COMPLAINED
        self.repository.add_event(event.application_id, Event(
            at=self.now(), kind=kind, by="ses",
            details={"recipient": event.recipient, "permanent": str(event.permanent).lower()}), event.person_kind)
        self.count_metric("EmailBounced" if event.kind == "bounce" else "EmailComplained")
        if not event.permanent:
            return None  # a full mailbox or a passing fault: SES tries again itself
        # the applicant cannot be reached: their consultant calls them; a consultant or ops
        # mailbox that fails needs ops to move the step to someone who can receive it
        people = {"applicant", "contact_adult", "youth", "volunteer"}
        tell = (volunteer.get("consultant") or self.default_consultant) if event.recipient in people \
            else self.ops_email
        if tell == self.ops_email and event.recipient == "ops":
            return None  # nobody else to tell; the bounce alarm and the dashboard show it
        self.mailer.send(emails.undeliverable(tell, event.application_id, event.recipient, event.kind),
                         {"application_id": event.application_id, "kind": event.person_kind,
                          "recipient": "consultant" if tell != self.ops_email else "ops"})
        return tell
