"""SES adapter: sends a plain-text email with an HTML alternative, tagged with whom it concerns."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from backup.domain.emails import Email
from backup.domain.text_rules import LINE_BREAKS, one_line

_THROTTLED = {"Throttling", "TooManyRequestsException", "LimitExceededException"}


class SesThrottled(Exception):
    """SES asked us to slow down; the state machine retries this error with backoff."""


class UnsafeRecipient(ValueError):
    """A recipient that is not one plain address: sending it could reach someone else."""


class SesMailer:
    """The mailer port on SES v2. The client is made on first use."""

    def __init__(
        self,
        sender: str,
        client: Any | None = None,
        sender_name: str = "Røde Kors BackUp",
        configuration_set: str | None = None,
    ):
        self.sender = sender
        self.sender_name = sender_name
        self._client = client
        # bounces and complaints of mail sent through the set reach the email-events function
        self.configuration_set = configuration_set or None

    @property
    def client(self) -> Any:
        if self._client is None:
            from backup.adapters import aws

            self._client = aws.client("sesv2")
        return self._client

    def send(self, email: Email, tags: dict[str, str] | None = None) -> str:
        # Headers are made safe here too, whatever built the Email (backup.domain.emails.compose
        # does the same): the subject becomes one line, and a recipient is one address or nothing.
        if any(char in LINE_BREAKS for char in email.to) or "," in email.to or "@" not in email.to:
            raise UnsafeRecipient("the recipient is not a single email address")
        message = EmailMessage()
        message["From"] = formataddr((self.sender_name, self.sender))
        message["To"] = email.to
        message["Subject"] = one_line(email.subject)
        message["Message-ID"] = make_msgid(domain=self.sender.split("@")[-1])
        # UTF-8 in quoted-printable: 7-bit on the wire, so "Kære" survives any relay and any parser
        # (an 8-bit part is read wrongly by some)
        message.set_content(email.text, charset="utf-8", cte="quoted-printable")
        message.add_alternative(email.html, subtype="html", charset="utf-8", cte="quoted-printable")
        if email.calendar is not None:  # an invitation's .ics file: the message becomes multipart/mixed
            from backup.adapters.calendar_file import CONTENT_TYPE, FILENAME, ics

            maintype, subtype = CONTENT_TYPE
            message.add_attachment(ics(email.calendar), maintype=maintype, subtype=subtype, filename=FILENAME)
        request: dict[str, Any] = {
            "FromEmailAddress": self.sender,
            "Destination": {"ToAddresses": [email.to]},
            "Content": {"Raw": {"Data": message.as_bytes()}},
        }
        if tags:
            request["EmailTags"] = [{"Name": k, "Value": v} for k, v in tags.items()]
        if self.configuration_set:
            request["ConfigurationSetName"] = self.configuration_set
        try:
            response = self.client.send_email(**request)
        except Exception as error:
            code = getattr(error, "response", {}).get("Error", {}).get("Code")
            if code in _THROTTLED:
                message_text = getattr(error, "response", {}).get("Error", {}).get("Message", "")
                raise SesThrottled(message_text) from error
            raise
        return str(response["MessageId"])
