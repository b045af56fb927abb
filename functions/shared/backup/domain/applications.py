"""A volunteer's application: its fields, the programme's rules and a Danish message per mistake."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import Enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, field_validator

from backup.domain.eligibility import VOLUNTEER_MIN_AGE, age_on, is_old_enough_to_volunteer
from backup.domain.postcodes import POSTCODES
from backup.domain.text_rules import FieldError, multi_line, single_line

__all__ = ["FieldError"]  # the forms' one error, defined beside the text rules and used from here too


class Interest(str, Enum):
    SPORT = "sport"
    FOOTBALL = "football"
    OUTDOORS = "outdoors"
    COOKING = "cooking"
    MUSIC = "music"
    ART = "art"
    GAMING = "gaming"
    READING = "reading"
    ANIMALS = "animals"
    FILM = "film"
    TECHNOLOGY = "technology"
    TRAVEL = "travel"

    @property
    def label(self) -> str:
        return INTEREST_LABELS[self]


INTEREST_LABELS = {
    Interest.SPORT: "Sport og motion",
    Interest.FOOTBALL: "Fodbold",
    Interest.OUTDOORS: "Natur og friluftsliv",
    Interest.COOKING: "Madlavning",
    Interest.MUSIC: "Musik",
    Interest.ART: "Kunst og kreativitet",
    Interest.GAMING: "Computerspil",
    Interest.READING: "Bøger og læsning",
    Interest.ANIMALS: "Dyr",
    Interest.FILM: "Film og serier",
    Interest.TECHNOLOGY: "Teknik og IT",
    Interest.TRAVEL: "Rejser og kultur",
}


class Availability(str, Enum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"

    @property
    def label(self) -> str:
        return {
            Availability.WEEKLY: "Cirka en gang om ugen",
            Availability.BIWEEKLY: "Cirka hver anden uge",
            Availability.MONTHLY: "Cirka en gang om måneden",
        }[self]


# Sensible upper bounds: long enough for a real answer, short enough to keep records and
# emails readable and to turn away pasted junk.
LIMITS = {
    "first_name": 80,
    "last_name": 80,
    "address": 200,
    "city": 80,
    "motivation": 3000,
    "experience": 3000,
    "reference": 200,
    "interest_text": 60,
}
MAX_FREE_INTERESTS = 3
# Danish numbers have 8 digits; other countries' numbers are accepted in international form.
# ASCII digits only: \d alone would take Arabic-Indic or full-width digits as a phone number.
PHONE = re.compile(r"^(?:\+45|0045)?(\d{8})$|^\+(?!45)([1-9]\d{7,14})$", re.ASCII)
EMAIL_IN_TEXT = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")
PHONE_IN_TEXT = re.compile(r"(?:\+\d{1,3}\s?)?(?:\d[\s-]?){8,}")


def normalise_phone(text: str) -> str:
    single_line(text, "phone")
    compact = re.sub(r"[\s\-().]", "", text)
    match = PHONE.match(compact)
    if not match:
        raise FieldError("Skriv et gyldigt telefonnummer med 8 cifre, fx 12 34 56 78.")
    return f"+45{match.group(1)}" if match.group(1) else f"+{match.group(2)}"


def readable_phone(phone: str) -> str:
    """+4512345678 as +45 12 34 56 78, easy to read out on a call."""
    if phone.startswith("+45") and len(phone) == 11:
        digits = phone[3:]
        return "+45 " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    return phone


def normalise_email(text: str, field: str = "email") -> str:
    # imported here: its module compiles its regular expressions (about 30 ms) at import, which a
    # function that never checks an address (a page view, a task) need not pay for at a cold start
    from email_validator import EmailNotValidError, validate_email

    single_line(text.strip(), field)
    try:
        return validate_email(text.strip(), check_deliverability=False).normalized
    except EmailNotValidError:
        raise FieldError("Skriv en gyldig e-mailadresse, fx navn@eksempel.dk.") from None


DATE_MESSAGE = "Skriv datoen som ÅÅÅÅ-MM-DD, fx 1985-04-23."
ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
INTERESTS_MESSAGE = "Vælg interesserne blandt mulighederne, eller skriv dine egne som tekst."
REFERENCES_MESSAGE = "Skriv hver reference som tekst: navn og telefonnummer eller e-mail."


def iso_date(value: Any) -> Any:
    """A date as the form's date field sends it (ÅÅÅÅ-MM-DD), or a date; never a number, which
    pydantic would read as seconds since 1970."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and (not value.strip() or ISO_DATE.fullmatch(value.strip())):
        return value.strip()  # an empty field is left to the "missing" message
    raise FieldError(DATE_MESSAGE)


def date_or_none(value: Any) -> date | None:
    """The date a field holds, if it is one (beside the model, where its own error is reported)."""
    try:
        return _DATE.validate_python(iso_date(value))
    except (FieldError, ValidationError):
        return None


