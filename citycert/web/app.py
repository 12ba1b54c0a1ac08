"""The app factory: `create_app(settings, database=...)` builds one portal; import builds nothing.

The app refuses to start on a database whose schema is missing or old (`citycert db upgrade`
fixes that). It keeps no state in process memory: sessions, tokens and CSRF checking work from
the database and signed cookies, so any number of processes on any number of machines can serve
the same PostgreSQL database. Static files and the API docs are served from installed packages,
so the portal works without any network access.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import swagger_ui_bundle
from fastapi import Depends, FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse

import citycert
from citycert.settings import Settings, get_settings
from citycert.store.engine import Database
from citycert.store.migrate import ensure_migrated
from citycert.web.csrf import verify_csrf
from citycert.web.errors import error_responses, install_error_handlers
from citycert.web.pages import discover
from citycert.web.security import SecurityHeaders, csp_with_nonce
from citycert.web.state import WebState
from citycert.web.templating import STATIC_DIR, make_environment

log = logging.getLogger("citycert.web")

SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)

DESCRIPTION = """CityCert open data: cities, indicator values and certificates.

Every page of the portal has a JSON twin: add `.json` to its path (`/cities/daegu` ->
`/cities/daegu.json`; the front page is `/index.json`). Lists take `page` and `per_page` and
give `next`/`prev` links. Errors are `{"error": {"code", "message": {"en", "ko"}, "details"}}`.
Only published or certified data is shown. Scripts authenticate with
`Authorization: Bearer <API token>`.
"""


def create_app(settings: Settings | None = None, *, database: Database | None = None) -> FastAPI:
    """A new portal app on `database` (default: the settings' database URL).

    Raises DatabaseNotMigrated (saying to run `citycert db upgrade`) when the schema is not
    up to date; nothing is served from such a database.
    """
    settings = settings or get_settings()
    owned = database is None
    db = database or Database.from_url(settings.database_url)
    try:
        ensure_migrated(db)
    except Exception:
        if owned:
            db.dispose()
        raise
    groups = discover()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            db.dispose()

    app = FastAPI(
        title="CityCert",
        version=getattr(citycert, "__version__", "0"),
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        dependencies=[Depends(verify_csrf)],
        responses=error_responses(),
        lifespan=lifespan,
    )
    # The Swagger UI shipped by `swagger-ui-bundle` (4.x) reads OpenAPI 3.0 documents only;
    # the schema FastAPI writes is read correctly under that label.
    app.openapi_version = "3.0.3"
    app.state.citycert = WebState(
        settings=settings, db=db, templates=make_environment(nav=groups.nav)
    )
    install_error_handlers(app)
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.add_middleware(SecurityHeaders, https=settings.base_url.startswith("https://"))
    # The more specific mount first: `/static` would otherwise swallow `/static/swagger`.
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_DIR), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_api_route("/docs", _api_docs, include_in_schema=False, methods=["GET"])
    for router in groups.routers:
        app.include_router(router)
    log.info(
        "CityCert portal ready on %s database (%s)",
        db.dialect,
        db.engine.url.render_as_string(hide_password=True),
    )
    return app


def _api_docs(request: Request) -> HTMLResponse:
    """Swagger UI from the installed `swagger-ui-bundle` package (no network needed)."""
    nonce = secrets.token_urlsafe(16)
    page = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="CityCert API",
        swagger_js_url="/static/swagger/swagger-ui-bundle.js",
        swagger_css_url="/static/swagger/swagger-ui.css",
        swagger_favicon_url="/static/favicon.svg",
    )
    # Swagger UI speaks English only; say so for screen readers.
    html = (
        bytes(page.body)
        .decode()
        .replace("<html>", '<html lang="en">', 1)
        .replace("<script>", f'<script nonce="{nonce}">')
    )
    return HTMLResponse(html, headers={"content-security-policy": csp_with_nonce(nonce)})
