"""Certificate terms as data: validity period and surveillance years per standard family.

Indicator standards (ISO 37120 / 37122 / 37123) read `rules/certificates/terms.yaml`; ISO 37106
maturity certificates take their terms from the maturity model (`scoring.validity_years`).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from pydantic import Field, model_validator

from citycert.standards.models import Confidence, Strict
from citycert.standards.yaml_loader import load_model

TERMS_FILE = Path(__file__).parent / "rules" / "certificates" / "terms.yaml"
_FAMILY = re.compile(r"^iso\d{5}")


class UnknownTermsError(KeyError):
    def __str__(self) -> str:
        return str(self.args[0])


class Terms(Strict):
    """How long a certificate of one standard family is valid and when surveillance is due."""

    family: str = Field(pattern=r"^iso\d{5}$")
    validity_years: int = Field(ge=1)
    # Years of the validity period (1 = the first) in which a surveillance check is due.
    surveillance_years: tuple[int, ...] = ()
    source: str = Field(min_length=1)
    confidence: Confidence

    @model_validator(mode="after")
    def _years_inside(self) -> Terms:
        outside = [y for y in self.surveillance_years if not 2 <= y <= self.validity_years]
        if outside:
            raise ValueError(
                f"surveillance years {outside} must lie in years 2..{self.validity_years} "
                "of the validity period"
            )
        return self


class TermsFile(Strict):
    version: str = Field(min_length=1)
    source: str = Field(min_length=1)
    terms: tuple[Terms, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> TermsFile:
        families = [t.family for t in self.terms]
        if dupes := sorted({f for f in families if families.count(f) > 1}):
            raise ValueError(f"families given twice: {', '.join(dupes)}")
        return self


def family_of(standard: str) -> str:
    """The standard family of a catalogue key or standard name: `iso37120-2018` -> `iso37120`."""
    norm = standard.strip().lower().replace(" ", "").replace(":", "-")
    found = _FAMILY.match(norm)
    if found is None:
        raise UnknownTermsError(f"{standard!r} does not name an ISO standard (e.g. iso37120-2018)")
    return found.group(0)


def load_terms(path: Path | str = TERMS_FILE) -> TermsFile:
    """Load and validate a terms file (raises StandardsFileError naming file and line)."""
    return load_model(Path(path), TermsFile)


@cache
def _builtin() -> TermsFile:
    return load_terms()


def get_terms(standard: str) -> Terms:
    """The terms for a catalogue key or family; UnknownTermsError lists the families known."""
    family = family_of(standard)
    for t in _builtin().terms:
        if t.family == family:
            return t
    known = ", ".join(t.family for t in _builtin().terms)
    raise UnknownTermsError(f"no certificate terms for {family}; known: {known}")
