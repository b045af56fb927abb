"""A birth date as three boxes (day, month, year): joined into the date the rules read, refused in
words a person understands, and shown again in the boxes when the form comes back."""

import pytest

from backup.domain.applications import DATE_MESSAGE, parse_application
from backup.web.application_form import application_form
from backup.web.date_fields import PARTS_MESSAGE, date_parts_errors, join_date_parts

from .test_applications import TODAY, valid


def joined(day, month, year):
    data = {"birth_date-day": day, "birth_date-month": month, "birth_date-year": year}
    assert join_date_parts(data, "birth_date")
    return data["birth_date"]


def test_day_month_and_year_as_people_write_them_become_one_date():
    assert joined("3", "4", "1985") == "1985-04-03"
    assert joined(" 23 ", "04", "1985") == "1985-04-23"


@pytest.mark.parametrize(
    "day, month, year",
    [
        ("31", "2", "1985"),
        ("3", "4", "85"),
        ("tre", "4", "1985"),
        ("3", "", "1985"),
        ("٣", "4", "1985"),
        ("²", "4", "1985"),
        ("9" * 5000, "4", "1985"),  # more digits than Python turns into a number: still only a 4xx
        ("3", "4", "1" * 5000),
    ],
    ids=lambda value: value[:8],
)
def test_something_that_is_no_date_is_refused_with_words_for_the_boxes(day, month, year):
    data = valid()
    data.pop("birth_date")
    data.update({"birth_date-day": day, "birth_date-month": month, "birth_date-year": year})
    assert join_date_parts(data, "birth_date")
    _, errors = parse_application(data, TODAY)
    assert errors["birth_date"] in (DATE_MESSAGE, "Skriv din fødselsdato.")
    said = date_parts_errors(errors, "birth_date")["birth_date"]
    assert "ÅÅÅÅ" not in said and (said == PARTS_MESSAGE or said == "Skriv din fødselsdato.")


def test_three_empty_boxes_ask_for_the_birth_date():
    data = {"birth_date-day": "", "birth_date-month": " ", "birth_date-year": ""}
    join_date_parts(data, "birth_date")
    assert data["birth_date"] == ""


def test_a_client_sending_the_date_whole_is_left_alone():
    data = {"birth_date": "1985-04-23"}
    assert not join_date_parts(data, "birth_date")
    assert data == {"birth_date": "1985-04-23"}


def test_the_form_shows_the_boxes_again_with_what_was_typed_and_the_error_beside_them():
    page = application_form(
        {"birth_date-day": "31", "birth_date-month": "2", "birth_date-year": "1985"}, {"birth_date": PARTS_MESSAGE}
    )
    assert "<legend>Fødselsdato</legend>" in page
    assert 'id="birth_date" name="birth_date-day" value="31"' in page  # the summary's link lands on the day
    assert 'name="birth_date-month" value="2"' in page and 'name="birth_date-year" value="1985"' in page
    assert PARTS_MESSAGE in page and 'type="date"' not in page.split("Fødselsdato")[1].split("</fieldset>")[0]


def test_a_date_sent_whole_fills_the_boxes():
    page = application_form({"birth_date": "1985-04-03"}, {})
    assert 'name="birth_date-day" value="3"' in page and 'name="birth_date-month" value="4"' in page
