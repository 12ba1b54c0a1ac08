"""Every catalogue's numbers, input names and units fit the columns that store them."""

from __future__ import annotations

import pytest
from sqlalchemy import String

from citycert.standards.catalog import all_catalogs
from citycert.store.models import IndicatorValue, InputValue, ReportingCycle


def _length(column: object) -> int:
    col_type = column.type  # type: ignore[attr-defined]
    assert isinstance(col_type, String) and col_type.length
    return int(col_type.length)


@pytest.mark.parametrize("key", sorted(all_catalogs()))
def test_catalogue_texts_fit_the_value_columns(key: str) -> None:
    cat = all_catalogs()[key]
    too_long = []
    fits = [
        (ReportingCycle.__table__.c.catalog, [cat.key]),
        (ReportingCycle.__table__.c.catalog_version, [cat.version]),
        (InputValue.__table__.c.indicator, [i.number for i in cat.indicators]),
        (IndicatorValue.__table__.c.unit, [i.unit for i in cat.indicators]),
    ]
    inputs = [x for i in cat.indicators if i.formula for x in i.formula.inputs]
    fits += [
        (InputValue.__table__.c.input, [x.name for x in inputs]),
        (InputValue.__table__.c.unit, [x.unit for x in inputs]),
    ]
    for column, texts in fits:
        limit = _length(column)
        too_long += [f"{column.name}: {t!r}" for t in texts if len(t) > limit]
    assert too_long == []
