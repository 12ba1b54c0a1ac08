"""Helpers for the signed-in page tests (no tests here): personas on the sample data, signing in
with a real session and posting forms with the page's own CSRF token, as a browser does.

Personas (all with PASSWORD): `coord.daegu` (coordinator of Daegu), `editor.busan` (editor of
another city), `verifier.draft` (verifier assigned to Daegu's 2024 draft cycle), `admin`.
The Daegu editor `editor.daegu` comes from tests/web/conftest.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from citycert.domain.authz import Role
from citycert.domain.calculation import RawInput
from citycert.domain.validation import ValidationContext, validate
from citycert.services import cities, cycles, data_quality, users, values, workflow
from citycert.services.context import ServiceContext
from citycert.services.principal import user_context
from citycert.standards.catalog import get_catalog
from tests.web.conftest import EDITOR_LOGIN, EDITOR_PASSWORD

PASSWORD = EDITOR_PASSWORD
DRAFT = "/workspace/daegu/iso37120-2018/2024"
REVIEW = "/verifier/daegu/iso37120-2018/2024"
_TOKEN = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


def add_persona(
    ctx: ServiceContext,
    login: str,
    role: Role,
    *,
    city: str | None = None,
    cycle_id: int | None = None,
) -> str:
    """A user with a password and one role (the operator's context makes it)."""
    users.add_user(ctx, login=login, name=login, password=PASSWORD)
    users.grant_role(ctx, login=login, role=role, city=city, cycle_id=cycle_id)
    return login


def make_personas(ctx: ServiceContext, draft_cycle_id: int) -> None:
    add_persona(ctx, EDITOR_LOGIN, Role.city_editor, city="daegu")
    add_persona(ctx, "coord.daegu", Role.city_coordinator, city="daegu")
    add_persona(ctx, "editor.busan", Role.city_editor, city="busan")
    add_persona(ctx, "verifier.draft", Role.verifier, cycle_id=draft_cycle_id)
    add_persona(ctx, "admin", Role.administrator)


def token(client: TestClient, path: str) -> str:
    """The CSRF token of the forms on `path` (as the signed-in person sees it)."""
    page = client.get(path)
    found = _TOKEN.search(page.text)
    assert found, f"{path} has no form ({page.status_code})"
    return found.group(1)


def sign_in(client: TestClient, login: str) -> TestClient:
    r = client.post(
        "/login",
        data={"login": login, "password": PASSWORD, "csrf_token": token(client, "/login")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return client


def post(
    client: TestClient,
    path: str,
    data: Mapping[str, Any],
    *,
    form_page: str,
    files: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """Post a form of `form_page` to `path`, with that page's CSRF token; redirects not followed."""
    body = {**data, "csrf_token": token(client, form_page)}
    return client.post(path, data=body, files=files, follow_redirects=False, **kwargs)


def persona_client(app: FastAPI, login: str) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield sign_in(c, login)


def clean_figures(catalog: str, count: int, population: float) -> list[values.InputChange]:
    """Figures for `count` indicators that pass every validation rule (small plausible shares:
    numerators 10, denominators 1000, reported values 50, the city's population as given)."""
    cat = get_catalog(catalog)
    plain = {"numerator": 10.0, "denominator": 1000.0, "value": 50.0}
    wanted: dict[str, dict[str, float]] = {}
    for ind in cat.counted():  # profile indicators do not count towards a level
        if ind.formula is not None:
            wanted[ind.number] = {
                i.name: population if i.name == "population" else plain[i.role.value]
                for i in ind.formula.inputs
            }
    raw = {n: {k: RawInput(v) for k, v in d.items()} for n, d in wanted.items()}
    context = ValidationContext(city_population=population, history={}, year=2024)
    flagged = {f.indicator for f in validate(cat, raw, context=context)}
    chosen = [n for n in wanted if n not in flagged][:count]
    assert len(chosen) == count, "the catalogue has too few indicators for this test"
    return [
        values.InputChange(n, name, value, source="city statistics", quality_grade="B")
        for n in chosen
        for name, value in wanted[n].items()
    ]


def submitted_cycle(
    ctx: ServiceContext, *, city: str, year: int, indicators: int, coordinator: str | None = None
) -> int:
    """A cycle of `city` with clean figures for `indicators` indicators, its warnings against
    past years explained and submitted by the city's coordinator (default `coord.<city>`);
    returns its id."""
    cycle = cycles.open_cycle(ctx, city=city, catalog="iso37120-2018", year=year)
    population = float(cities.get_city(ctx, slug=city).population or 1_000_000)
    values.set_inputs(ctx, cycle.id, clean_figures("iso37120-2018", indicators, population))
    coord = user_context(ctx.db, coordinator or f"coord.{city}")
    for f in data_quality.check_cycle(coord, cycle_id=cycle.id):
        assert f.severity == "warning", f
        data_quality.justify(
            coord, cycle_id=cycle.id, indicator=f.indicator, rule=f.rule, text="new method"
        )
    workflow.submit(coord, cycle_id=cycle.id)
    return cycle.id
