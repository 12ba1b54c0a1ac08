"""The app factory: refuses an unmigrated database, builds nothing at import, keeps no state in
process memory (two apps on one database agree on who is signed in)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citycert.store.engine import Database
from citycert.store.migrate import DatabaseNotMigrated
from citycert.web import create_app
from tests.web.conftest import EDITOR_PASSWORD, make_settings


def test_app_refuses_an_unmigrated_database_and_says_how_to_fix_it(database_url: str) -> None:
    db = Database.from_url(database_url)
    try:
        with pytest.raises(DatabaseNotMigrated, match="citycert db upgrade"):
            create_app(make_settings(db), database=db)
    finally:
        db.dispose()


def test_importing_the_web_package_builds_nothing(tmp_path: Path) -> None:
    target = tmp_path / "never" / "created.sqlite3"
    code = (
        "import citycert.web, citycert.web.app, citycert.web.pages.city; "
        "import citycert.web.pages as p; print(len(p.discover().routers))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"CITYCERT_DATABASE_URL": f"sqlite:///{target}", "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    assert int(out.stdout) >= 8
    assert not target.parent.exists()


def _sign_in(client: TestClient, login: str) -> None:
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', client.get("/login").text)
    assert token
    r = client.post(
        "/login",
        data={"login": login, "password": EDITOR_PASSWORD, "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_two_app_processes_on_one_database_agree_on_sessions_and_forms(
    sample_db: Database, editor: str
) -> None:
    first = create_app(make_settings(sample_db), database=sample_db)
    # The second app has its own engine, as another process or machine would.
    other_db = Database.from_url(sample_db.url)
    second = create_app(make_settings(other_db), database=other_db)
    try:
        with TestClient(first) as a, TestClient(second) as b:
            _sign_in(a, editor)
            b.cookies.update(dict(a.cookies))
            page = b.get("/cities").text
            assert f"Signed in as {editor}" in page
            # A form rendered by one process is accepted by the other.
            token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page)
            assert token
            out = a.post("/logout", data={"csrf_token": token.group(1)}, follow_redirects=False)
            assert out.status_code == 303
            assert "Signed in as" not in b.get("/cities").text  # the session ended everywhere
    finally:
        other_db.dispose()
