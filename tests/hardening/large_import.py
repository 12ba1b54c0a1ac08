"""A large exchange-format CSV import (notes/exchange_format.md) for crash tests.

Real city names (in English and Korean, with their ISO country codes); the figures are made up:
every input of every indicator of ISO 37120:2018 gets a plausible, deterministic number, in the
catalogue's unit. Each city and year is one reporting cycle of `inputs_per_cycle()` rows.
"""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

from citycert.io.exchange_write import CSV_COLUMNS
from citycert.standards.catalog import get_catalog
from citycert.standards.models import Role

CATALOG = "iso37120-2018"
# slug, English name, Korean name, country (ISO 3166-1 alpha-2)
CITIES = [
    ("seoul", "Seoul", "서울특별시", "KR"),
    ("busan", "Busan", "부산광역시", "KR"),
    ("incheon", "Incheon", "인천광역시", "KR"),
    ("daejeon", "Daejeon", "대전광역시", "KR"),
    ("gwangju", "Gwangju", "광주광역시", "KR"),
    ("suwon", "Suwon", "수원시", "KR"),
    ("changwon", "Changwon", "창원시", "KR"),
    ("jeonju", "Jeonju", "전주시", "KR"),
    ("toronto", "Toronto", "토론토", "CA"),
    ("melbourne", "Melbourne", "멜버른", "AU"),
    ("barcelona", "Barcelona", "바르셀로나", "ES"),
    ("amsterdam", "Amsterdam", "암스테르담", "NL"),
]
BY_ROLE = {Role.numerator: 120.0, Role.denominator: 10_000.0, Role.value: 40.0}


def _jitter(*key: object) -> float:
    """A deterministic factor between 0.9 and 1.1 for one figure."""
    digest = hashlib.sha256("/".join(map(str, key)).encode()).digest()
    return 0.9 + 0.2 * int.from_bytes(digest[:4], "big") / 2**32


def inputs_per_cycle() -> int:
    cat = get_catalog(CATALOG)
    return sum(len(i.formula.inputs) for i in cat.indicators if i.formula is not None)


def write_large_import(path: Path, *, cities: int, years: tuple[int, ...]) -> int:
    """Write the CSV for the first `cities` cities and `years`; returns the number of rows."""
    cat = get_catalog(CATALOG)
    n = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(CSV_COLUMNS)
        for slug, name_en, name_ko, country in CITIES[:cities]:
            for year in years:
                for ind in cat.indicators:
                    for inp in ind.formula.inputs if ind.formula else ():
                        value = round(BY_ROLE[inp.role] * _jitter(slug, year, inp.name), 3)
                        out.writerow([
                            slug, name_en, name_ko, country, CATALOG, year, ind.number,
                            inp.name, format(value, ".15g"), "", "made-up figure", "", "B",
                        ])  # fmt: skip
                        n += 1
    return n
