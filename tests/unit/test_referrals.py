"""Every rule of a young person's referral answers with its own Danish message."""

from datetime import date

import pytest

from backup.domain.referrals import CONTACT_MESSAGE, Placement, parse_referral

TODAY = date(2026, 11, 26)


def valid(**changes):
    data = {
        "first_name": "Sara",
        "birth_date": "2009-03-01",
        "postcode": "8000",
        "placement": "residential_home",
        "interests": ["football", "cooking"],
        "wishes": "En rolig voksen, der vil gå ture og lave mad sammen med mig.",
        "preferences": {"volunteer_gender": "female", "volunteer_age": "25-35"},
        "availability": "biweekly",
        "email": "sara@example.org",
        "phone": "12 34 56 78",
        "contact_adult_name": "Lone Kontakt",
        "contact_adult_email": "lone@opholdssted.example",
        "contact_adult_phone": "+45 86 12 34 56",
        "contact_adult_organisation": "Opholdsstedet Lyngly",
        "guardian_name": "Jens Sagsbehandler",
        "guardian_role": "municipality",
        "guardian_how": "written",
        "guardian_date": "2026-11-20",
        "motivated": True,
        "no_active_substance_abuse": True,
        "can_meet_without_professional_support": True,
        "consent": True,
    }
    data.update(changes)
    return data


def accepted(**changes):
    referral, errors = parse_referral(valid(**changes), TODAY)
    assert errors == {}
    assert referral is not None
    return referral


def errors_of(data=None, **changes):
    referral, errors = parse_referral(data if data is not None else valid(**changes), TODAY)
    assert referral is None
    return errors


def test_a_complete_referral_is_accepted_and_normalised():
    referral = accepted()
    assert referral.phone == "+4512345678"
    assert referral.email == "sara@example.org"
    assert referral.region == "Midtjylland"
    assert referral.placement is Placement.RESIDENTIAL_HOME
    assert referral.model_dump(mode="json")["preferences"] == {"volunteer_gender": "female", "volunteer_age": "25-35"}


def test_placements_have_danish_labels():
    assert [p.label for p in Placement] == ["Plejefamilie", "Opholdssted", "Døgninstitution"]


# --- age: 14 to 24, both inclusive, on the day of referral ------------------------------------


def test_a_young_person_who_turns_14_today_is_accepted():
    accepted(birth_date="2012-11-26")


def test_a_young_person_who_turns_14_tomorrow_is_not_accepted_yet():
    message = errors_of(birth_date="2012-11-27")["birth_date"]
    assert "14 og 24 år" in message and "fyldt 14" in message


def test_a_young_person_of_24_who_turns_25_tomorrow_is_accepted():
    accepted(birth_date="2001-11-27")


def test_a_young_person_who_turns_25_today_is_refused():
    message = errors_of(birth_date="2001-11-26")["birth_date"]
    assert "14 og 24 år" in message and "fyldt 25" in message


def test_a_birth_date_in_the_future_or_malformed_gets_its_own_message():
    assert "fremtiden" in errors_of(birth_date="2030-01-01")["birth_date"]
    assert "ÅÅÅÅ-MM-DD" in errors_of(birth_date="01-03-2009")["birth_date"]


def test_the_age_rule_is_reported_even_when_other_fields_are_wrong():
    errors = errors_of(birth_date="2000-01-01", postcode="0000")
    assert set(errors) == {"birth_date", "postcode"}


# --- placement, postcode, texts --------------------------------------------------------------


@pytest.mark.parametrize("placement", ["", "home", None])
def test_the_young_person_must_be_placed_in_care(placement):
    assert "anbragt" in errors_of(placement=placement)["placement"]


@pytest.mark.parametrize("placement", ["foster_family", "residential_home", "institution"])
def test_every_placement_is_accepted(placement):
    assert accepted(placement=placement).placement.value == placement


@pytest.mark.parametrize("postcode, fragment", [("0000", "kan ikke finde"), ("123", "4 cifre"), ("80OO", "4 cifre")])
def test_a_postcode_must_be_a_real_danish_one(postcode, fragment):
    assert fragment in errors_of(postcode=postcode)["postcode"]


def test_wishes_are_required_and_have_limits():
    assert "voksen" in errors_of(wishes="")["wishes"]
    assert "mindst" in errors_of(wishes="hej")["wishes"]
    assert "højst" in errors_of(wishes="x" * 2001)["wishes"]