def _items(value: Any, message: str) -> list[Any]:
    """A field a form sends once or several times: one text, or a list of them."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise FieldError(message)


def _text(value: str, field: str, *, required: bool, minimum: int = 1, multiline: bool = False) -> str:
    value = multi_line(value, field).strip() if multiline else single_line(value.strip(), field)
    if not value:
        if required:
            raise FieldError("Udfyld venligst feltet.")
        return value
    if len(value) < minimum:
        raise FieldError(f"Skriv venligst lidt mere (mindst {minimum} tegn).")
    if len(value) > LIMITS[field]:
        raise FieldError(f"Teksten er for lang: højst {LIMITS[field]} tegn.")
    return value


class VolunteerApplication(BaseModel):
    """What a would-be volunteer tells us; each validator enforces one of the programme's rules."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", frozen=True, defer_build=True)

    first_name: str
    last_name: str
    email: str
    phone: str
    birth_date: date
    address: str
    postcode: str
    city: str
    interests: list[str]
    availability: Availability
    motivation: str
    experience: str = ""
    # optional: some young people ask for a volunteer of a particular gender
    gender: Literal["female", "male", "other"] | None = None
    references: list[str]
    # An unticked checkbox is simply absent from a form post: default to False so the rule's
    # own message is shown rather than a generic "missing".
    consent_data: bool = Field(default=False, validate_default=True)
    consent_child_certificate: bool = Field(default=False, validate_default=True)
    commitment: bool = Field(default=False, validate_default=True)

    @field_validator("first_name", "last_name", "address", "city")
    @classmethod
    def _short_text(cls, value: str, info: Any) -> str:
        return _text(value, info.field_name, required=True)

    @field_validator("motivation")
    @classmethod
    def _motivation(cls, value: str) -> str:
        return _text(value, "motivation", required=True, minimum=20, multiline=True)

    @field_validator("experience")
    @classmethod
    def _experience(cls, value: str) -> str:
        return _text(value, "experience", required=False, multiline=True)

    @field_validator("birth_date", mode="before")
    @classmethod
    def _birth_date(cls, value: Any) -> Any:
        return iso_date(value)

    @field_validator("gender", mode="before")
    @classmethod
    def _gender(cls, value: Any) -> Any:
        return value or None  # "" from the form means "rather not say"

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value)

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str) -> str:
        return normalise_phone(value)

    @field_validator("postcode")
    @classmethod
    def _postcode(cls, value: str) -> str:
        single_line(value, "postcode")
        if not re.fullmatch(r"[0-9]{4}", value):
            raise FieldError("Skriv et dansk postnummer med 4 cifre, fx 8000.")
        if value not in POSTCODES:
            raise FieldError(f"Vi kan ikke finde postnummeret {value} i Danmark.")
        return value

    @field_validator("interests", mode="before")
    @classmethod
    def _interests(cls, value: Any) -> list[str]:
        chosen: list[str] = []
        free: list[str] = []
        for item in _items(value, INTERESTS_MESSAGE):
            if not isinstance(item, str):
                raise FieldError(INTERESTS_MESSAGE)
            text = item.strip()
            if text in Interest._value2member_map_:
                chosen.append(text)
                continue
            # the form's "other interests" box may hold several, separated by commas
            for part in (p.strip() for p in re.split(r"[,;]", text)):
                if len(part) > LIMITS["interest_text"]:
                    raise FieldError(f"Skriv hver interesse med højst {LIMITS['interest_text']} tegn.")
                single_line(part, "interests")
                if part:
                    free.append(part)
        if len(free) > MAX_FREE_INTERESTS:
            raise FieldError(f"Skriv højst {MAX_FREE_INTERESTS} egne interesser.")
        if not chosen and not free:
            raise FieldError("Vælg mindst én interesse, eller skriv din egen.")
        return list(dict.fromkeys(chosen + free))

    @field_validator("references", mode="before")
    @classmethod
    def _references(cls, value: Any) -> list[str]:
        references: list[str] = []
        for item in _items(value, REFERENCES_MESSAGE):
            if isinstance(item, dict):
                parts = (item.get("name"), item.get("contact"))
                if not all(part is None or isinstance(part, str) for part in parts):
                    raise FieldError(REFERENCES_MESSAGE)
                item = ", ".join(part.strip() for part in parts if part and part.strip())
            if not isinstance(item, str):
                raise FieldError(REFERENCES_MESSAGE)
            text = item.strip()
            if text:
                references.append(single_line(text, "references"))
        if len(references) < 2:
            raise FieldError("Angiv to referencer: navn og telefonnummer eller e-mail på hver.")
        for text in references:
            if len(text) > LIMITS["reference"]:
                raise FieldError(f"Hver reference må højst fylde {LIMITS['reference']} tegn.")
            name = EMAIL_IN_TEXT.sub("", PHONE_IN_TEXT.sub("", text))
            has_contact = EMAIL_IN_TEXT.search(text) or PHONE_IN_TEXT.search(text)
            if not has_contact or not re.search(r"[^\W\d_]{2,}", name):
                raise FieldError("Skriv både navn og telefonnummer eller e-mail for hver reference.")
        return references[:2]

    @field_validator("consent_data")
    @classmethod
    def _consent_data(cls, value: bool) -> bool:
        if not value:
            raise FieldError("Vi kan kun behandle din ansøgning, hvis du giver samtykke til det.")
        return value

    @field_validator("consent_child_certificate")
    @classmethod
    def _consent_certificate(cls, value: bool) -> bool:
        if not value:
            raise FieldError("Alle frivillige i BackUp skal have en børneattest; giv os lov til at indhente den.")
        return value

    @field_validator("commitment")
    @classmethod
    def _commitment(cls, value: bool) -> bool:
        if not value:
            raise FieldError("BackUp kræver, at du kan være der for den unge i omkring et år.")
        return value

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def region(self) -> str:
        return POSTCODES[self.postcode].region


