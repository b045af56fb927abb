"""Filling in and reading back a date asked for as three boxes (day, month, year) in a fieldset."""

from __future__ import annotations

from typing import Any


def date_group(page: Any, legend: str) -> Any:
    return page.get_by_role("group", name=legend, exact=True)


def fill_date(page: Any, legend: str, iso: str) -> None:
    """Type a YYYY-MM-DD date as a person does: 23, 4, 1985."""
    year, month, day = iso.split("-")
    group = date_group(page, legend)
    group.get_by_label("Dag", exact=True).fill(str(int(day)))
    group.get_by_label("Måned", exact=True).fill(str(int(month)))
    group.get_by_label("År", exact=True).fill(year)


def date_typed(page: Any, legend: str) -> str:
    """What the three boxes hold, as YYYY-MM-DD."""
    group = date_group(page, legend)
    day, month, year = (group.get_by_label(box, exact=True).input_value() for box in ("Dag", "Måned", "År"))
    return f"{year}-{int(month):02d}-{int(day):02d}"
