"""The consultant for an applicant comes from their postcode's region, as configured."""

import pytest

from backup.domain.errors import ConfigurationError
from backup.domain.regions import consultant_for, parse_regional_consultants, region_of


def test_postcodes_belong_to_their_region():
    assert region_of("2100") == "Hovedstaden"
    assert region_of("8000") == "Midtjylland"
    assert region_of("9000") == "Nordjylland"
    assert region_of("5000") == "Syddanmark"
    assert region_of("4000") == "Sjælland"


def test_each_region_gets_its_configured_consultant_and_others_the_default():
    regional = parse_regional_consultants("Hovedstaden=anna@rodekors.dk, midtjylland = bo@rodekors.dk")
    assert consultant_for("2100", regional, "alle@rodekors.dk") == "anna@rodekors.dk"
    assert consultant_for("8000", regional, "alle@rodekors.dk") == "bo@rodekors.dk"
    assert consultant_for("9000", regional, "alle@rodekors.dk") == "alle@rodekors.dk"


def test_no_configuration_means_everyone_goes_to_the_default():
    assert parse_regional_consultants("") == {}


@pytest.mark.parametrize(
    "text, fragment",
    [("Fyn=a@b.dk", "not a region"), ("Hovedstaden", "Region=email"), ("Hovedstaden=nobody", "not an email")],
)
def test_a_wrong_configuration_is_one_clear_sentence(text, fragment):
    with pytest.raises(ConfigurationError) as error:
        parse_regional_consultants(text)
    assert fragment in str(error.value)
