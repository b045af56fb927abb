"""Consents and confirmations as the programme records them: which wording (and its version) was
agreed to, by whom, through whom, and when. The forms show these same texts; a changed wording
gets a new version, so a record always says what exactly was agreed.

A young person is referred only with their own consent. Under 18, the holder of parental
responsibility or the placing municipality must consent too: the contact adult records who gave
it, how and when (the referral form explains why).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from pydantic import BaseModel, ConfigDict

from backup.domain.eligibility import age_on


class Statement(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    key: str
    version: str
    text: str  # the wording the form shows beside its checkbox


def _statements(*statements: Statement) -> dict[str, Statement]:
    return {s.key: s for s in statements}


PRIVACY_NOTICE_VERSION = "2026-12-01"
# the three criteria a contact adult confirms, each its own checkbox (each refusal its own message)
ELIGIBILITY = {
    "motivated": "Den unge har selv lyst til at få en frivillig voksen og vil give relationen og aktiviteterne "
    "en chance.",
    "no_active_substance_abuse": "Den unge har ikke et aktivt misbrug.",
    "can_meet_without_professional_support": "Den unge kan mødes med en frivillig, uden at en fagperson er til stede.",
}

STATEMENTS = _statements(
    Statement(
        key="consent_data",
        version="2026-12-01",
        text="Jeg giver Røde Kors lov til at behandle mine oplysninger for at vurdere min ansøgning og, hvis jeg "
        "bliver frivillig, for at finde og følge et match, som beskrevet i privatlivserklæringen.",
    ),
    Statement(
        key="consent_child_certificate",
        version="2026-12-01",
        text="Jeg giver Røde Kors lov til at indhente en børneattest om mig, nu og igen, når den skal fornyes, så "
        "længe jeg er frivillig.",
    ),
    Statement(
        key="commitment",
        version="2026-12-01",
        text="Jeg kan være der for en ung i omkring et år og mødes cirka hver uge eller hver anden uge.",
    ),
    Statement(
        key="eligibility",
        version="2026-12-01",
        text=" ".join(ELIGIBILITY.values()),
    ),
    Statement(
        key="consent",
        version="2026-12-01",
        text="Den unge har selv sagt ja til at blive henvist og giver samtykke til, at Røde Kors behandler "
        "oplysningerne i henvisningen for at finde og følge en frivillig, som beskrevet i privatlivserklæringen.",
    ),
    Statement(
        key="guardian_consent",
        version="2026-12-01",
        text="Indehaveren af forældremyndigheden eller den anbringende kommune har givet samtykke til henvisningen "
        "og til, at Røde Kors behandler oplysningerne.",
    ),
)
VOLUNTEER_CONSENTS = ("consent_data", "consent_child_certificate", "commitment")
YOUTH_CONSENTS = ("eligibility", "consent")
ADULT_AGE = 18


class Consent(BaseModel):
    """One statement agreed to: its version, when, by whom (the person it is about, or for a young
    person their guardian) and through whom (who ticked the box)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    version: str
    given_at: datetime
    given_by: str  # "applicant", "young person", "contact adult", or a guardian's role
    recorded_by: str  # "applicant" or "contact adult": who ticked the box on the form
    how: str = "web form"
    notice_version: str = PRIVACY_NOTICE_VERSION  # the privacy notice in force when it was given


class GuardianRole(str, Enum):
    PARENTAL_RESPONSIBILITY = "parental_responsibility"
    MUNICIPALITY = "municipality"

    @property
    def label(self) -> str:
        return {
            GuardianRole.PARENTAL_RESPONSIBILITY: "indehaver af forældremyndigheden",
            GuardianRole.MUNICIPALITY: "den anbringende kommune",
        }[self]


class ConsentForm(str, Enum):
    WRITTEN = "written"
    ORAL = "oral"

    @property
    def label(self) -> str:
        return {ConsentForm.WRITTEN: "skriftligt", ConsentForm.ORAL: "mundtligt"}[self]


class GuardianConsent(BaseModel):
    """Who gave consent for a young person under 18, how and on which day (recorded by the
    contact adult on the referral form)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    name: str
    role: GuardianRole
    how: ConsentForm
    given_on: date


def needs_guardian(birth_date: date, day: date) -> bool:
    return age_on(birth_date, day) < ADULT_AGE


def consents(keys: tuple[str, ...], at: datetime, given_by: str, recorded_by: str) -> dict[str, Consent]:
    """The records for statements agreed to on a form at `at`."""
    return {
        key: Consent(version=STATEMENTS[key].version, given_at=at, given_by=given_by, recorded_by=recorded_by)
        for key in keys
    }
