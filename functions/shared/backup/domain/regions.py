"""Which consultant takes an applicant: by the region of their postcode, as configured; and
whom a reader of a page or an email can reach (that consultant's name, address and phone).

Configuration, not code: the template parameter RegionalConsultants holds text such as
"Hovedstaden=anna@rodekors.dk;Anna Holm;+45 35 25 92 00,Midtjylland=bo@rodekors.dk"; each region's
value is an address, optionally followed by the consultant's name and phone after semicolons. A
region without its own consultant falls back to ConsultantEmail (with ConsultantName and
ConsultantPhone).
"""

from __future__ import annotations

from dataclasses import dataclass

from backup.domain.applications import FieldError, normalise_email, normalise_phone, readable_phone
from backup.domain.errors import ConfigurationError
from backup.domain.postcodes import POSTCODES
from backup.domain.text_rules import one_line

# who sends every page and email (the data controller the privacy notice names)
PROGRAMME = "BackUp, et program i Dansk Røde Kors, Blegdamsvej 27, 2100 København Ø"
REGIONS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")
_NAME_MAX = 80


@dataclass(frozen=True)
class Contact:
    """A person a reader can reach: a consultant's address, and their name and phone where the
    configuration gives them."""

    email: str
    name: str = ""
    phone: str = ""

    @classmethod
    def configured(cls, email: str, name: str = "", phone: str = "", what: str = "ConsultantEmail") -> Contact:
        """A contact from configuration; a wrong address, name or phone is one clear sentence."""
        try:
            address = normalise_email(email)
        except FieldError:
            raise ConfigurationError(f"{what}: '{email}' is not an email address.") from None
        name = one_line(name)
        if len(name) > _NAME_MAX:
            raise ConfigurationError(f"{what}: the name '{name[:20]}...' is longer than {_NAME_MAX} characters.")
        if phone.strip():
            try:
                phone = normalise_phone(phone)
            except FieldError:
                raise ConfigurationError(f"{what}: '{phone}' is not a phone number.") from None
        return cls(email=address, name=name, phone=phone.strip())

    def sentence(self) -> str:
        """ "Anna Holm, anna@rodekors.dk, tlf. +45 35 25 92 00" (as much as is known)."""
        parts = [self.name, self.email] + ([f"tlf. {readable_phone(self.phone)}"] if self.phone else [])
        return ", ".join(p for p in parts if p)


def parse_regional_consultants(text: str) -> dict[str, Contact]:
    """Read "Region=email[;name[;phone]],..."; a wrong region, address or phone is one clear sentence."""
    consultants: dict[str, Contact] = {}
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        region, equals, address = (x.strip() for x in part.partition("="))
        if not equals:
            raise ConfigurationError(f"RegionalConsultants: '{part}' is not Region=email.")
        match = next((r for r in REGIONS if r.casefold() == region.casefold()), None)
        if match is None:
            raise ConfigurationError(
                f"RegionalConsultants: '{region}' is not a region; use one of {', '.join(REGIONS)}."
            )
        email, _, rest = (x.strip() for x in address.partition(";"))
        name, _, phone = (x.strip() for x in rest.partition(";"))
        consultants[match] = Contact.configured(email, name, phone, what=f"RegionalConsultants ({match})")
    return consultants


def region_of(postcode: str) -> str | None:
    found = POSTCODES.get(postcode)
    return found.region if found else None


def contact_for(postcode: str, regional: dict[str, Contact], default: Contact) -> Contact:
    """The consultant of the postcode's region, else the default one."""
    return regional.get(region_of(postcode) or "", default)


@dataclass(frozen=True)
class Contacts:
    """The configured consultants: whom a person (or their contact adult) can reach."""

    default: Contact
    regional: dict[str, Contact]

    def for_person(self, postcode: str, consultant: str | None = None) -> Contact:
        """Their own consultant (`consultant`, if a step was given to someone else), else their
        region's, with the name and phone configured for that address."""
        regional = contact_for(postcode, self.regional, self.default)
        if not consultant or consultant == regional.email:
            return regional
        known = (*self.regional.values(), self.default)
        return next((c for c in known if c.email == consultant), Contact(consultant))
