"""The invitations' calendar files: read back by the same library, a cancellation replaces the
entry, and the SES message carries the file beside its text and HTML."""

from __future__ import annotations

from email import message_from_bytes, policy

from icalendar import Calendar

from backup.adapters.calendar_file import ics
from backup.adapters.ses import SesMailer
from backup.domain import gathering_emails
from tests.factories import NOW
from tests.gathering_factories import gathering


class Client:
    def __init__(self) -> None:
        self.requests: list[dict] = []

    def send_email(self, **request):
        self.requests.append(request)
        return {"MessageId": "m1"}


def test_an_invitation_reads_back_with_its_time_place_and_link():
    entry = gathering_emails.calendar_entry(gathering("g1"), "https://backup.example/tilmelding/g1/abc")
    parsed = Calendar.from_ical(ics(entry, stamp=NOW))
    (event,) = parsed.walk("VEVENT")
    assert str(parsed["METHOD"]) == "PUBLISH"
    assert event.decoded("dtstart") == gathering("g1").starts_at
    assert str(event["location"]) == "Røde Kors, Aarhus"
    assert str(event["uid"]) == "gathering-g1@backup.rodekors.dk"
    assert "Din første bolig" in str(event["summary"])


def test_a_cancellation_has_the_same_uid_a_higher_sequence_and_cancels():
    entry = gathering_emails.calendar_entry(gathering("g1"), "https://x/t", cancelled=True)
    parsed = Calendar.from_ical(ics(entry, stamp=NOW))
    (event,) = parsed.walk("VEVENT")
    assert str(parsed["METHOD"]) == "CANCEL" and str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 1


def sent(letter):
    """The MIME message SES is given for `letter` (one of gathering_emails' letters)."""
    client = Client()
    email = letter("mette@example.dk", "Mette", gathering("g1"), "https://backup.example/t/g1/a")
    SesMailer("backup@rodekors.example", client=client).send(email)
    return message_from_bytes(client.requests[0]["Content"]["Raw"]["Data"], policy=policy.default)


def test_the_sent_message_carries_the_file_beside_text_and_html():
    message = sent(gathering_emails.invitation)
    assert message.get_content_type() == "multipart/mixed"
    assert "Kære Mette" in message.get_body(preferencelist=("plain",)).get_content()
    (attachment,) = list(message.iter_attachments())
    assert attachment.get_content_type() == "text/calendar" and attachment.get_filename() == "invitation.ics"
    assert b"BEGIN:VCALENDAR" in attachment.get_payload(decode=True)


def test_a_letter_without_a_calendar_entry_stays_text_and_html():
    message = sent(gathering_emails.reminder)
    assert message.get_content_type() == "multipart/alternative"
