"""Display names that come from the standards data rather than from the text catalogue."""

from __future__ import annotations

from citycert.standards.catalog import Catalog, UnknownCatalogError, all_catalogs, get_catalog

MATURITY_FAMILY = "iso37106"


def catalog_or_none(key: str) -> Catalog | None:
    try:
        return get_catalog(key)
    except UnknownCatalogError:
        return None


def standard_label(key: str) -> str:
    """`iso37120-2018` -> `ISO 37120:2018`; `iso37106` -> `ISO 37106`; unknown keys as given."""
    cat = all_catalogs().get(key)
    if cat is not None:
        return f"{cat.data.standard}:{cat.data.edition}"
    if key.startswith(MATURITY_FAMILY):
        return "ISO 37106"
    return key
