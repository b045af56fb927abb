"""The programme's age rules, with the calendar's awkward days."""

from datetime import date

from backup.domain.eligibility import age_on, is_old_enough_to_volunteer, is_youth_age


def test_a_volunteer_who_turns_25_today_may_apply():
    assert is_old_enough_to_volunteer(date(2001, 6, 15), date(2026, 6, 15))


def test_a_volunteer_who_turns_25_tomorrow_may_not_apply_yet():
    assert not is_old_enough_to_volunteer(date(2001, 6, 16), date(2026, 6, 15))


def test_a_leap_day_birthday_counts_from_the_first_of_march_in_ordinary_years():
    born = date(2000, 2, 29)
    assert age_on(born, date(2025, 2, 28)) == 24
    assert age_on(born, date(2025, 3, 1)) == 25
    assert not is_old_enough_to_volunteer(born, date(2025, 2, 28))
    assert is_old_enough_to_volunteer(born, date(2025, 3, 1))


def test_a_leap_day_birthday_is_on_the_day_itself_in_leap_years():
    assert age_on(date(2000, 2, 29), date(2024, 2, 29)) == 24
    assert age_on(date(2000, 2, 29), date(2024, 2, 28)) == 23


def test_young_people_are_14_to_24_both_inclusive():
    today = date(2026, 1, 10)
    assert is_youth_age(date(2012, 1, 10), today)  # 14 today
    assert not is_youth_age(date(2012, 1, 11), today)  # 14 tomorrow
    assert is_youth_age(date(2001, 1, 11), today)  # 24, turns 25 tomorrow
    assert not is_youth_age(date(2001, 1, 10), today)  # 25 today