def test_text_fields_have_limits():
    assert "højst" in errors_of(first_name="x" * 81)["first_name"]
    assert "højst" in errors_of(contact_adult_name="x" * 121)["contact_adult_name"]
    assert "højst" in errors_of(contact_adult_organisation="x" * 201)["contact_adult_organisation"]


# --- interests and availability: the volunteers' rules ---------------------------------------


def test_free_text_interests_are_kept_and_split_on_commas():
    assert accepted(interests=["music", "brætspil, klatring", ""]).interests == ["music", "brætspil", "klatring"]


def test_at_least_one_interest_is_needed_and_free_ones_are_limited():
    assert "interesse" in errors_of(interests=[])["interests"]
    assert "højst" in errors_of(interests=["a, b, c, d"])["interests"]
    assert "højst" in errors_of(interests=["x" * 61])["interests"]


def test_an_unknown_availability_is_refused():
    assert "mulighederne" in errors_of(availability="daily")["availability"]
    assert errors_of(availability="")["availability"] == "Vælg, hvor tit den unge kan mødes."


# --- reaching the young person: e-mail or phone ----------------------------------------------


def test_email_alone_or_phone_alone_is_enough():
    assert accepted(phone="").phone is None
    assert accepted(email="").email is None
    assert accepted(email=None).email is None


def test_neither_email_nor_phone_puts_the_message_on_both_fields():
    errors = errors_of(email="", phone=" ")
    assert errors["email"] == errors["phone"] == CONTACT_MESSAGE
    data = valid()
    del data["email"], data["phone"]
    assert errors_of(data)["email"] == CONTACT_MESSAGE


def test_a_given_email_or_phone_must_be_valid():
    assert "e-mailadresse" in errors_of(email="sara@")["email"]
    assert "telefonnummer" in errors_of(phone="1234")["phone"]
    assert "telefonnummer" in errors_of(email="", phone="1234")["phone"]


# --- the contact adult -----------------------------------------------------------------------


def test_the_contact_adult_is_required_with_a_valid_email_and_a_phone_to_call():
    data = valid()
    fields = ("contact_adult_name", "contact_adult_email", "contact_adult_phone", "contact_adult_organisation")
    for field in fields:
        del data[field]
    assert set(errors_of(data)) == set(fields)
    assert errors_of(data)["contact_adult_phone"].startswith("Skriv dit telefonnummer, så konsulenten kan ringe")
    assert "e-mailadresse" in errors_of(contact_adult_email="lone")["contact_adult_email"]
    assert "telefonnummer" in errors_of(contact_adult_phone="ring på kontoret")["contact_adult_phone"]
    assert accepted(contact_adult_phone="86 12 34 56").contact_adult_phone == "+4586123456"
    assert accepted(contact_adult_email=" Lone@Example.org ").contact_adult_email == "Lone@example.org"


# --- the programme's conditions, each with its own message -----------------------------------


@pytest.mark.parametrize(
    "field, fragment",
    [
        ("motivated", "lyst til"),
        ("no_active_substance_abuse", "aktivt misbrug"),
        ("can_meet_without_professional_support", "uden en fagperson"),
        ("consent", "samtykke"),
    ],
)
def test_each_condition_must_be_confirmed_and_explains_the_rule(field, fragment):
    errors = errors_of(**{field: False})
    assert set(errors) == {field}
    assert fragment in errors[field]


def test_each_condition_has_a_message_of_its_own():
    data = valid()
    fields = ["motivated", "no_active_substance_abuse", "can_meet_without_professional_support", "consent"]
    for field in fields:
        del data[field]  # unticked checkboxes are absent from a form post
    errors = errors_of(data)
    assert len({errors[field] for field in fields}) == 4


def test_form_checkbox_values_count_as_yes():
    accepted(motivated="yes", no_active_substance_abuse="on", can_meet_without_professional_support="true", consent="1")


# --- preferences: a JSON object, a JSON list of tokens, or the form's tokens -----------------


@pytest.mark.parametrize(
    "preferences, expected",
    [
        ({"volunteer_gender": "male", "volunteer_age": "50+"}, {"volunteer_gender": "male", "volunteer_age": "50+"}),
        ({"volunteer_gender": "female"}, {"volunteer_gender": "female", "volunteer_age": None}),
        ({"volunteer_gender": None, "volunteer_age": ""}, {"volunteer_gender": None, "volunteer_age": None}),
        (["gender:female", "age:35-50"], {"volunteer_gender": "female", "volunteer_age": "35-50"}),
        (["age:25-35"], {"volunteer_gender": None, "volunteer_age": "25-35"}),
        (["", "age:35-50"], {"volunteer_gender": None, "volunteer_age": "35-50"}),  # form: no gender preference
        (["", ""], {"volunteer_gender": None, "volunteer_age": None}),  # form: no preference at all
        ("gender:male", {"volunteer_gender": "male", "volunteer_age": None}),  # one select only
        ([], {"volunteer_gender": None, "volunteer_age": None}),
        (None, {"volunteer_gender": None, "volunteer_age": None}),
        ("", {"volunteer_gender": None, "volunteer_age": None}),
    ],
)
def test_preferences_are_read_from_every_shape_and_stored_the_same_way(preferences, expected):
    assert accepted(preferences=preferences).model_dump(mode="json")["preferences"] == expected


