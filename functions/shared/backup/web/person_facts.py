"""How a person's details read on a consultant's page: age, place, interests, wishes, and links
to call or write to someone. Every page about a person uses these, so they read the same everywhere."""

from __future__ import annotations

from datetime import date

from backup.domain.applications import INTEREST_LABELS, Availability, Interest
from backup.domain.eligibility import age_on
from backup.domain.postcodes import POSTCODES
from backup.domain.referrals import Placement, Preferences


def interests(values: tuple[str, ...]) -> str:
    return ", ".join(INTEREST_LABELS[Interest(i)] if i in Interest._value2member_map_ else i for i in values) or "—"


def availability(value: str) -> str:
    return Availability(value).label if value in Availability._value2member_map_ else "—"


def place(postcode: str) -> str:
    """The postcode with its town, as people say where they live: 8200 Aarhus N."""
    found = POSTCODES.get(postcode)
    return f"{postcode} {found.city}" if found else postcode


def age(born: date | None, today: date) -> str:
    return f"{age_on(born, today)} år" if born else ""


def born_and_age(born: date | None, today: date) -> str:
    """The birth date with the age it gives today: 03.04.2010 (16 år)."""
    return f"{born:%d.%m.%Y} ({age(born, today)})" if born else "—"


def placement(value: str) -> str:
    """Where a young person in care lives, in Danish."""
    return Placement(value).label if value in Placement._value2member_map_ else (value or "—")


def wished_volunteer(preferences: Preferences) -> str:
    """What the young person would like in a volunteer, or that they have no wish."""
    wishes = [
        {"female": "en kvinde", "male": "en mand"}.get(preferences.volunteer_gender or "", ""),
        f"alder {preferences.volunteer_age.value}" if preferences.volunteer_age else "",
    ]
    return ", ".join(filter(None, wishes)) or "ingen særlige"
