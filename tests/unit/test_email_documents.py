"""Every email reads well in any client: a small HTML document (title, main, one heading), the one
thing to do as a button with words on it, and a plain-text part that decodes to the Danish text."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes, policy
from typing import Any

import pytest

from backup.adapters.ses import SesMailer
from backup.domain import emails
from backup.domain.stages import Stage

URL = "https://backup.example/decisions/L2"
PRIVACY = "https://backup.example/privatliv"
WITHDRAW = "https://backup.example/withdraw/W1"
EVERY_KIND = [
    emails.application_received("a@example.org", "Mette", "a1", WITHDRAW),
    emails.step_request("k@example.org", Stage.HOME_VISIT, "a1", URL),
    emails.step_request("k@example.org", Stage.REFERRAL_CHECK, "y1", URL),
    emails.reminder("k@example.org", Stage.PHONE_SCREENING, "a1", URL, 1),
    emails.rejected("a@example.org", "Mette"),
    emails.withdrawn("a@example.org", "Mette"),
    emails.referral_received("l@example.org", "Lone Berg", "Sofie", "y1"),
    emails.proposal_request("k@example.org", "Sofie", "p1", URL),
    emails.continue_question("s@example.org", "Sofie", False, URL),
    emails.renewal_request("k@example.org", "v1", "Mette", date(2027, 1, 31), URL),
    emails.activity_check("k@example.org", "a1", "Mette", Stage.TRAINING, 90, URL, date(2027, 1, 31)),
    emails.with_footer(emails.matched("s@example.org", "Sofie", "Mette"), PRIVACY, WITHDRAW),
]


@pytest.mark.parametrize("email", EVERY_KIND, ids=lambda email: email.subject[:40])
def test_every_email_is_a_small_html_document_with_a_title_a_main_landmark_and_a_heading(email):
    html = email.html
    assert html.startswith("<!doctype html>") and '<html lang="da">' in html
    assert html.count("<title>") == 1 and "<title></title>" not in html
    assert html.count("<main") == 1 and html.count("<h1") == 1
    assert ">https://" not in html  # no address shown as the text of a link


def test_the_one_action_is_a_button_with_words_not_a_long_address():
    email = emails.step_request("k@example.org", Stage.HOME_VISIT, "a1", URL)
    assert f'<a href="{URL}" style="display:inline-block;' in email.html
    assert ">Se ansøgningen og afgør</a>" in email.html
    assert URL in email.text  # plain text keeps the address to copy
    referral = emails.step_request("k@example.org", Stage.REFERRAL_CHECK, "y1", URL)
    assert ">Se henvisningen og afgør</a>" in referral.html
    assert ">Svar her</a>" in emails.continue_question("s@example.org", "Sofie", False, URL).html


def test_the_footers_links_read_as_words_and_keep_the_button_of_the_email():
    email = emails.with_footer(emails.continue_question("s@example.org", "Sofie", False, URL), PRIVACY, WITHDRAW)
    assert f'<a href="{PRIVACY}">Sådan behandler Røde Kors dine oplysninger</a>' in email.html
    assert f'<a href="{WITHDRAW}">Sig fra</a>' in email.html
    assert ">Svar her</a>" in email.html


def test_the_red_cross_domain_is_spelled_as_it_is_typed():
    assert "rodekors.dk" in emails.rejected("a@example.org", "Mette").text
    assert not any("rødekors.dk" in email.text for email in EVERY_KIND)


class CapturingSes:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_email(self, **request: Any) -> dict[str, str]:
        self.sent.append(request)
        return {"MessageId": "m1"}


@pytest.mark.parametrize("email", EVERY_KIND, ids=lambda email: email.subject[:40])
def test_the_plain_text_part_of_every_email_decodes_to_the_danish_text(email):
    client = CapturingSes()
    SesMailer("backup@rodekors.example", client).send(email)
    raw: bytes = client.sent[0]["Content"]["Raw"]["Data"]
    raw.decode("ascii")  # 7-bit on the wire: no relay or parser can misread an 8-bit part
    message = message_from_bytes(raw, policy=policy.default)
    plain = message.get_body(("plain",))
    assert plain["Content-Type"].params["charset"] == "utf-8"
    assert plain.get_content().rstrip("\n") == email.text
    assert message.get_body(("html",)).get_content().rstrip("\n") == email.html
