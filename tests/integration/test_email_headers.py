"""The SES adapter on moto: whatever an Email holds, a header stays one header. The forms refuse line
breaks in names and compose() makes a subject one line; this is the last lock, for an Email built any
other way."""

from __future__ import annotations

from email import message_from_string, policy

import boto3
import pytest

from backup.adapters.ses import SesMailer, UnsafeRecipient
from backup.domain.emails import Email

from .conftest import SENDER, sent_emails


def test_a_subject_with_line_breaks_cannot_add_a_header_or_a_recipient(ses):
    email = Email(
        to="mette@example.org",
        subject="Tak for din ansøgning\r\nBcc: alle@example.org\r\n\r\nFalsk brødtekst",
        text="Hej Mette",
        html="<p>Hej Mette</p>",
    )
    SesMailer(SENDER, boto3.client("sesv2")).send(email)
    (sent,) = sent_emails()
    assert set(sent.destinations) == {"mette@example.org"}
    message = message_from_string(sent.raw_data, policy=policy.default)
    assert message["Subject"] == "Tak for din ansøgning Bcc: alle@example.org Falsk brødtekst"
    assert message["Bcc"] is None and message.get_all("Subject") == [message["Subject"]]
    assert message.get_body(("plain",)).get_content().strip() == "Hej Mette"


@pytest.mark.parametrize(
    "to", ["mette@example.org\r\nBcc: alle@example.org", "mette@example.org, alle@example.org", "ikke en adresse"]
)
def test_a_recipient_that_is_not_one_address_is_never_sent_to(ses, to):
    with pytest.raises(UnsafeRecipient):
        SesMailer(SENDER, boto3.client("sesv2")).send(Email(to=to, subject="Hej", text="Hej", html="<p>Hej</p>"))
    assert sent_emails() == []


def test_the_withdrawal_email_reads_kaere_in_the_local_outbox_not_a_replacement_character(ses):
    from backup.domain import emails

    email = emails.withdrawn("mette@example.org", "Mette")
    SesMailer(SENDER, boto3.client("sesv2")).send(email)
    (sent,) = sent_emails()
    message = message_from_string(sent.raw_data, policy=policy.default)  # as the local outbox reads it
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Kære Mette") and "\ufffd" not in text
