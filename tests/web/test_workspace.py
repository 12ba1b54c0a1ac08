"""The city workspace over HTTP: sign-in gate, who sees which cycle, the dashboard in both
languages with its JSON twin, justifying warnings and submitting."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from html import unescape

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from citycert.i18n import LANGS, is_missing
from citycert.services import auth, cycles
from citycert.services.context import ServiceContext
from tests.web.sample_data import Sample
from tests.web.test_workspace_support import DRAFT, make_personas, post, sign_in

SignedIn = Callable[[str], TestClient]


@pytest.fixture
def people(web_ctx: ServiceContext, sample: Sample) -> None:
    make_personas(web_ctx, sample.draft_cycle_id)


@pytest.fixture
def as_(app: FastAPI, people: None) -> Iterator[SignedIn]:
    """A client signed in as the given persona (each with its own cookies)."""
    yield lambda login: sign_in(TestClient(app), login)


def _state(ctx: ServiceContext) -> str:
    found = cycles.find_cycle(ctx, city="daegu", catalog="iso37120-2018", year=2024)
    assert found is not None
    return found.state.value


@pytest.mark.parametrize(
    "path",
    ["/workspace", DRAFT, f"{DRAFT}/theme/8", "/verifier", "/maturity", "/maturity/daegu"],
)
def test_visitors_are_sent_to_sign_in_and_come_back_after(
    client: TestClient, people: None, path: str
) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/login?next={path}"
    sign_in(client, "editor.daegu")
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/workspace.json", f"{DRAFT}.json", "/verifier.json"])
def test_scripts_without_a_login_get_401_in_the_error_shape(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize(
    ("login", "expected"),
    [
        ("editor.daegu", {"daegu"}),
        ("coord.daegu", {"daegu"}),
        ("editor.busan", {"busan"}),
        ("verifier.draft", set()),  # verifiers work in their console, not here
    ],
)
def test_workspace_lists_the_cycles_of_ones_own_city_only(
    as_: SignedIn, login: str, expected: set[str]
) -> None:
    data = as_(login).get("/workspace.json").json()
    assert {i["city_slug"] for i in data["items"]} == expected


def test_administrator_sees_every_cycle(as_: SignedIn, sample: Sample) -> None:
    data = as_("admin").get("/workspace.json?per_page=200").json()
    cities = {i["city_slug"] for i in data["items"]}
    assert {sample.hidden_city, "daegu", "busan"} <= cities


@pytest.mark.parametrize("lang", LANGS)
def test_dashboard_shows_findings_with_their_fix_and_the_next_step_in_both_languages(
    as_: SignedIn, lang: str
) -> None:
    c = as_("editor.daegu")
    html = c.get(f"{DRAFT}?lang={lang}")
    assert html.status_code == 200 and not is_missing(html.text)
    assert f'<html lang="{lang}">' in html.text
    data = c.get(f"{DRAFT}.json").json()
    assert html.headers["link"] == f'<{DRAFT}.json>; rel="alternate"; type="application/json"'
    found = {(f["indicator"], f["rule"]): f for f in data["findings"]}
    assert set(found) == {("15.5", "registered_population"), ("8.1", "year_over_year")}
    text = unescape(html.text)
    for f in found.values():
        assert f["severity"] == "warning" and f["hint"][lang]
        assert f["hint"][lang] in text
        assert f["message"][lang] in text
    assert (data["errors"], data["unjustified_warnings"]) == (0, 2)
    assert data["next_step"] == "justify"
    assert data["allowed"] == {
        "edit": True, "justify": True, "submit": False, "answer": False, "resume": False,
    }  # fmt: skip
    economy = next(t for t in data["themes"] if t["number"] == 5)
    assert (economy["filled"], economy["indicators_complete"]) == (2, 1)


@pytest.mark.parametrize(
    ("login", "status"),
    [("editor.busan", 403), ("verifier.draft", 200), ("coord.daegu", 200)],
)
def test_dashboard_is_for_the_citys_people_and_its_verifier(
    as_: SignedIn, login: str, status: int
) -> None:
    c = as_(login)
    assert c.get(DRAFT).status_code == status
    assert c.get(f"{DRAFT}.json").status_code == status


def test_unknown_cycle_is_404(as_: SignedIn) -> None:
    assert as_("editor.daegu").get("/workspace/daegu/iso37120-2018/1999").status_code == 404


def test_submit_is_refused_with_every_unjustified_warning_then_succeeds_once_justified(
    as_: SignedIn, web_ctx: ServiceContext
) -> None:
    c = as_("coord.daegu")
    refused = post(c, f"{DRAFT}/submit", {}, form_page=DRAFT)
    assert refused.status_code == 409
    assert "Not submitted: 2 item(s) must be corrected or explained first." in refused.text
    assert "15.5/registered_population" in refused.text
    assert "8.1/year_over_year" in refused.text
    assert _state(web_ctx) == "draft"

    for indicator, rule in (("15.5", "registered_population"), ("8.1", "year_over_year")):
        r = post(
            c,
            f"{DRAFT}/justify",
            {"indicator": indicator, "rule": rule, "text": "Census boundary differs"},
            form_page=DRAFT,
        )
        assert r.status_code == 303
        assert r.headers["location"].endswith("?done=justified#findings")
    page = c.get(f"{DRAFT}.json").json()
    assert (page["unjustified_warnings"], page["next_step"]) == (0, "submit")

    done = post(c, f"{DRAFT}/submit", {}, form_page=DRAFT)
    assert done.status_code == 303
    assert _state(web_ctx) == "submitted"
    after = c.get(done.headers["location"])
    assert "Submitted for verification" in after.text


def test_an_empty_justification_is_refused_and_the_page_keeps_the_rest(as_: SignedIn) -> None:
    c = as_("editor.daegu")
    r = post(
        c, f"{DRAFT}/justify", {"indicator": "8.1", "rule": "year_over_year", "text": "  "},
        form_page=DRAFT,
    )  # fmt: skip
    assert r.status_code == 422
    assert "the justification is empty" in r.text
    assert c.get(f"{DRAFT}.json").json()["unjustified_warnings"] == 2


@pytest.mark.parametrize(
    ("login", "action", "data"),
    [
        ("editor.daegu", "submit", {}),  # editors enter figures; coordinators submit
        ("editor.busan", "justify", {"indicator": "8.1", "rule": "year_over_year", "text": "x"}),
        ("verifier.draft", "justify", {"indicator": "8.1", "rule": "year_over_year", "text": "x"}),
    ],
)
def test_steps_outside_ones_role_are_refused_and_change_nothing(
    as_: SignedIn, web_ctx: ServiceContext, login: str, action: str, data: dict[str, str]
) -> None:
    c = as_(login)
    form_page = "/workspace" if login == "editor.busan" else DRAFT
    r = post(c, f"{DRAFT}/{action}", data, form_page=form_page)
    assert r.status_code == 403
    assert _state(web_ctx) == "draft"
    owner = as_("editor.daegu").get(f"{DRAFT}.json").json()
    assert owner["unjustified_warnings"] == 2


def test_a_post_without_the_form_token_is_refused(as_: SignedIn) -> None:
    c = as_("coord.daegu")
    r = c.post(f"{DRAFT}/submit", data={"csrf_token": "0" * 64}, follow_redirects=False)
    assert r.status_code == 403
    assert "csrf_failed" in r.text


def test_coordinator_opens_a_new_reporting_year(as_: SignedIn, web_ctx: ServiceContext) -> None:
    c = as_("coord.daegu")
    r = post(
        c, "/workspace/open", {"city": "daegu", "catalog": "iso37122-2019", "year": "2025"},
        form_page="/workspace",
    )  # fmt: skip
    assert r.status_code == 303
    assert r.headers["location"] == "/workspace/daegu/iso37122-2019/2025?done=opened"
    assert cycles.find_cycle(web_ctx, city="daegu", catalog="iso37122-2019", year=2025)
    editor = as_("editor.daegu")
    refused = post(
        editor, "/workspace/open", {"city": "daegu", "catalog": "iso37122-2019", "year": "2026"},
        form_page="/workspace",
    )  # fmt: skip
    assert refused.status_code == 403
    assert cycles.find_cycle(web_ctx, city="daegu", catalog="iso37122-2019", year=2026) is None


def test_forms_on_the_dashboard_carry_the_csrf_token(as_: SignedIn) -> None:
    html = as_("coord.daegu").get(DRAFT).text
    forms = re.findall(r"<form\b.*?</form>", html, flags=re.S)
    posting = [f for f in forms if 'method="post"' in f]
    assert len(posting) >= 4  # sign out, two justifications, upload, submit
    assert all('name="csrf_token"' in f for f in posting)


def test_a_script_with_an_api_token_justifies_and_gets_json_back(
    app: FastAPI, people: None, web_ctx: ServiceContext
) -> None:
    secret = auth.create_api_token(web_ctx, login="editor.daegu", label="script")
    script = TestClient(app, headers={"authorization": f"Bearer {secret.token}"})
    r = script.post(
        f"{DRAFT}/justify",
        data={"indicator": "8.1", "rule": "year_over_year", "text": "station moved"},
        follow_redirects=False,
    )
    assert r.status_code == 200
    assert r.json() == {
        "ok": True, "indicator": "8.1", "rule": "year_over_year",
        "next": f"{DRAFT}?done=justified#findings",
    }  # fmt: skip
    found = script.get(f"{DRAFT}.json").json()["findings"]
    assert [f["justification"] for f in found if f["indicator"] == "8.1"] == ["station moved"]
    refused = script.post(f"{DRAFT}/submit", follow_redirects=False)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
