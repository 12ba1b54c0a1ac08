"""Web security of the portal, one test per item of the hardening list.

CSRF on every form the app has (routes enumerated from the app itself), cookie flags, security
headers on every route, login throttling (also across two app instances sharing one database,
on PostgreSQL too), upload size and type limits, hostile city names on every public page, in
JSON, CSV, xlsx and PDF downloads, formula cells neutralised in downloads, and no secrets in logs.
Personas: the public, `editor.daegu` (a Daegu city editor with a password) and an operator on
the command line. The database is the portal sample plus a city named like an HTML injection.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import func, select
from starlette.routing import Route
from typer.testing import CliRunner

from citycert.cli import app as cli_app
from citycert.domain.authz import Role
from citycert.services import cities, cycles, throttle, users, values
from citycert.services.context import ServiceContext
from citycert.store.engine import Database
from citycert.store.models import AuditLog, CycleState
from citycert.store.models_throttle import LoginAttempt
from citycert.web import create_app
from citycert.web.csrf import CSRF_COOKIE
from citycert.web.pages import flat_routes
from citycert.web.security import SESSION_COOKIE
from tests.conftest import FrozenClock
from tests.hardening.databases import table_rows
from tests.web.conftest import EDITOR_LOGIN, EDITOR_PASSWORD, SECRET_KEY, make_settings
from tests.web.sample_data import CATALOG, XSS_EN, _certificate, load_sample

IMG_EN = '"><img src=x onerror=alert(1)>'
IMG_KO = "'><svg onload=alert(2)>대구"
HOSTILE = "img-city"
CERT_ID = "CC-2024-IMG-37120-0001"
# Figures whose notes a spreadsheet would run as formulas if written as they are.
FORMULAS = {
    "source": '=HYPERLINK("http://evil.example","click")',
    "comment": "+1+cmd|' /C calc'!A0",
}
FORMULAS_2 = {"source": "@SUM(1,1)", "comment": "-2+3"}
RAW_HTML = ("<script>alert", "<img src=x", "<svg onload", "<b>Region</b>")


# --- the database and the clients -----------------------------------------------------------


def _add_hostile_city(ctx: ServiceContext) -> None:
    """A published city named like an HTML injection, with formula-like notes and a certificate."""
    city = cities.create_city(
        ctx,
        data=cities.parse_create(
            {"slug": HOSTILE, "name_en": IMG_EN, "name_ko": IMG_KO, "country": "KR",
             "region": "<i>x</i>", "population": 500_000, "latitude": 36.1, "longitude": 128.1}
        ),
    )  # fmt: skip
    cy = cycles.open_cycle(ctx, city=HOSTILE, catalog=CATALOG, year=2023)
    values.set_inputs(
        ctx,
        cy.id,
        [
            values.InputChange("5.1", "unemployed_persons", 20_000, **FORMULAS),
            values.InputChange("5.1", "labour_force", 400_000, **FORMULAS_2),
        ],
    )
    cycles.set_state(ctx, cycle_id=cy.id, state=CycleState.certified)
    _certificate(ctx, city.id, cy.id, CERT_ID, ("gold", "Gold", "골드"), 2023)


def _add_editor(ctx: ServiceContext, *, grant: bool = True) -> None:
    users.add_user(ctx, login=EDITOR_LOGIN, name="Daegu editor", password=EDITOR_PASSWORD)
    if grant:
        users.grant_role(ctx, login=EDITOR_LOGIN, role=Role.city_editor, city="daegu")


@pytest.fixture(scope="session")
def _portal_file(tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path) -> Path:
    """The portal sample, the hostile city and the editor, loaded once into a SQLite file."""
    path = tmp_path_factory.mktemp("security") / "portal.sqlite3"
    shutil.copyfile(_sqlite_template, path)
    database = Database.from_url(f"sqlite:///{path}")
    try:
        ctx = ServiceContext(db=database, actor="cli:setup", clock=FrozenClock())
        load_sample(ctx)
        _add_hostile_city(ctx)
        _add_editor(ctx)
    finally:
        database.dispose()
    return path


@pytest.fixture
def portal_db(_portal_file: Path, tmp_path: Path) -> Iterator[Database]:
    """A copy of the portal sample on SQLite (for the tests that do not depend on the backend)."""
    path = tmp_path / "portal.sqlite3"
    shutil.copyfile(_portal_file, path)
    database = Database.from_url(f"sqlite:///{path}")
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def portal(portal_db: Database) -> FastAPI:
    return create_app(make_settings(portal_db), database=portal_db)


@pytest.fixture
def public(portal: FastAPI) -> Iterator[TestClient]:
    with TestClient(portal) as c:
        yield c


def form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the page has no form with a CSRF field"
    return found.group(1)


def sign_in(client: TestClient, login: str = EDITOR_LOGIN, password: str = EDITOR_PASSWORD) -> Any:
    token = form_token(client.get("/login").text)
    return client.post(
        "/login",
        data={"login": login, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


@pytest.fixture
def signed_in(portal: FastAPI) -> Iterator[TestClient]:
    with TestClient(portal) as c:
        assert sign_in(c).status_code == 303
        yield c


def audit_length(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(AuditLog)) or 0)


# --- routes of the app, with their parameters filled in --------------------------------------

PARAMS = {
    "slug": HOSTILE,
    "catalog": CATALOG,
    "year": "2023",
    "key": f"{CATALOG}:5.1",
    "public_id": CERT_ID,
    "fmt": "csv",
    "number": "5.1",
    "theme": "5",
    "assessment_id": "1",
    "sha256": "0" * 64,
}
# The signed-in persona works on Daegu; public pages show the hostile city.
OWN_CITY = ("/workspace", "/verifier")


def concrete(path: str) -> str:
    """`path` with every `{parameter}` filled in with a value that exists in the sample."""
    own = path.startswith(OWN_CITY)

    def fill(m: re.Match[str]) -> str:
        name = m.group(1).split(":")[0]
        if name == "slug" and own:
            return "daegu"
        return PARAMS.get(name, "x")

    return re.sub(r"\{([^}]+)\}", fill, path)


def app_routes(app: FastAPI, method: str) -> list[str]:
    """Every path of `app` answering `method` (page groups opened up), sorted."""
    return sorted(
        {
            r.path
            for r in flat_routes(app.routes)
            if isinstance(r, Route) and method in (r.methods or ())
        }
    )


# --- CSRF ---------------------------------------------------------------------------------------


def test_every_form_refuses_a_post_without_a_valid_csrf_token_and_changes_nothing(
    portal: FastAPI, signed_in: TestClient, portal_db: Database
) -> None:
    posts = app_routes(portal, "POST")
    assert "/login" in posts and "/logout" in posts and len(posts) >= 3
    before, audit = table_rows(portal_db), audit_length(portal_db)
    refused: dict[str, list[int]] = {}
    for path in posts:
        url = concrete(path)
        statuses = []
        for headers, data in [
            ({}, {"dry_run": "true"}),
            ({}, {"csrf_token": "0" * 64}),
            ({"x-csrf-token": "forged"}, {}),
        ]:
            r = signed_in.post(url, data=data, headers=headers, follow_redirects=False)
            statuses.append(r.status_code)
            assert "csrf_failed" in r.text, (path, r.status_code, r.text[:200])
        refused[path] = statuses
    assert all(s == [403, 403, 403] for s in refused.values()), refused
    assert table_rows(portal_db) == before and audit_length(portal_db) == audit


def test_forms_with_the_page_token_pass_the_csrf_check(
    portal: FastAPI, signed_in: TestClient
) -> None:
    token = form_token(signed_in.get("/login").text)
    for path in app_routes(portal, "POST"):
        if path == "/logout":
            continue  # would end the session the other posts ride on
        r = signed_in.post(concrete(path), data={"csrf_token": token}, follow_redirects=False)
        assert "csrf_failed" not in r.text and r.status_code < 500, (path, r.status_code)


# --- cookies ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("base_url", "secure"), [("http://portal.example", False),
                                                  ("https://portal.example", True)])  # fmt: skip
def test_every_cookie_is_httponly_samesite_and_secure_on_https(
    portal_db: Database, base_url: str, secure: bool
) -> None:
    app = create_app(make_settings(portal_db, base_url=base_url), database=portal_db)
    scheme = base_url.split(":")[0]
    with TestClient(app, base_url=f"{scheme}://testserver") as c:
        responses = [c.get("/login"), c.get("/cities?lang=ko")]
        responses.append(sign_in(c))
        token = form_token(c.get("/cities").text)
        responses.append(c.post("/logout", data={"csrf_token": token}, follow_redirects=False))
    cookies = [v for r in responses for k, v in r.headers.multi_items() if k == "set-cookie"]
    names = {v.split("=", 1)[0] for v in cookies}
    assert {SESSION_COOKIE, CSRF_COOKIE} <= names
    for cookie in cookies:
        flags = [f.strip().lower() for f in cookie.split(";")[1:]]
        assert "httponly" in flags and "samesite=lax" in flags, cookie
        assert ("secure" in flags) is secure, cookie


# --- security headers ---------------------------------------------------------------------------


def test_every_route_answers_with_the_security_headers(
    portal: FastAPI, signed_in: TestClient
) -> None:
    paths = [concrete(p) for p in app_routes(portal, "GET")]
    paths += ["/static/citycert.css", "/no-such-page", "/cities/no-such-city.json"]
    assert len(paths) > 30
    for path in paths:
        r = signed_in.get(path, follow_redirects=False)
        h = r.headers
        assert r.status_code < 500, (path, r.status_code)
        assert h["x-content-type-options"] == "nosniff", path
        assert h["x-frame-options"] == "DENY", path
        assert h["referrer-policy"] == "strict-origin-when-cross-origin", path
        csp = h["content-security-policy"]
        assert "frame-ancestors 'none'" in csp, path
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src and "'unsafe-inline'" not in script_src.group(1), path
        assert "'unsafe-eval'" not in csp, path
        if h.get("content-type", "").startswith("text/html") and path != "/docs":
            assert not re.search(r"<script(?![^>]*\bsrc=)", r.text), path


# --- login throttling ---------------------------------------------------------------------------


@pytest.fixture
def two_portals(db: Database) -> Iterator[tuple[TestClient, TestClient]]:
    """Two app instances (as two server processes) on one database, on each backend."""
    _add_editor(ServiceContext(db=db, actor="cli:setup"), grant=False)
    first = create_app(make_settings(db), database=db)
    second = create_app(make_settings(db), database=db)
    with TestClient(first) as a, TestClient(second) as b:
        yield a, b


def _try(client: TestClient, login: str, password: str) -> Any:
    """One sign-in attempt with the client's (anonymous, so unchanging) form token."""
    token = client.cookies.get("test_form_token") or form_token(client.get("/login").text)
    client.cookies.set("test_form_token", token)
    r = client.post(
        "/login",
        data={"login": login, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    if r.status_code == 303:  # signed in: forms now carry a token bound to the new session
        client.cookies.delete("test_form_token")
    return r


def test_login_is_refused_with_429_after_too_many_failures_across_two_app_instances(
    two_portals: tuple[TestClient, TestClient], db: Database
) -> None:
    a, b = two_portals
    limit = throttle.DEFAULT_POLICY.per_login
    statuses = [_try((a, b)[i % 2], EDITOR_LOGIN, f"wrong {i}").status_code for i in range(limit)]
    assert statuses == [401] * limit
    for client in (a, b):
        refused = _try(client, EDITOR_LOGIN.upper(), EDITOR_PASSWORD)  # even the right password
        assert refused.status_code == 429
        assert int(refused.headers["retry-after"]) > 0
        assert "too many failed sign-in attempts" in refused.text
        assert SESSION_COOKIE not in refused.cookies
    ko = a.get("/login?lang=ko")
    assert ko.status_code == 200
    refused_ko = _try(a, EDITOR_LOGIN, EDITOR_PASSWORD)
    assert "로그인 실패가 너무 많습니다" in refused_ko.text
    with db.read() as s:
        stored = s.scalars(select(LoginAttempt.login_hash)).all()
    assert len(stored) == limit and EDITOR_LOGIN not in "".join(stored)


def test_a_successful_login_resets_the_failures_of_that_login(
    two_portals: tuple[TestClient, TestClient], db: Database
) -> None:
    a, b = two_portals
    limit = throttle.DEFAULT_POLICY.per_login
    for i in range(limit - 1):
        assert _try(a, EDITOR_LOGIN, f"wrong {i}").status_code == 401
    assert _try(b, EDITOR_LOGIN, EDITOR_PASSWORD).status_code == 303
    assert throttle.failures(ServiceContext(db=db, actor="test"), login=EDITOR_LOGIN) == 0
    for i in range(limit - 1):
        assert _try(b, EDITOR_LOGIN, f"again {i}").status_code == 401
    assert _try(a, EDITOR_LOGIN, EDITOR_PASSWORD).status_code == 303


def test_one_address_guessing_many_logins_is_refused(
    two_portals: tuple[TestClient, TestClient],
) -> None:
    a, b = two_portals
    limit = throttle.DEFAULT_POLICY.per_address
    for i in range(limit):
        assert _try((a, b)[i % 2], f"someone{i}", "guess").status_code == 401
    # A login never tried before, from the same address (the test client's).
    assert _try(a, EDITOR_LOGIN, EDITOR_PASSWORD).status_code == 429


def test_failures_leave_the_window_and_other_logins_are_not_affected(db: Database) -> None:
    _add_editor(ServiceContext(db=db, actor="cli:setup"), grant=False)
    clock = FrozenClock()
    ctx = ServiceContext(db=db, actor="public", clock=clock)
    policy = throttle.ThrottlePolicy(per_login=3, per_address=10)
    for _ in range(3):
        throttle.record_failure(ctx, login=EDITOR_LOGIN, address="198.51.100.1", policy=policy)
        clock.advance(minutes=1)
    with pytest.raises(throttle.TooManyAttempts) as refused:
        throttle.check(ctx, login=f" {EDITOR_LOGIN.upper()} ", address="203.0.113.9", policy=policy)
    # The first failure (3 minutes ago) leaves the 15-minute window in 12 minutes.
    assert refused.value.retry_after == 12 * 60
    throttle.check(ctx, login="someone.else", address="203.0.113.9", policy=policy)
    clock.advance(minutes=12)
    throttle.check(ctx, login=EDITOR_LOGIN, address="198.51.100.1", policy=policy)
    secret = throttle.throttled_login(
        ctx, login=EDITOR_LOGIN, password=EDITOR_PASSWORD, address="198.51.100.1", policy=policy
    )
    assert secret.login == EDITOR_LOGIN
    assert throttle.failures(ctx, login=EDITOR_LOGIN, policy=policy) == 0


# --- uploads ------------------------------------------------------------------------------------

UPLOAD = "/workspace/daegu/iso37120-2018/2023"


@pytest.fixture
def small_uploads(portal_db: Database) -> Iterator[TestClient]:
    """A portal accepting uploads up to 2 KB, with the Daegu editor signed in (draft 2023)."""
    ctx = ServiceContext(db=portal_db, actor="cli:setup")
    if cycles.find_cycle(ctx, city="daegu", catalog=CATALOG, year=2025) is None:
        cycles.open_cycle(ctx, city="daegu", catalog=CATALOG, year=2025)
    app = create_app(make_settings(portal_db, max_upload_bytes=2048), database=portal_db)
    with TestClient(app) as c:
        assert sign_in(c).status_code == 303
        yield c


def _upload(
    client: TestClient, route: str, name: str, data: bytes, mime: str, *, json: bool = False
) -> Any:
    token = form_token(client.get("/login").text)
    return client.post(
        f"/workspace/daegu/iso37120-2018/2025/{route}",
        data={"csrf_token": token, "target": "5.1", "theme": "5"},
        files={"file": (name, data, mime)},
        headers={"accept": "application/json"} if json else {},
        follow_redirects=False,
    )


@pytest.mark.parametrize("route", ["import", "evidence"])
def test_too_large_uploads_are_refused_with_413_and_a_bilingual_message(
    small_uploads: TestClient, portal_db: Database, route: str
) -> None:
    before, audit = table_rows(portal_db), audit_length(portal_db)
    r = _upload(small_uploads, route, "big.csv", b"x" * 4096, "text/csv")
    assert r.status_code == 413
    assert "The upload is too large" in r.text and "올린 파일이 너무 큽니다" in r.text
    assert table_rows(portal_db) == before and audit_length(portal_db) == audit


def test_an_upload_of_the_wrong_type_is_refused_naming_the_accepted_types(
    small_uploads: TestClient, portal_db: Database
) -> None:
    before = table_rows(portal_db)
    r = _upload(small_uploads, "import", "figures.exe", b"MZ\x90\x00", "application/x-msdownload")
    assert r.status_code in (415, 422)
    assert "files of type &#39;.exe&#39; cannot be imported" in r.text
    as_json = _upload(small_uploads, "import", "figures.exe", b"MZ", "text/plain", json=True)
    (problem,) = as_json.json()["problems"]
    assert problem["file"] == "figures.exe" and problem["code"] == "file_type"
    assert "'.exe' 형식의 파일은 가져올 수 없습니다" in problem["message"]["ko"]
    assert ".xlsx" in problem["fix"]["en"] and "엑셀" in problem["fix"]["ko"]
    disguised = _upload(small_uploads, "import", "figures.xlsx", b"MZ\x90" * 8, "text/plain")
    assert disguised.status_code == 422
    assert "cannot be read as an Excel workbook" in disguised.text
    assert table_rows(portal_db) == before


@pytest.mark.parametrize(
    ("name", "mime"),
    [("page.html", "text/html"), ("run.exe", "application/x-msdownload"),
     ("image.svg", "image/svg+xml")],
)  # fmt: skip
def test_evidence_of_a_type_a_browser_could_run_is_refused(
    small_uploads: TestClient, portal_db: Database, name: str, mime: str
) -> None:
    before = table_rows(portal_db)
    r = _upload(small_uploads, "evidence", name, b"<script>alert(1)</script>", mime)
    assert r.status_code in (415, 422), r.status_code
    assert table_rows(portal_db) == before


# --- escaping -----------------------------------------------------------------------------------

PUBLIC_PAGES = ["/", "/cities", f"/cities/{HOSTILE}", f"/compare?city={HOSTILE}&city=daegu",
                f"/indicators/{CATALOG}:5.1", f"/certificates/{CERT_ID}", "/downloads",
                f"/cities?q={IMG_EN}", f"/login?next={IMG_EN}"]  # fmt: skip


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_hostile_city_names_are_inert_on_every_public_page(public: TestClient, path: str) -> None:
    for lang in ("en", "ko"):
        r = public.get(path, params={"lang": lang})
        assert r.status_code == 200, (path, r.status_code)
        for raw in RAW_HTML:
            assert raw not in r.text, (path, lang, raw)
    page = public.get(f"/cities/{HOSTILE}").text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page or (
        "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    )


def test_hostile_city_names_are_plain_strings_in_json(public: TestClient) -> None:
    r = public.get(f"/cities/{HOSTILE}.json")
    assert r.headers["content-type"] == "application/json"
    assert r.json()["city"]["name_en"] == IMG_EN and r.json()["city"]["name_ko"] == IMG_KO
    listing = public.get("/cities.json", params={"per_page": 100}).text
    assert XSS_EN.replace("/", "\\/") in listing or json.dumps(XSS_EN) in listing


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def test_csv_and_xlsx_downloads_keep_hostile_names_as_text_and_neutralise_formulas(
    public: TestClient,
) -> None:
    r = public.get(f"/downloads/cities/{HOSTILE}/csv")
    assert r.status_code == 200
    rows = _csv_rows(r.content)
    assert {row["city_name_en"] for row in rows} == {IMG_EN}
    # A leading quote is doubled so that importers can undo the neutralising exactly.
    assert {row["city_name_ko"] for row in rows} == {"'" + IMG_KO}
    notes = {row[k] for row in rows for k in ("source", "comment")}
    formulas = {*FORMULAS.values(), *FORMULAS_2.values()}
    assert notes == {"'" + f for f in formulas}
    every_cell = [cell for row in rows for cell in row.values() if cell]
    assert not [c for c in every_cell if c[0] in "=+-@" and not _is_number(c)]

    x = public.get("/downloads/all/xlsx")
    assert x.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(x.content), read_only=True)
    every = [c for ws in wb.worksheets for row in ws.iter_rows() for c in row]
    assert not [c.value for c in every if c.data_type == "f"]  # no formula anywhere, README too
    texts = [str(c.value) for c in every if isinstance(c.value, str)]
    assert IMG_EN in texts and XSS_EN in texts
    assert {"'" + f for f in formulas} <= set(texts)
    assert not [t for t in texts if t[:1] in ("=", "+", "-", "@")]


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_every_download_format_keeps_hostile_names_inert(public: TestClient) -> None:
    for fmt in ("json", "datapackage", "sdmx"):
        r = public.get(f"/downloads/cities/{HOSTILE}/{fmt}")
        assert r.status_code == 200, fmt
        assert "text/html" not in r.headers["content-type"], fmt
        assert r.headers["x-content-type-options"] == "nosniff"
        if fmt == "json":
            names = {c["name_en"] for c in r.json()["cities"]}
            assert names == {IMG_EN}
        else:
            with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
                for name in zf.namelist():
                    text = zf.read(name).decode("utf-8")
                    if name.endswith(".xml"):
                        assert "<img" not in text and "<svg" not in text, name


def test_certificate_pdf_of_a_hostile_city_holds_its_name_as_text_and_no_script(
    public: TestClient,
) -> None:
    r = public.get(f"/certificates/{CERT_ID}/pdf")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/pdf"
    pdf = PdfReader(io.BytesIO(r.content))
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "img src=x onerror=alert(1)" in re.sub(r"\s+", " ", text)
    root = pdf.trailer["/Root"]
    opening = root.get("/OpenAction")
    assert not hasattr(opening, "get") or opening.get("/S") != "/JavaScript"  # a view, no action
    assert "/AA" not in root
    assert "/Names" not in root or "/JavaScript" not in root["/Names"]
    assert b"/JavaScript" not in r.content and b"/JS " not in r.content


# --- secrets in logs ----------------------------------------------------------------------------


def test_no_password_token_or_secret_key_reaches_the_logs(
    public: TestClient, portal_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    failed = sign_in(public, EDITOR_LOGIN, "not-the-password-Q7x")
    assert failed.status_code == 401
    assert sign_in(public).status_code == 303
    session = public.cookies.get(SESSION_COOKIE)
    runner = CliRunner()
    added = runner.invoke(
        cli_app,
        ["user", "add", "analyst.daegu", "--name", "Analyst", "--password-stdin",
         "--database-url", portal_db.url],
        input="analyst password 9f3k\n",
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    made = runner.invoke(
        cli_app, ["user", "token", "analyst.daegu", "--database-url", portal_db.url]
    )
    assert made.exit_code == 0, made.output
    api_token = made.stdout.strip().splitlines()[0]
    assert api_token.startswith("cct_")
    assert public.get(
        "/workspace.json", headers={"authorization": f"Bearer {api_token}"}
    ).is_success
    public.get("/cities", headers={"authorization": "Bearer cct_forged-token-value"})
    logged = caplog.text + added.output
    secrets = [EDITOR_PASSWORD, "not-the-password-Q7x", "analyst password 9f3k", api_token,
               session, SECRET_KEY, "cct_forged-token-value"]  # fmt: skip
    assert all(s and s not in logged for s in secrets)
    with portal_db.read() as s:
        audit = json.dumps([(e.action, e.entity_key, e.old, e.new) for e in s.scalars(
            select(AuditLog))], default=str)  # fmt: skip
    assert all(s not in audit for s in secrets if s)
    assert "user.token" in audit and "auth.login" in audit
