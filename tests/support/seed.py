"""The export seed (tests/data/exports/seed.yaml), stored through the public services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from citycert.services import cities, cycles, values
from citycert.services.context import ServiceContext
from citycert.services.values import InputChange
from citycert.store.models import CycleState

SEED = Path(__file__).parents[1] / "data" / "exports" / "seed.yaml"


def seed_data() -> dict[str, Any]:
    """The seed file's cities and cycles, as parsed YAML."""
    data: dict[str, Any] = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    return data


def load_seed(ctx: ServiceContext, data: dict[str, Any], *, publish: bool = True) -> None:
    """Store the seed as a city editor would enter it; `publish=False` leaves the flag unset."""
    for city in data["cities"]:
        cities.create_city(ctx, data=cities.parse_create(city))
    for cy in data["cycles"]:
        opened = cycles.open_cycle(ctx, city=cy["city"], catalog=cy["catalog"], year=cy["year"])
        changes = [
            InputChange(
                r["indicator"],
                r["input"],
                r["value"],
                source=r.get("source"),
                comment=r.get("comment"),
                quality_grade=r.get("quality_grade"),
            )
            for r in cy["inputs"]
        ]
        if changes:
            values.set_inputs(ctx, opened.id, changes, allow_erase=True)
        cycles.set_state(ctx, cycle_id=opened.id, state=CycleState(cy["state"]))
        if publish:
            cycles.set_published(ctx, cycle_id=opened.id, published=cy["published"])
