"""A young person's referral by a contact adult: its fields, the programme's rules and a Danish
message per mistake. Mirrors the volunteer application (backup.domain.applications) and reuses its rules
for postcodes, interests, e-mail addresses and phone numbers."""

from __future__ import annotations

from datetime import date
from enum import Enum, StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from backup.domain.applications import (
    GENERIC_MESSAGES,
    MISSING_MESSAGES,
    Availability,
    FieldError,
    VolunteerApplication,
    date_or_none,
    field_messages,
    in_form_order,
    iso_date,
    normalise_email,
    normalise_phone,
)
from backup.domain.consent import ConsentForm, GuardianRole, needs_guardian
from backup.domain.eligibility import YOUTH_MAX_AGE, YOUTH_MIN_AGE, age_on, is_youth_age
from backup.domain.postcodes import POSTCODES
from backup.domain.text_rules import multi_line, single_line

# The volunteer's rules, shared rather than copied: a real Danish postcode, and the fixed set of
# interests plus at most three short free-text ones.
_postcode_rule = VolunteerApplication._postcode
_interests_rule = VolunteerApplication._interests


class Placement(StrEnum):
    FOSTER_FAMILY = "foster_family"
    RESIDENTIAL_HOME = "residential_home"
    INSTITUTION = "institution"

    @property
    def label(self) -> str:
        return {
            Placement.FOSTER_FAMILY: "Plejefamilie",
            Placement.RESIDENTIAL_HOME: "Opholdssted",
            Placement.INSTITUTION: "Døgninstitution",
        }[self]


class VolunteerGender(StrEnum):
    FEMALE = "female"
    MALE = "male"

    @property
    def label(self) -> str:
        return {VolunteerGender.FEMALE: "Kvinde", VolunteerGender.MALE: "Mand"}[self]


class AgeBand(StrEnum):
    FROM_25_TO_35 = "25-35"
    FROM_35_TO_50 = "35-50"
    OVER_50 = "50+"

    @property
    def label(self) -> str:
        return {AgeBand.FROM_25_TO_35: "25-35 år", AgeBand.FROM_35_TO_50: "35-50 år", AgeBand.OVER_50: "Over 50 år"}[
            self
        ]


# A preference comes as a token in the form ("gender:female") and in a JSON list; in a JSON
# object the key is the stored one ("volunteer_gender").
PREFERENCE_KINDS: dict[str, tuple[str, type[Enum]]] = {
    "gender": ("volunteer_gender", VolunteerGender),
    "age": ("volunteer_age", AgeBand),
}
_STORED_KEYS = {key: (token, enum) for token, (key, enum) in PREFERENCE_KINDS.items()}
PREFERENCE_MESSAGE = 'Vælg køn og alder på den frivillige blandt mulighederne, eller vælg "Ingen præference".'


def preference_token(kind: str, value: Enum) -> str:
    return f"{kind}:{value.value}"


class Preferences(BaseModel):
    """What the young person would like in a volunteer; None where they have no preference."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    volunteer_gender: VolunteerGender | None = None
    volunteer_age: AgeBand | None = None


def parse_preferences(value: Any) -> Preferences:
    """Read preferences from a JSON object, a list of tokens or the form's token values."""
    if value is None or value == "":
        return Preferences()
    chosen: dict[str, Enum] = {}
    pairs: list[tuple[str, Any]] = []  # (kind, raw value)
    if isinstance(value, dict):
        for key, raw in value.items():
            if key not in _STORED_KEYS:
                raise FieldError(PREFERENCE_MESSAGE)
            pairs.append((_STORED_KEYS[key][0], raw))
    elif isinstance(value, (list, tuple, str)):
        for token in [value] if isinstance(value, str) else value:
            if token is None or not str(token).strip():
                continue  # the form's "Ingen præference"
            kind, colon, raw = str(token).strip().partition(":")
            if not colon or kind not in PREFERENCE_KINDS:
                raise FieldError(PREFERENCE_MESSAGE)
            pairs.append((kind, raw))
    else:
        raise FieldError(PREFERENCE_MESSAGE)
    for kind, raw in pairs:
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        enum = PREFERENCE_KINDS[kind][1]
        try:
            choice = enum(str(raw).strip())
        except ValueError:
            raise FieldError(PREFERENCE_MESSAGE) from None
        if chosen.get(kind, choice) != choice:
            raise FieldError("Vælg højst ét køn og én aldersgruppe for den frivillige.")
        chosen[kind] = choice
    return Preferences.model_validate({PREFERENCE_KINDS[kind][0]: choice for kind, choice in chosen.items()})


