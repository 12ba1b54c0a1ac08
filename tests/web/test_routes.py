"""Every route, in both languages: no server error, no missing translation, a JSON twin for
every page; errors look the same everywhere."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Route

from citycert.i18n import LANGS, is_missing, missing_keys
from citycert.web.pages import flat_routes

# Sample values for path parameters, from the sample data.
PARAMS = {
    "slug": "daegu",
    "key": "iso37120-2018:8.1",
    "fmt": "csv",
    "public_id": "CC-2024-DAEGU-37120-0001",
    "catalog": "iso37120-2018",
    "year": "2024",
    "theme": "8",
    "number": "8.1",
    "assessment_id": "1",
    "sha256": "0" * 64,
}
# Pages for signed-in people: visitors are sent to the sign-in page, scripts get 401
# (tests/web/test_workspace*.py, test_verifier*.py and test_maturity*.py walk them signed in).
SIGNED_IN = ("/workspace", "/verifier", "/maturity")
# Pages worth seeing with their options too (query strings a visitor would use).
EXTRA = [
    "/cities?q=대구",
    "/cities?standard=iso37120-2018&level=gold&country=KR&year=2023",
    "/cities?q=nothing-matches-this",
    "/cities/daegu?trend=15.7",
    "/compare?city=daegu",
    "/compare?city=busan&group=region",
    "/compare?city=seoul&group=climate",
    "/compare?city=jeonju&group=income",
    "/compare?city=대구&group=population",
    "/indicators?standard=iso37122-2019",
    "/indicators/iso37120-2018:15.5?year=2021&per_page=2&page=2",
    "/indicators/iso37120-2018:9.1",
    "/no-such-page",
    "/cities/hidden-town",
    "/static/citycert.css",
    "/static/swagger/swagger-ui-bundle.js",
]


def get_paths(app: FastAPI) -> list[str]:
    """Every GET route of the app with its path parameters filled in."""
    paths = []
    for route in flat_routes(app.routes):
        if isinstance(route, Route) and route.methods and "GET" in route.methods:
            names = re.findall(r"{(\w+)}", route.path)
            missing = [n for n in names if n not in PARAMS]
            assert not missing, f"no sample value for {missing} in {route.path}"
            paths.append(route.path.format(**PARAMS))
    return sorted(paths)


def test_route_list_covers_the_portal(app: FastAPI) -> None:
    paths = set(get_paths(app))
    for expected in ("/", "/cities", "/cities/daegu", "/compare", "/indicators/iso37120-2018:8.1",
                     "/downloads", "/about", "/docs", "/openapi.json"):  # fmt: skip
        assert expected in paths
        if expected not in ("/docs", "/openapi.json"):
            twin = "/index.json" if expected == "/" else expected + ".json"
            assert twin in paths


@pytest.mark.parametrize("lang", LANGS)
def test_every_route_answers_in_both_languages_without_error_or_missing_text(
    app: FastAPI, client: TestClient, lang: str
) -> None:
    problems = []
    for path in [*get_paths(app), *EXTRA]:
        sep = "&" if "?" in path else "?"
        r = client.get(f"{path}{sep}lang={lang}")
        expected_404 = path in ("/no-such-page", "/cities/hidden-town")
        expected_401 = path.startswith(SIGNED_IN) and path.endswith(".json")
        if r.status_code >= 500 or (r.status_code >= 400) != (expected_404 or expected_401):
            problems.append(f"{path}: {r.status_code}")
        if r.headers["content-type"].startswith(("text/html", "application/json")):
            if is_missing(r.text):
                found = sorted(set(re.findall(r"\[\[missing:([^\]]+)\]\]", r.text)))
                problems.append(f"{path}: missing texts {found}")
            if r.headers["content-type"].startswith("text/html"):
                page_lang = "en" if path == "/docs" else lang  # Swagger UI is English only
                assert f'<html lang="{page_lang}">' in r.text, path
    assert not problems, "\n".join(problems)
    assert not missing_keys()


def test_every_html_page_has_a_json_twin_named_in_its_link_header(
    app: FastAPI, client: TestClient
) -> None:
    routes = [r for r in flat_routes(app.routes) if isinstance(r, APIRoute)]
    json_names = {r.name for r in routes}
    pages = [
        r for r in routes if f"{r.name}_json" in json_names and not r.path.startswith(SIGNED_IN)
    ]
    assert len(pages) >= 8
    for route in pages:
        path = route.path.format(**PARAMS)
        html = client.get(path)
        assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
        twin = "/index.json" if path == "/" else f"{path}.json"
        assert html.headers["link"] == f'<{twin}>; rel="alternate"; type="application/json"'
        assert f'href="{twin}"' in html.text
        data = client.get(twin)
        assert data.status_code == 200, twin
        assert data.headers["content-type"] == "application/json"
        assert isinstance(data.json(), dict)


def test_json_twin_holds_the_data_the_page_shows(client: TestClient) -> None:
    page = client.get("/cities/daegu?lang=ko").text
    data = client.get("/cities/daegu.json").json()
    assert data["city"]["name_ko"] in page
    shown = [i for theme in data["themes"] for i in theme["indicators"]]
    assert shown and all(f"{i['number']} " in page for i in shown)
    assert data["certificates"][0]["public_id"] in page


def test_json_links_point_to_json_twins_and_html_links_to_pages(client: TestClient) -> None:
    data = client.get("/cities.json").json()
    assert data["items"][0]["url"].endswith(".json")
    assert 'href="/cities/busan"' in client.get("/cities").text


def test_pagination_gives_next_and_prev_links(client: TestClient) -> None:
    first = client.get("/cities.json?per_page=2").json()
    assert first["paging"] == {
        "page": 1, "per_page": 2, "total": 7, "pages": 4,
        "next": "/cities.json?page=2&per_page=2", "prev": None,
    }  # fmt: skip
    second = client.get(first["paging"]["next"]).json()
    assert second["paging"]["prev"] == "/cities.json?page=1&per_page=2"
    slugs = [i["city"]["slug"] for i in first["items"] + second["items"]]
    assert len(set(slugs)) == 4
    last = client.get("/cities.json?per_page=2&page=4").json()
    assert last["paging"]["next"] is None and len(last["items"]) == 1


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/cities.json?per_page=1000", 422, "invalid_request"),
        ("/cities.json?page=0", 422, "invalid_request"),
        ("/cities.json?year=20x3", 422, "invalid_request"),
        ("/compare.json?city=daegu&group=planet", 422, "invalid_request"),
        ("/compare.json?city=daegu&standard=iso37122-2019", 422, "invalid_request"),
        ("/cities/hidden-town.json", 404, "not_found"),
        ("/indicators/iso37120-2018:99.9.json", 404, "not_found"),
        ("/no-such-page.json", 404, "not_found"),
    ],
)
def test_json_errors_share_one_shape(client: TestClient, path: str, status: int, code: str) -> None:
    r = client.get(path)
    assert r.status_code == status
    body = r.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]["en"] and body["error"]["message"]["ko"]
    assert body["error"]["message"]["en"] != body["error"]["message"]["ko"]
    assert "details" in body["error"]


def test_html_errors_are_a_friendly_page_in_both_languages(client: TestClient) -> None:
    r = client.get("/cities/hidden-town", headers={"accept-language": "ko-KR,ko;q=0.9"})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="ko">' in r.text
    assert "공개된 자료가 있는 도시" in r.text and "no city 'hidden-town'" in r.text.replace(
        "&#39;", "'"
    )
    bad = client.get("/cities?per_page=0")
    assert bad.status_code == 422 and "per_page" in bad.text
    assert "Some values in the request are not valid." in bad.text
