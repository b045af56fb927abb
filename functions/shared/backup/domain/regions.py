"""Which consultant takes an applicant: by the region of their postcode, as configured.

Configuration, not code: the template parameter RegionalConsultants holds text such as
"Hovedstaden=anna@rodekors.dk,Midtjylland=bo@rodekors.dk"; a region without its own
consultant falls back to ConsultantEmail.
"""

from __future__ import annotations

from backup.domain.applications import FieldError, normalise_email
from backup.domain.errors import ConfigurationError
from backup.domain.postcodes import POSTCODES

REGIONS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")


def parse_regional_consultants(text: str) -> dict[str, str]:
    """Read "Region=email,Region=email"; a wrong region or address is one clear sentence."""
    consultants: dict[str, str] = {}
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
        try:
            consultants[match] = normalise_email(address)
        except FieldError:
            raise ConfigurationError(f"RegionalConsultants: '{address}' for {match} is not an email address.") from None
    return consultants


def region_of(postcode: str) -> str | None:
    found = POSTCODES.get(postcode)
    return found.region if found else None


def consultant_for(postcode: str, regional: dict[str, str], default: str) -> str:
    return regional.get(region_of(postcode) or "", default)
