"""SES adapter: sends a plain-text email with an HTML alternative, tagged with whom it concerns."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

from backup.domain.emails import Email

_THROTTLED = {"Throttling", "TooManyRequestsException", "LimitExceededException"}


class SesThrottled(Exception):
    """SES asked us to slow down; the state machine retries this error with backoff."""


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
            import boto3

            self._client = boto3.client("sesv2")
        return self._client

    def send(self, email: Email, tags: dict[str, str] | None = None) -> str:
        message = EmailMessage()
        message["From"] = formataddr((self.sender_name, self.sender))
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = make_msgid(domain=self.sender.split("@")[-1])
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
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