LIMITS = {
    "first_name": 80,
    "wishes": 2000,
    "contact_adult_name": 120,
    "contact_adult_organisation": 200,
    "guardian_name": 120,
}
WISHES_MIN = 10


def _text(value: str, field: str, *, minimum: int = 1, multiline: bool = False) -> str:
    """A required free text within the field's limits (the volunteer form's messages), on one line
    unless it is a multi-line field (backup.domain.text_rules)."""
    value = multi_line(value, field).strip() if multiline else single_line(value, field)
    if not value:
        raise FieldError(GENERIC_MESSAGES["missing"])
    if len(value) < minimum:
        raise FieldError(f"Skriv venligst lidt mere (mindst {minimum} tegn).")
    if len(value) > LIMITS[field]:
        raise FieldError(f"Teksten er for lang: højst {LIMITS[field]} tegn.")
    return value


class YouthReferral(BaseModel):
    """What a contact adult and the young person tell us; each validator enforces one of the
    programme's rules for young people."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", frozen=True, defer_build=True)

    first_name: str
    birth_date: date
    postcode: str
    placement: Placement
    interests: list[str]
    wishes: str
    preferences: Preferences = Field(default_factory=Preferences)
    availability: Availability
    # at least one of the two; checked beside the model so both fields get the message
    email: str | None = None
    phone: str | None = None
    contact_adult_name: str
    contact_adult_email: str
    # the consultant's first call about the referral goes to the contact adult
    contact_adult_phone: str
    contact_adult_organisation: str
    # under 18: who else consented, how and when (required then; checked beside the model)
    guardian_name: str = ""
    guardian_role: GuardianRole | None = None
    guardian_how: ConsentForm | None = None
    guardian_date: date | None = None
    # An unticked checkbox is simply absent from a form post: default to False so the rule's
    # own message is shown rather than a generic "missing".
    motivated: bool = Field(default=False, validate_default=True)
    no_active_substance_abuse: bool = Field(default=False, validate_default=True)
    can_meet_without_professional_support: bool = Field(default=False, validate_default=True)
    consent: bool = Field(default=False, validate_default=True)

    @field_validator("first_name", "contact_adult_name", "contact_adult_organisation")
    @classmethod
    def _short_text(cls, value: str, info: Any) -> str:
        return _text(value, info.field_name)

    @field_validator("guardian_name")
    @classmethod
    def _guardian_name(cls, value: str) -> str:
        return _text(value, "guardian_name") if value else ""

    @field_validator("guardian_role", "guardian_how", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" or value is None else value  # the form's empty choice

    @field_validator("birth_date", mode="before")
    @classmethod
    def _birth_date(cls, value: Any) -> Any:
        return iso_date(value)

    @field_validator("guardian_date", mode="before")
    @classmethod
    def _guardian_date(cls, value: Any) -> Any:
        return None if value == "" or value is None else iso_date(value)  # the form's empty field

    @field_validator("wishes")
    @classmethod
    def _wishes(cls, value: str) -> str:
        return _text(value, "wishes", minimum=WISHES_MIN, multiline=True)

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        return str(_postcode_rule(value))

    @field_validator("interests", mode="before")
    @classmethod
    def _interests(cls, value: Any) -> list[str]:
        return list(_interests_rule(value))

    @field_validator("preferences", mode="before")
    @classmethod
    def _preferences(cls, value: Any) -> Preferences:
        return value if isinstance(value, Preferences) else parse_preferences(value)

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        return normalise_email(value) if value else None

    @field_validator("contact_adult_email")
    @classmethod
    def _contact_adult_email(cls, value: str) -> str:
        if not value:
            raise FieldError(GENERIC_MESSAGES["missing"])
        return normalise_email(value, "contact_adult_email")

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return normalise_phone(value) if value else None

    @field_validator("contact_adult_phone")
    @classmethod
    def _contact_adult_phone(cls, value: str) -> str:
        if not value:
            raise FieldError(REFERRAL_MISSING_MESSAGES["contact_adult_phone"])
        return normalise_phone(value)

    @field_validator("motivated")
    @classmethod
    def _motivated(cls, value: bool) -> bool:
        if not value:
            raise FieldError(
                "BackUp er for unge, der selv har lyst til at give en frivillig og de fælles aktiviteter "
                "en chance. Sæt kryds, når den unge ønsker det."
            )
        return value

    @field_validator("no_active_substance_abuse")
    @classmethod
    def _no_active_substance_abuse(cls, value: bool) -> bool:
        if not value:
            raise FieldError(
                "BackUp kan desværre ikke hjælpe unge med et aktivt misbrug, fordi den frivillige ikke "
                "er fagperson. Sæt kryds, hvis den unge ikke har et aktivt misbrug."
            )
        return value

    @field_validator("can_meet_without_professional_support")
    @classmethod
    def _can_meet_alone(cls, value: bool) -> bool:
        if not value:
            raise FieldError(
                "BackUp er for unge, der kan mødes med en frivillig uden en fagperson til stede. "
                "Sæt kryds, hvis det gælder den unge."
            )
        return value

    @field_validator("consent")
    @classmethod
    def _consent(cls, value: bool) -> bool:
        if not value:
            raise FieldError(
                "Vi kan kun tage imod henvisningen, hvis den unge har givet samtykke til, at Røde Kors "
                "behandler oplysningerne."
            )
        return value

    @property
    def region(self) -> str:
        return POSTCODES[self.postcode].region


# When a field is left out, some deserve a more specific request than "fill in the field".
REFERRAL_MISSING_MESSAGES = {
    "first_name": "Skriv den unges fornavn.",
    "birth_date": "Skriv den unges fødselsdato.",
    "contact_adult_name": "Skriv dit navn som kontaktperson.",
    "contact_adult_organisation": "Skriv navnet på din arbejdsplads, fx opholdsstedet eller kommunen.",
    "contact_adult_phone": "Skriv dit telefonnummer, så konsulenten kan ringe dig op, fx 12 34 56 78.",
    "placement": "Vælg, hvor den unge bor. BackUp er for unge, der er anbragt i plejefamilie, på opholdssted "
    "eller døgninstitution.",
    "availability": "Vælg, hvor tit den unge kan mødes.",
    "wishes": "Fortæl, hvilken voksen den unge ønsker sig, og hvad de kunne lave sammen.",
    "interests": MISSING_MESSAGES["interests"],
    "contact_adult_email": "Skriv din e-mail som kontaktperson, så konsulenten kan kontakte dig.",
}
CONTACT_MESSAGE = "Skriv den unges e-mail eller telefonnummer (mindst én af dem), så konsulenten kan kontakte den unge."


def _referral_messages(error: ValidationError) -> dict[str, str]:
    """The volunteer form's messages, with the referral's own wording where a field is missing."""
    messages = field_messages(error)
    for field, message in messages.items():
        if field in REFERRAL_MISSING_MESSAGES and message in (GENERIC_MESSAGES["missing"], MISSING_MESSAGES.get(field)):
            messages[field] = REFERRAL_MISSING_MESSAGES[field]
    if "placement" in messages and messages["placement"] == GENERIC_MESSAGES["enum"]:
        messages["placement"] = REFERRAL_MISSING_MESSAGES["placement"]
    return messages


def check_youth_age(born: date, today: date) -> dict[str, str]:
    """The age rule depends on the day of referral, so it is checked beside the model."""
    if born > today:
        return {"birth_date": "Fødselsdatoen ligger i fremtiden; tjek venligst datoen."}
    if is_youth_age(born, today):
        return {}
    if age_on(born, today) < YOUTH_MIN_AGE:
        return {
            "birth_date": f"BackUp er for unge mellem {YOUTH_MIN_AGE} og {YOUTH_MAX_AGE} år. Den unge er "
            f"velkommen til at blive henvist, når hun eller han er fyldt {YOUTH_MIN_AGE}."
        }
    return {
        "birth_date": f"BackUp er for unge mellem {YOUTH_MIN_AGE} og {YOUTH_MAX_AGE} år, så vi kan desværre ikke "
        f"tage imod en henvisning af en ung, der er fyldt {YOUTH_MAX_AGE + 1}."
    }


def check_contact(data: dict[str, Any]) -> dict[str, str]:
    """The young person must be reachable: an e-mail address or a phone number, or both."""
    given = [field for field in ("email", "phone") if str(data.get(field) or "").strip()]
    return {} if given else {"email": CONTACT_MESSAGE, "phone": CONTACT_MESSAGE}


def parse_referral(data: dict[str, Any], today: date) -> tuple[YouthReferral | None, dict[str, str]]:
    """Validate a referral; returns the referral or a Danish message per field."""
    beside = check_contact(data)
    try:
        referral = YouthReferral.model_validate(data)
    except ValidationError as error:
        messages = _referral_messages(error)
        born = date_or_none(data.get("birth_date"))
        age = check_youth_age(born, today) if "birth_date" not in messages and born is not None else {}
        return None, in_form_order({**beside, **messages}, YouthReferral, first=age)
    age = check_youth_age(referral.birth_date, today)
    if not beside and not age:  # the guardian's consent matters once the young person can be referred at all
        beside.update(check_guardian(referral, today))
    return (None, in_form_order(beside, YouthReferral, first=age)) if beside or age else (referral, {})


GUARDIAN_MESSAGES = {
    "guardian_name": "Den unge er under 18 år. Skriv navnet på den, der har givet samtykke: indehaveren af "
    "forældremyndigheden eller en medarbejder i den anbringende kommune.",
    "guardian_role": "Vælg, om samtykket er givet af forældremyndighedens indehaver eller den anbringende kommune.",
    "guardian_how": "Vælg, om samtykket er givet skriftligt eller mundtligt.",
    "guardian_date": "Skriv datoen, samtykket blev givet.",
}
GUARDIAN_CONSENT_MAX_AGE_DAYS = 366


def check_guardian(referral: YouthReferral, today: date) -> dict[str, str]:
    """Under 18, the consent of the holder of parental responsibility or the placing municipality
    is recorded: who, how and when (within the last year, not in the future)."""
    if not needs_guardian(referral.birth_date, today):
        return {}
    errors: dict[str, str] = {}
    given = {
        "guardian_name": referral.guardian_name,
        "guardian_role": referral.guardian_role,
        "guardian_how": referral.guardian_how,
        "guardian_date": referral.guardian_date,
    }
    for field, value in given.items():
        if not value:
            errors[field] = GUARDIAN_MESSAGES[field]
    day = referral.guardian_date
    if day is not None and day > today:
        errors["guardian_date"] = "Datoen ligger i fremtiden; skriv den dag, samtykket blev givet."
    elif day is not None and (today - day).days > GUARDIAN_CONSENT_MAX_AGE_DAYS:
        errors["guardian_date"] = "Samtykket er mere end et år gammelt; indhent et nyt, før den unge henvises."
    return errors
