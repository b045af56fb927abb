"""Age rules of the programme, with the calendar's awkward days handled once."""

from __future__ import annotations

from datetime import date

VOLUNTEER_MIN_AGE = 25
YOUTH_MIN_AGE = 14
YOUTH_MAX_AGE = 24


def birthday_in(year: int, born: date) -> date:
    """The day the birthday falls in `year`; 29 February counts as 1 March in other years,
    as Danish practice reckons age for leap-day births."""
    try:
        return born.replace(year=year)
    except ValueError:
        return date(year, 3, 1)


def age_on(born: date, day: date) -> int:
    """Completed years of age on `day`."""
    years = day.year - born.year
    return years if day >= birthday_in(day.year, born) else years - 1


def is_old_enough_to_volunteer(born: date, day: date) -> bool:
    """Volunteers must be 25 or older on the day they apply (the 25th birthday counts)."""
    return age_on(born, day) >= VOLUNTEER_MIN_AGE


def is_youth_age(born: date, day: date) -> bool:
    """Young people are 14 to 24 years old, both inclusive."""
    return YOUTH_MIN_AGE <= age_on(born, day) <= YOUTH_MAX_AGE