def test_preferences_are_optional():
    data = valid()
    del data["preferences"]
    referral, errors = parse_referral(data, TODAY)
    assert errors == {} and referral is not None
    assert referral.preferences.volunteer_gender is None and referral.preferences.volunteer_age is None


@pytest.mark.parametrize(
    "preferences",
    [
        ["gender:other"],
        ["age:18-25"],
        ["height:tall"],
        ["female"],
        {"volunteer_height": "tall"},
        {"volunteer_gender": "x"},
        ["gender:female", "gender:male"],
        42,
    ],
)
def test_unknown_or_contradictory_preferences_are_refused(preferences):
    assert "preferences" in errors_of(preferences=preferences)


# --- missing everything ----------------------------------------------------------------------


def test_missing_fields_each_get_a_message_in_form_order():
    _, errors = parse_referral({}, TODAY)
    expected = [
        "first_name",
        "birth_date",
        "postcode",
        "placement",
        "interests",
        "wishes",
        "availability",
        "email",
        "phone",
        "contact_adult_name",
        "contact_adult_email",
        "contact_adult_phone",
        "contact_adult_organisation",
        "motivated",
        "no_active_substance_abuse",
        "can_meet_without_professional_support",
        "consent",
    ]
    assert list(errors) == expected
    assert errors["birth_date"] == "Skriv den unges fødselsdato."


def test_a_birth_date_pydantic_reads_as_a_datetime_still_gets_the_age_check_without_crashing():
    errors = errors_of(birth_date="2000-04-23T00:00:00", email="nope")
    assert set(errors) == {"birth_date", "email"}


# --- under 18: the consent of whoever holds parental responsibility, or the placing municipality ---

GUARDIAN_FIELDS = ("guardian_name", "guardian_role", "guardian_how", "guardian_date")


def test_a_young_person_under_18_is_not_referred_without_the_guardians_consent_recorded():
    errors = errors_of(**{field: "" for field in GUARDIAN_FIELDS})
    assert set(errors) == set(GUARDIAN_FIELDS)
    assert "under 18" in errors["guardian_name"]


def test_who_gave_the_guardians_consent_how_and_when_is_kept():
    referral = accepted()
    assert (referral.guardian_name, referral.guardian_role.value, referral.guardian_how.value) == (
        "Jens Sagsbehandler",
        "municipality",
        "written",
    )
    assert referral.guardian_date == date(2026, 11, 20)


def test_an_18_year_old_consents_for_themselves():
    assert accepted(birth_date="2008-01-01", **{field: "" for field in GUARDIAN_FIELDS}).guardian_name == ""


@pytest.mark.parametrize(
    "day, message",
    [("2026-12-01", "fremtiden"), ("2025-11-01", "mere end et år"), ("2026-02-30", "")],
)
def test_the_consents_date_is_a_real_day_not_in_the_future_and_at_most_a_year_old(day, message):
    assert message in errors_of(guardian_date=day)["guardian_date"]


def test_an_unknown_guardian_role_is_refused_with_a_message():
    assert "guardian_role" in errors_of(guardian_role="neighbour")


def test_the_contact_adult_is_asked_for_each_empty_field_by_name():
    _, errors = parse_referral(valid(first_name="", contact_adult_name="", contact_adult_organisation=""), TODAY)
    assert errors["first_name"] == "Skriv den unges fornavn."
    assert errors["contact_adult_name"] == "Skriv dit navn som kontaktperson."
    assert "arbejdsplads" in errors["contact_adult_organisation"]


def test_a_young_person_too_old_is_told_first_whatever_else_is_missing():
    _, errors = parse_referral(valid(birth_date="1990-01-01", first_name="", wishes=""), TODAY)
    assert list(errors)[0] == "birth_date" and "mellem 14 og 24" in errors["birth_date"]
    assert list(errors)[1:] == ["first_name", "wishes"]
