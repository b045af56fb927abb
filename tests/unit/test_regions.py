"""The consultant for an applicant comes from their postcode's region, as configured; so does the
person every page and email names as the one to reach."""

import pytest

from backup.domain.errors import ConfigurationError
from backup.domain.regions import Contact, contact_for, parse_regional_consultants, region_of
from backup.domain.settings import Settings

DEFAULT = Contact("alle@rodekors.dk", "Karen Konsulent", "+4535259200")


def test_postcodes_belong_to_their_region():
    assert region_of("2100") == "Hovedstaden"
    assert region_of("8000") == "Midtjylland"
    assert region_of("9000") == "Nordjylland"
    assert region_of("5000") == "Syddanmark"
    assert region_of("4000") == "Sjælland"


def test_each_region_gets_its_configured_consultant_and_others_the_default():
    regional = parse_regional_consultants("Hovedstaden=anna@rodekors.dk, midtjylland = bo@rodekors.dk")
    assert contact_for("2100", regional, DEFAULT).email == "anna@rodekors.dk"
    assert contact_for("8000", regional, DEFAULT).email == "bo@rodekors.dk"
    assert contact_for("9000", regional, DEFAULT) == DEFAULT


def test_a_region_may_give_its_consultants_name_and_phone():
    regional = parse_regional_consultants("Hovedstaden=anna@rodekors.dk;Anna Holm;35 25 92 01,Sjælland=sif@rodekors.dk")
    assert regional["Hovedstaden"] == Contact("anna@rodekors.dk", "Anna Holm", "+4535259201")
    assert regional["Hovedstaden"].sentence() == "Anna Holm, anna@rodekors.dk, tlf. +45 35 25 92 01"
    assert regional["Sjælland"].sentence() == "sif@rodekors.dk"


def test_no_configuration_means_everyone_goes_to_the_default():
    assert parse_regional_consultants("") == {}


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("Fyn=a@b.dk", "not a region"),
        ("Hovedstaden", "Region=email"),
        ("Hovedstaden=nobody", "not an email"),
        ("Hovedstaden=a@b.dk;Anna;ring mig", "not a phone number"),
        ("Hovedstaden=a@b.dk;" + "A" * 81, "longer than 80"),
    ],
)
def test_a_wrong_configuration_is_one_clear_sentence(text, fragment):
    with pytest.raises(ConfigurationError) as error:
        parse_regional_consultants(text)
    assert fragment in str(error.value)


def _settings() -> Settings:
    return Settings(
        base_url="https://backup.example",
        consultant_email=DEFAULT.email,
        consultant_name=DEFAULT.name,
        consultant_phone=DEFAULT.phone,
        ops_email="drift@rodekors.dk",
        max_reminders=2,
        reminder_delay_seconds=60,
        regional_consultants=parse_regional_consultants("Hovedstaden=anna@rodekors.dk;Anna Holm;35259201"),
    )


def test_a_person_is_told_of_their_own_consultant_also_after_a_reassignment():
    settings = _settings()
    assert settings.contact_for("2100").name == "Anna Holm"
    assert settings.contact_for("9000") == DEFAULT
    # a step given to the default consultant: the person hears of her, with her name and phone
    assert settings.contact_for("2100", "alle@rodekors.dk") == DEFAULT
    # given to someone the configuration does not know: their address is what there is
    assert settings.contact_for("2100", "ny@rodekors.dk") == Contact("ny@rodekors.dk")
