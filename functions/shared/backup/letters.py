"""Each letter to a person goes out once, even when its task is tried again.

A task records its change first and sends its email after. If SES throttles and Step Functions
retries the task, the change is already there; the letter is not. A letter is therefore marked
on the record once it is sent, and a retry sends exactly the letters that are not marked.
"""

from __future__ import annotations

from typing import Any, Protocol

from backup.mailer import Email


class Sender(Protocol):
    def send(self, email: Email, tags: dict[str, str] | None = None) -> str: ...


def send_once(repository: Any, mailer: Sender, record: dict[str, Any], key: str, email: Email,
              tags: dict[str, str]) -> bool:
    """Send `email` unless the record says `key` was sent; mark it after. True if it was sent now."""
    sent = list(record.get("letters_sent", []))
    if key in sent:
        return False
    mailer.send(email, tags)
    sent.append(key)
    record["letters_sent"] = sent  # later letters of this same call see it too
    repository.update_person(record["application_id"], None, {"letters_sent": sent}, kind=record["kind"])
    return True
