"""Every rule of the volunteer application answers with its own Danish message."""

from datetime import date

import pytest

from backup.domain.applications import parse_application

TODAY = date(2026, 11, 26)


def valid(**changes):
    data = {
        "first_name": "Mette",
        "last_name": "Hansen",
        "email": "mette@example.org",
        "phone": "12 34 56 78",
        "birth_date": "1980-05-01",
        "address": "Vestergade 1",
        "postcode": "8000",
        "city": "Aarhus C",
        "interests": ["football", "cooking"],
        "availability": "weekly",
        "motivation": "Jeg vil gerne være en stabil voksen for en ung.",
        "experience": "",
        "references": ["Anne Jensen, 87654321", "Bo Holm, bo@example.org"],
        "consent_data": True,
        "consent_child_certificate": True,
        "commitment": True,
    }
    data.update(changes)
    return data


def errors_of(**changes):
    application, errors = parse_application(valid(**changes), TODAY)
    assert application is None
    return errors


def test_a_complete_application_is_accepted_and_normalised():
    application, errors = parse_application(valid(), TODAY)
    assert errors == {}
    assert application is not None
    assert application.phone == "+4512345678"
    assert application.region == "Midtjylland"
    assert application.interests == ["football", "cooking"]


def test_an_applicant_under_25_is_told_the_programme_rule():
    errors = errors_of(birth_date="2002-01-01")
    assert "25 år" in errors["birth_date"]


def test_an_applicant_who_turns_25_today_is_accepted():
    application, errors = parse_application(valid(birth_date="2001-11-26"), TODAY)
    assert errors == {} and application is not None


def test_an_applicant_who_turns_25_tomorrow_is_not_accepted_yet():
    assert "birth_date" in errors_of(birth_date="2001-11-27")


def test_the_age_rule_is_reported_even_when_other_fields_are_wrong():
    errors = errors_of(birth_date="2010-01-01", email="not-an-email")
    assert set(errors) == {"birth_date", "email"}


def test_a_birth_date_in_the_future_or_malformed_gets_its_own_message():
    assert "fremtiden" in errors_of(birth_date="2030-01-01")["birth_date"]
    assert "ÅÅÅÅ-MM-DD" in errors_of(birth_date="01-05-1980")["birth_date"]


@pytest.mark.parametrize("postcode, fragment", [("0000", "kan ikke finde"), ("123", "4 cifre"), ("80OO", "4 cifre")])
def test_a_postcode_must_be_a_real_danish_one(postcode, fragment):
    assert fragment in errors_of(postcode=postcode)["postcode"]


@pytest.mark.parametrize("phone", ["1234", "abcdefgh", "+45 1234 567"])
def test_a_phone_number_must_be_valid(phone):
    assert "telefonnummer" in errors_of(phone=phone)["phone"]


def test_foreign_phone_numbers_in_international_form_are_accepted():
    application, _ = parse_application(valid(phone="+46 70 123 45 67"), TODAY)
    assert application is not None and application.phone == "+46701234567"


def test_an_email_address_must_be_valid():
    assert "e-mailadresse" in errors_of(email="mette@")["email"]


@pytest.mark.parametrize("field", ["consent_data", "consent_child_certificate", "commitment"])
def test_each_consent_and_the_commitment_must_be_given(field):
    assert field in errors_of(**{field: False})


def test_an_unticked_checkbox_missing_from_a_form_post_gets_the_rules_message():
    data = valid()
    del data["consent_child_certificate"]
    _, errors = parse_application(data, TODAY)
    assert "børneattest" in errors["consent_child_certificate"]


def test_form_checkbox_values_count_as_yes():
    application, errors = parse_application(
        valid(consent_data="yes", consent_child_certificate="on", commitment="true"), TODAY
    )
    assert errors == {} and application is not None


def test_two_references_with_name_and_contact_are_required():
    assert "to referencer" in errors_of(references=["Anne Jensen, 87654321"])["references"]
    assert "navn" in errors_of(references=["Anne Jensen", "Bo Holm, bo@example.org"])["references"]
    assert "navn" in errors_of(references=["87654321", "Bo Holm, bo@example.org"])["references"]


def test_references_may_come_as_objects_in_json():
    application, _ = parse_application(
        valid(references=[{"name": "Anne Jensen", "contact": "87654321"}, {"name": "Bo", "contact": "bo@x.dk"}]), TODAY
    )
    assert application is not None and application.references[0] == "Anne Jensen, 87654321"


def test_free_text_interests_are_kept_and_split_on_commas():
    application, _ = parse_application(valid(interests=["music", "brætspil, klatring", ""]), TODAY)
    assert application is not None
    assert application.interests == ["music", "brætspil", "klatring"]


def test_at_least_one_interest_is_needed():
    assert "interesse" in errors_of(interests=[])["interests"]


def test_text_fields_have_limits():
    assert "højst" in errors_of(first_name="x" * 81)["first_name"]
    assert "højst" in errors_of(motivation="x" * 3001)["motivation"]
    assert "mindst" in errors_of(motivation="kort")["motivation"]


def test_missing_fields_each_get_a_message():
    _, errors = parse_application({}, TODAY)
    for field in (
        "first_name",
        "last_name",
        "email",
        "phone",
        "birth_date",
        "address",
        "postcode",
        "city",
        "interests",
        "availability",
        "motivation",
        "references",
        "consent_data",
    ):
        assert errors[field], field


def test_an_unknown_availability_is_refused():
    assert "mulighederne" in errors_of(availability="daily")["availability"]


def test_a_birth_date_pydantic_reads_as_a_datetime_still_gets_the_age_check_without_crashing():
    _, errors = parse_application(valid(birth_date="2010-04-23T00:00:00", email="nope"), TODAY)
    assert set(errors) == {"birth_date", "email"}


def test_an_empty_birth_date_or_missing_choice_asks_for_it_plainly():
    errors = errors_of(birth_date="", availability="")
    assert errors["birth_date"] == "Skriv din fødselsdato."
    assert errors["availability"] == "Vælg, hvor tit du kan mødes."


def test_gender_is_optional_and_only_from_the_offered_choices():
    assert parse_application(valid(gender=""), TODAY)[0].gender is None
    assert parse_application(valid(gender="female"), TODAY)[0].gender == "female"
    assert "mulighederne" in errors_of(gender="robot")["gender"]


REQUIRED_TEXT = ("first_name", "last_name", "email", "phone", "address", "postcode", "city", "motivation")


def test_each_empty_field_is_asked_for_by_name_not_with_one_message_for_all():
    errors = errors_of(**dict.fromkeys(REQUIRED_TEXT, ""))
    assert set(REQUIRED_TEXT) <= set(errors)
    messages = [errors[field] for field in REQUIRED_TEXT]
    assert len(set(messages)) == len(messages)  # no two fields share a message
    assert all("Udfyld venligst feltet" not in message for message in messages)


def test_the_errors_come_in_the_forms_order_with_the_age_rule_that_ends_the_application_first():
    errors = errors_of(birth_date="2010-01-01", first_name="", city="", references=[], motivation="")
    fields = list(errors)
    assert fields[0] == "birth_date" and "skal være fyldt 25" in errors["birth_date"]
    assert fields[1:] == ["first_name", "city", "motivation", "references"]  # as the form asks for them


def test_a_wrong_birth_date_is_listed_where_the_field_is_when_it_is_not_the_age_rule():
    errors = errors_of(birth_date="", first_name="", city="")
    assert list(errors) == ["first_name", "birth_date", "city"]
