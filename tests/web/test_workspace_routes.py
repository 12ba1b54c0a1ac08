"""Every signed-in page (workspace, verifier console, ISO 37106), as an administrator, in both
languages: no server error, no missing text, and a JSON twin for every page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route

from citycert.i18n import LANGS, is_missing, missing_keys
from citycert.services import data_quality, evidence, maturity, workflow
from citycert.services.context import ServiceContext
from citycert.services.principal import user_context
from citycert.standards.maturity import get_maturity_model
from citycert.web.pages import flat_routes
from tests.web.sample_data import Sample
from tests.web.test_workspace_support import make_personas, sign_in

SIGNED_IN = ("/workspace", "/verifier", "/maturity")


@pytest.fixture
def params(web_ctx: ServiceContext, sample: Sample) -> dict[str, str]:
    """Path parameters that exist: Daegu's 2024 draft in verification, an evidence file, an
    ISO 37106 assessment."""
    make_personas(web_ctx, sample.draft_cycle_id)
    sha = evidence.add_evidence(
        web_ctx, cycle_id=sample.draft_cycle_id, indicator="8.1", input=None,
        filename="station.pdf", data=b"%PDF-1.4", media_type="application/pdf",
    )  # fmt: skip
    coord = user_context(web_ctx.db, "coord.daegu")
    for f in data_quality.check_cycle(coord, cycle_id=sample.draft_cycle_id):
        data_quality.justify(
            coord, cycle_id=sample.draft_cycle_id, indicator=f.indicator, rule=f.rule, text="ok"
        )
    workflow.submit(coord, cycle_id=sample.draft_cycle_id)
    workflow.start_verification(
        user_context(web_ctx.db, "verifier.draft"), cycle_id=sample.draft_cycle_id
    )
    items = [maturity.ItemEntry(i.id, 3) for i in get_maturity_model().items]
    saved = maturity.record(
        web_ctx, city="daegu", assessed_on=date(2024, 1, 5), assessor="B", items=items
    )
    return {
        "slug": "daegu",
        "catalog": "iso37120-2018",
        "year": "2024",
        "theme": "8",
        "number": "8.1",
        "assessment_id": str(saved.id),
        "sha256": sha,
    }


def _mine(app: FastAPI) -> list[Route]:
    return [
        r
        for r in flat_routes(app.routes)
        if isinstance(r, Route)
        and r.methods
        and "GET" in r.methods
        and r.path.startswith(SIGNED_IN)
    ]


@pytest.mark.parametrize("lang", LANGS)
def test_every_signed_in_page_answers_in_both_languages_without_missing_text(
    app: FastAPI, params: dict[str, str], lang: str
) -> None:
    client = sign_in(TestClient(app), "admin")
    routes = _mine(app)
    assert len(routes) >= 20
    problems = []
    for route in routes:
        path = route.path.format(**params)
        r = client.get(path, params={"lang": lang, "levels": "A01:3"})
        if r.status_code != 200:
            problems.append(f"{path}: {r.status_code}")
        kind = r.headers["content-type"]
        if kind.startswith(("text/html", "application/json")) and is_missing(r.text):
            found = sorted(set(re.findall(r"\[\[missing:([^\]]+)\]\]", r.text)))
            problems.append(f"{path}: missing texts {found}")
        if kind.startswith("text/html") and "content-disposition" not in r.headers:
            assert f'<html lang="{lang}">' in r.text, path  # (reports are in both languages)
    assert not problems, "\n".join(problems)
    assert not missing_keys()


def test_every_signed_in_page_has_its_json_twin(app: FastAPI, params: dict[str, str]) -> None:
    client = sign_in(TestClient(app), "admin")
    routes = [r for r in flat_routes(app.routes) if isinstance(r, APIRoute)]
    names = {r.name for r in routes}
    pages = [r for r in routes if f"{r.name}_json" in names and r.path.startswith(SIGNED_IN)]
    assert len(pages) >= 10
    for route in pages:
        path = route.path.format(**params)
        html = client.get(path)
        assert html.headers["link"] == f'<{path}.json>; rel="alternate"; type="application/json"'
        assert f'href="{path}.json"' in html.text
        twin = client.get(f"{path}.json")
        assert twin.status_code == 200 and isinstance(twin.json(), dict), path
