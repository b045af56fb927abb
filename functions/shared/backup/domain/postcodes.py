"""Danish postcodes with their town, region and coordinates (data/dk_postcodes.csv, see its README)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).with_name("data") / "dk_postcodes.csv"


@dataclass(frozen=True)
class Postcode:
    postcode: str
    city: str
    region: str
    latitude: float
    longitude: float


def load(path: Path = DATA) -> dict[str, Postcode]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["postcode"]: Postcode(
                row["postcode"], row["city"], row["region"], float(row["latitude"]), float(row["longitude"])
            )
            for row in csv.DictReader(handle)
        }


POSTCODES: dict[str, Postcode] = load()
