"""How many submissions of a public form one email address may make a day.

Each accepted application or referral makes Red Cross send an email to the address typed into the
form. Without a limit, anyone could use the forms to send any address Red Cross-branded mail again
and again. The limit counts per address the first email goes to, per Danish calendar day, and the
count is kept under a digest of the address, never the address itself.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from backup.domain.clock import DANISH_TIME
from backup.domain.kinds import RecordKind

# A volunteer applies once. Three a day leaves room for a corrected second try (a wrong phone
# number, a forgotten interest) and a third for good measure, and still caps what the form can
# send to one address at three emails a day.
APPLICATIONS_PER_EMAIL_PER_DAY = 3
# A contact adult at a residential home or municipality may refer several young people in one
# sitting, so their address may be used a little more often; five still keeps the form from being
# a way to flood someone's inbox.
REFERRALS_PER_EMAIL_PER_DAY = 5
DAILY_LIMITS = {
    RecordKind.VOLUNTEER: APPLICATIONS_PER_EMAIL_PER_DAY,
    RecordKind.YOUTH: REFERRALS_PER_EMAIL_PER_DAY,
}


def sender_key(email: str) -> str:
    """The digest an address is counted under: SHA-256 of the normalised address, lower case and
    without a "+tag" (mette+1@ and mette+2@ reach the same inbox, so they count as one)."""
    local, _, domain = email.strip().lower().rpartition("@")
    local = local.split("+", 1)[0] or local
    return hashlib.sha256(f"{local}@{domain}".encode()).hexdigest()


def submission_key(details: Mapping[str, Any]) -> str:
    """The same submission gives the same key (a double click, a client's retry), so it is
    counted once; a digest, so the count holds nothing of what was submitted."""
    canonical = json.dumps(details, sort_keys=True, ensure_ascii=True, default=str, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()[:32]


def counting_day(at: datetime) -> date:
    """The day a submission counts on: the calendar day in Denmark, as the people writing live it."""
    return at.astimezone(DANISH_TIME).date()