# Danish messages for pydantic's own error types (missing field, wrong type, ...).
GENERIC_MESSAGES = {
    "missing": "Udfyld venligst feltet.",
    "string_type": "Udfyld venligst feltet med tekst.",
    "bool_parsing": "Sæt kryds, hvis du er enig.",
    "bool_type": "Sæt kryds, hvis du er enig.",
    "date_from_datetime_parsing": DATE_MESSAGE,
    "date_from_datetime_inexact": DATE_MESSAGE,
    "date_parsing": DATE_MESSAGE,
    "date_type": DATE_MESSAGE,
    "string_unicode": "Feltet indeholder tegn, vi ikke kan læse. Skriv det venligst igen.",
    "enum": "Vælg en af mulighederne.",
    "list_type": "Vælg en af mulighederne.",
    "literal_error": "Vælg en af mulighederne.",
}


# When a field is left out, it is asked for by name: "fill in the field" five times over does not say
# which field, nor how.
MISSING_MESSAGES = {
    "first_name": "Skriv dit fornavn.",
    "last_name": "Skriv dit efternavn.",
    "email": "Skriv din e-mailadresse, fx navn@eksempel.dk.",
    "phone": "Skriv dit telefonnummer, fx 12 34 56 78.",
    "address": "Skriv din adresse: vej og husnummer.",
    "city": "Skriv din by.",
    "motivation": "Fortæl med et par sætninger, hvorfor du vil være frivillig i BackUp.",
    "birth_date": "Skriv din fødselsdato.",
    "availability": "Vælg, hvor tit du kan mødes.",
    "interests": "Vælg mindst én interesse, eller skriv din egen.",
    "references": "Angiv to referencer: navn og telefonnummer eller e-mail på hver.",
}
_DATE = TypeAdapter(date)


def field_messages(error: ValidationError) -> dict[str, str]:
    """One Danish message per field, the first problem found for it."""
    messages: dict[str, str] = {}
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "_"
        if field in messages:
            continue
        ctx_error = (problem.get("ctx") or {}).get("error")
        if isinstance(ctx_error, FieldError) and str(ctx_error) != GENERIC_MESSAGES["missing"]:
            messages[field] = str(ctx_error)
        elif isinstance(ctx_error, FieldError) or problem["type"] == "missing" or problem.get("input") == "":
            messages[field] = MISSING_MESSAGES.get(field, GENERIC_MESSAGES["missing"])
        else:
            messages[field] = GENERIC_MESSAGES.get(problem["type"], "Tjek venligst feltet.")
    return messages


def check_age(born: date, today: date) -> dict[str, str]:
    """The age rule depends on the day of application, so it is checked beside the model."""
    if born > today:
        return {"birth_date": "Fødselsdatoen ligger i fremtiden; tjek venligst datoen."}
    if age_on(born, today) > 110:
        return {"birth_date": "Tjek venligst fødselsåret."}
    if not is_old_enough_to_volunteer(born, today):
        return {
            "birth_date": f"Frivillige i BackUp skal være fyldt {VOLUNTEER_MIN_AGE} år, "
            "fordi de unge har brug for en voksen med livserfaring. Du er velkommen til at søge, "
            f"når du er fyldt {VOLUNTEER_MIN_AGE}."
        }
    return {}


def in_form_order(
    messages: dict[str, str], model: type[BaseModel], first: dict[str, str] | None = None
) -> dict[str, str]:
    """Messages in the order of the form's fields (the model's), so the error summary reads like the
    form; `first` (a rule that ends the application whatever else is fixed) leads."""
    order = {field: index for index, field in enumerate(model.model_fields)}
    rest = sorted(((f, m) for f, m in messages.items() if f not in (first or {})), key=lambda i: order.get(i[0], 99))
    return {**(first or {}), **dict(rest)}


def parse_application(data: dict[str, Any], today: date) -> tuple[VolunteerApplication | None, dict[str, str]]:
    """Validate an application; returns the application or a Danish message per field, in the
    form's order with the age rule (which ends the application) first."""
    try:
        application = VolunteerApplication.model_validate(data)
    except ValidationError as error:
        messages = field_messages(error)
        born = date_or_none(data.get("birth_date"))
        age = check_age(born, today) if "birth_date" not in messages and born is not None else {}
        return None, in_form_order(messages, VolunteerApplication, first=age)
    messages = check_age(application.birth_date, today)
    return (None, messages) if messages else (application, {})
