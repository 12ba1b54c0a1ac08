"""Portal test fixtures: a real app on a real database (SQLite, and PostgreSQL when configured)
loaded with the sample data, and an HTTP client for it.

On SQLite the sample is loaded once per session into a template file that each test copies;
on PostgreSQL it is loaded into the test's freshly emptied database. Personas: the public (no
login) and `editor.daegu`, a city editor of Daegu with a password (for sessions and forms).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from citycert.domain.authz import Role
from citycert.services import users
from citycert.services.context import ServiceContext
from citycert.settings import Settings, get_settings
from citycert.store.engine import Database
from citycert.web import create_app
from tests.conftest import FrozenClock
from tests.web.sample_data import Sample, load_sample

EDITOR_LOGIN = "editor.daegu"
EDITOR_PASSWORD = "correct horse battery"
SECRET_KEY = "test-secret-key-that-is-long-enough-for-production-0123456789"


@pytest.fixture(scope="session")
def _sample_sqlite(
    tmp_path_factory: pytest.TempPathFactory, _sqlite_template: Path
) -> tuple[Path, Sample]:
    path = tmp_path_factory.mktemp("sample") / "citycert.sqlite3"
    shutil.copyfile(_sqlite_template, path)
    db = Database.from_url(f"sqlite:///{path}")
    try:
        sample = load_sample(ServiceContext(db=db, actor="cli:setup", clock=FrozenClock()))
    finally:
        db.dispose()
    return path, sample


@pytest.fixture
def loaded(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[tuple[Database, Sample]]:
    """A database holding the sample data, and what the sample holds."""
    if backend == "sqlite":
        source, sample = request.getfixturevalue("_sample_sqlite")
        path = tmp_path / "sample.sqlite3"
        shutil.copyfile(source, path)
        db = Database.from_url(f"sqlite:///{path}")
        try:
            yield db, sample
        finally:
            db.dispose()
    else:
        db = request.getfixturevalue("db")
        yield db, load_sample(ServiceContext(db=db, actor="cli:setup", clock=FrozenClock()))


@pytest.fixture
def sample_db(loaded: tuple[Database, Sample]) -> Database:
    return loaded[0]


@pytest.fixture
def sample(loaded: tuple[Database, Sample]) -> Sample:
    return loaded[1]


@pytest.fixture
def web_ctx(sample_db: Database) -> ServiceContext:
    """The operator's context on the sample database (set-up steps inside a test)."""
    return ServiceContext(db=sample_db, actor="cli:setup")


@pytest.fixture
def editor(web_ctx: ServiceContext) -> str:
    """A city editor of Daegu who can sign in; returns the login."""
    users.add_user(web_ctx, login=EDITOR_LOGIN, name="Daegu editor", password=EDITOR_PASSWORD)
    users.grant_role(web_ctx, login=EDITOR_LOGIN, role=Role.city_editor, city="daegu")
    return EDITOR_LOGIN


def make_settings(db: Database, **overrides: object) -> Settings:
    return get_settings(database_url=db.url, secret_key=SECRET_KEY, **overrides)


@pytest.fixture
def app(sample_db: Database) -> FastAPI:
    return create_app(make_settings(sample_db), database=sample_db)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c
