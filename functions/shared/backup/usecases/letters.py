"""Letters: every email goes out tagged with whom it concerns, and the letters a task must not
lose on a retry, nor send twice, go out once.

A task records its change first and sends its email after. If SES throttles and Step Functions
retries the task, the change is already there; the letter is not. Such a letter is therefore
marked on the record once it is sent, and a retry sends exactly the letters that are not marked.
"""

from __future__ import annotations

from typing import TypeVar

from backup.domain.emails import Email
from backup.domain.kinds import RecordKind
from backup.domain.records import Record
from backup.usecases.ports import Mailer, Repository

R = TypeVar("R", bound=Record)


class Letters:
    def __init__(self, repository: Repository, mailer: Mailer):
        self.repository = repository
        self.mailer = mailer

    def send(self, kind: RecordKind, record_id: str, email: Email, recipient: str) -> None:
        """Send, tagged with the record and the recipient's role (never their address), so a bounce
        finds its way back to the record."""
        self.mailer.send(email, {"record_id": record_id, "kind": kind.value, "recipient": recipient})

    def send_once(self, record: R, key: str, email: Email, recipient: str) -> R:
        """Send `email` unless the record says `key` was sent; mark it after. Returns the record as
        marked, so later letters of the same task see it."""
        if key in record.letters_sent:
            return record
        self.send(record.kind, record.id, email, recipient)
        sent = (*record.letters_sent, key)
        self.repository.update(record.kind, record.id, set={"letters_sent": sent})
        return record.model_copy(update={"letters_sent": sent})
