"""Emails are plain, kind and safe: names are escaped, and a rejection never quotes the reason."""

from backup.domain import emails
from backup.domain.stages import Stage


def test_a_rejection_is_respectful_and_points_to_other_volunteering():
    email = emails.rejected("a@example.org", "Mette")
    assert "Kære Mette" in email.text
    assert "desværre" in email.text and "rodekors.dk" in email.text


def test_names_are_escaped_in_the_html_version():
    email = emails.rejected("a@example.org", "<script>alert(1)</script>")
    assert "<script>" not in email.html
    assert "&lt;script&gt;" in email.html
    assert "<script>alert(1)</script>" in email.text  # plain text shows what they typed


def test_the_confirmation_carries_the_withdrawal_link_as_a_clickable_link():
    email = emails.application_received("a@example.org", "Mette", "abc123", "https://x.example/withdraw/L1")
    assert "https://x.example/withdraw/L1" in email.text
    assert '<a href="https://x.example/withdraw/L1">' in email.html


def test_the_consultants_email_names_the_step_and_says_the_link_changes_nothing_by_itself():
    email = emails.step_request("k@example.org", Stage.HOME_VISIT, "abc123", "https://x.example/decisions/L2")
    assert "Hjemmebesøg" in email.subject
    assert "ændrer ingenting" in email.text
