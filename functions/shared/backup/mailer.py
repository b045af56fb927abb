"""SES adapter: sends a plain-text email with an HTML alternative."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any

import boto3
from botocore.exceptions import ClientError


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str


class SesThrottled(Exception):
    """SES asked us to slow down; the state machine retries this error with backoff."""


class Mailer:
    def __init__(self, sender: str, client: Any | None = None, sender_name: str = "Røde Kors BackUp",
                 configuration_set: str | None = None):
        self.sender = sender
        self.sender_name = sender_name
        self.client = client or boto3.client("sesv2")
        # bounces and complaints of mail sent through the set reach the email-events function
        self.configuration_set = configuration_set or None

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
        except ClientError as error:
            if error.response["Error"]["Code"] in {"Throttling", "TooManyRequestsException", "LimitExceededException"}:
                raise SesThrottled(error.response["Error"].get("Message", "")) from error
            raise
        return str(response["MessageId"])
