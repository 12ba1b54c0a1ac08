"""Web security basics: headers, CSRF on every form, session cookies, escaping, quiet logs."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from citycert.store.engine import Database
from citycert.web import create_app
from citycert.web.csrf import CSRF_COOKIE
from citycert.web.security import SESSION_COOKIE
from tests.web.conftest import EDITOR_PASSWORD, SECRET_KEY, make_settings
from tests.web.sample_data import XSS_EN, XSS_KO

PAGES = ["/", "/cities", "/cities/script-city", "/compare?city=script-city", "/login",
         "/indicators/iso37120-2018:8.1", "/cities?q=%3Cscript%3E"]  # fmt: skip


def _form_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the form has no CSRF field"
    return found.group(1)


@pytest.mark.parametrize(
    "path", ["/", "/cities.json", "/static/citycert.css", "/no-such-page", "/docs"]
)
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    h = client.get(path).headers
    assert h["x-content-type-options"] == "nosniff"
    assert h["x-frame-options"] == "DENY"
    assert h["referrer-policy"] == "strict-origin-when-cross-origin"
    csp = h["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and "'unsafe-inline'" not in script_src.group(1)
    assert "strict-transport-security" not in h  # plain http here


def test_pages_have_no_inline_scripts_and_docs_tag_theirs_with_the_nonce(
    client: TestClient,
) -> None:
    for path in PAGES:
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"<[^>]*\son[a-z]+=", html), path  # no inline event handlers
    docs = client.get("/docs")
    nonce = re.search(r"'nonce-([^']+)'", docs.headers["content-security-policy"])
    assert nonce
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", docs.text)
    assert inline and all(f'nonce="{nonce.group(1)}"' in attrs for attrs in inline)
    assert "cdn" not in docs.text.lower() and "/static/swagger/swagger-ui-bundle.js" in docs.text


def test_https_portal_asks_for_strict_transport(sample_db: Database) -> None:
    app = create_app(
        make_settings(sample_db, base_url="https://portal.example"), database=sample_db
    )
    with TestClient(app, base_url="https://testserver") as c:
        assert c.get("/").headers["strict-transport-security"].startswith("max-age=")


@pytest.mark.parametrize(
    ("headers", "data"),
    [
        ({}, {"login": "editor.daegu", "password": EDITOR_PASSWORD}),
        ({}, {"login": "editor.daegu", "password": EDITOR_PASSWORD, "csrf_token": "0" * 64}),
        ({"x-csrf-token": "not-a-token"}, {"login": "editor.daegu", "password": "x"}),
    ],
)
def test_form_post_without_a_valid_token_is_refused_and_changes_nothing(
    client: TestClient, editor: str, headers: dict[str, str], data: dict[str, str]
) -> None:
    client.get("/login")  # sets the CSRF seed cookie, as a browser would have it
    r = client.post("/login", data=data, headers=headers, follow_redirects=False)
    assert r.status_code == 403
    assert "csrf_failed" in r.text
    assert SESSION_COOKIE not in r.cookies


def test_token_from_another_seed_is_refused(client: TestClient, editor: str) -> None:
    token = _form_token(client.get("/login").text)
    client.cookies.delete(CSRF_COOKIE)
    client.get("/login")  # a new seed
    r = client.post(
        "/login", data={"login": editor, "password": EDITOR_PASSWORD, "csrf_token": token}
    )
    assert r.status_code == 403


def test_sign_in_with_the_form_token_sets_a_protected_session_cookie(
    client: TestClient, editor: str
) -> None:
    token = _form_token(client.get("/login?next=/cities").text)
    r = client.post(
        "/login",
        data={"login": editor, "password": EDITOR_PASSWORD, "csrf_token": token, "next": "/cities"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/cities"
    cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie"
                  and v.startswith(SESSION_COOKIE))  # fmt: skip
    flags = cookie.lower()
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags  # http portal
    page = client.get("/cities").text
    assert "Signed in as editor.daegu" in page
    # Signing out needs the (new, session-bound) token too.
    assert client.post("/logout", follow_redirects=False).status_code == 403
    token = _form_token(page)
    out = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303
    assert "Signed in as" not in client.get("/cities").text


def test_wrong_password_shows_the_form_again_in_the_visitors_language(
    client: TestClient, editor: str
) -> None:
    token = _form_token(client.get("/login?lang=ko").text)
    r = client.post("/login", data={"login": editor, "password": "wrong", "csrf_token": token})
    assert r.status_code == 401
    assert "아이디 또는 비밀번호가 틀렸거나" in r.text
    assert SESSION_COOKIE not in r.cookies


def test_session_cookie_is_secure_on_an_https_portal(sample_db: Database, editor: str) -> None:
    app = create_app(
        make_settings(sample_db, base_url="https://portal.example"), database=sample_db
    )
    with TestClient(app, base_url="https://testserver") as c:
        token = _form_token(c.get("/login").text)
        r = c.post(
            "/login",
            data={"login": editor, "password": EDITOR_PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        cookies = [v.lower() for k, v in r.headers.multi_items() if k == "set-cookie"]
        assert cookies and all("secure" in v and "httponly" in v for v in cookies)


def test_login_redirect_never_leaves_the_site(client: TestClient, editor: str) -> None:
    token = _form_token(client.get("/login").text)
    r = client.post(
        "/login",
        data={"login": editor, "password": EDITOR_PASSWORD, "csrf_token": token,
              "next": "//evil.example/steal"},
        follow_redirects=False,
    )  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_api_client_with_a_bearer_token_needs_no_csrf_token(client: TestClient) -> None:
    # No cookies at all: nothing a forged cross-site form could ride on.
    client.cookies.clear()
    r = client.post("/logout", headers={"authorization": "Bearer cct_unknown"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303


@pytest.mark.parametrize("path", PAGES)
def test_a_city_named_like_a_script_is_harmless_on_every_page(
    client: TestClient, path: str
) -> None:
    for lang in ("en", "ko"):
        html = client.get(path, params={"lang": lang}).text
        assert "<script>alert" not in html and "<b>Region</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get("/cities/script-city").text


def test_a_city_named_like_a_script_is_plain_data_in_json(client: TestClient) -> None:
    r = client.get("/cities/script-city.json")
    assert r.headers["content-type"] == "application/json"
    assert r.json()["city"]["name_en"] == XSS_EN and r.json()["city"]["name_ko"] == XSS_KO


def test_logs_hold_no_passwords_tokens_or_secrets(
    client: TestClient, editor: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = _form_token(client.get("/login").text)
    client.post("/login", data={"login": editor, "password": EDITOR_PASSWORD, "csrf_token": token})
    session = client.cookies.get(SESSION_COOKIE)
    assert session
    client.get("/cities", headers={"authorization": "Bearer cct_secret-api-token"})
    client.get("/no-such-page")
    logged = caplog.text
    for secret in (EDITOR_PASSWORD, SECRET_KEY, session, "cct_secret-api-token", token):
        assert secret not in logged


def test_app_creation_logs_the_database_without_its_password(
    app: FastAPI, sample_db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="citycert.web")
    create_app(make_settings(sample_db), database=sample_db)
    assert "CityCert portal ready" in caplog.text
    assert SECRET_KEY not in caplog.text
