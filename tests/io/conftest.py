"""Fixtures for the export tests: a database holding the made-up data of `seed.yaml`."""

from __future__ import annotations

from typing import Any

import pytest

from citycert.services.context import ServiceContext
from tests.support.seed import load_seed, seed_data


@pytest.fixture
def seed() -> dict[str, Any]:
    return seed_data()


@pytest.fixture
def seeded(ctx: ServiceContext, seed: dict[str, Any]) -> ServiceContext:
    """`ctx` on a database holding the seed data."""
    load_seed(ctx, seed)
    return ctx
