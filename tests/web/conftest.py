"""Portal test fixtures: a real app on a real database (SQLite, and PostgreSQL when configured)
loaded with the sample data, and an HTTP client for it.

The sample is loaded once per session into a template (a SQLite file; a PostgreSQL template
database) that each test copies, so every test starts from the same data quickly.
Personas: the public (no login) and `editor.daegu`, a city editor of Daegu with a password
(for sessions and forms).
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from citycert.domain.authz import Role
from citycert.services import users
from citycert.services.context import ServiceContext
from citycert.settings import Settings, get_settings
from citycert.store import migrate
from citycert.store.engine import Database
from citycert.web import create_app
from tests.conftest import FrozenClock, _postgres_admin_url
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
        template, sample = request.getfixturevalue("_sample_pg_template")
        name = f"{template}_{secrets.token_hex(4)}"
        _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        url = make_url(request.getfixturevalue("postgres_session_url")).set(database=name)
        db = Database.from_url(url.render_as_string(hide_password=False))
        try:
            yield db, sample
        finally:
            db.dispose()
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_admin(statement: str) -> None:
    admin = _postgres_admin_url()
    assert admin is not None
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def _sample_pg_template(postgres_session_url: str) -> Iterator[tuple[str, Sample]]:
    """Name of a PostgreSQL database holding the sample data, copied by each test."""
    name = f"{make_url(postgres_session_url).database}_sample"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        url = (
            make_url(postgres_session_url).set(database=name).render_as_string(hide_password=False)
        )
        migrate.upgrade(url)
        db = Database.from_url(url)
        try:
            sample = load_sample(ServiceContext(db=db, actor="cli:setup", clock=FrozenClock()))
        finally:
            db.dispose()
        yield name, sample
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
