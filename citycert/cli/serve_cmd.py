"""`citycert serve`: run the web portal with uvicorn (one or several processes, one database)."""

from __future__ import annotations

import contextlib
import os
import socket
from typing import Any

import typer

from citycert.cli.common import fail
from citycert.cli.db_cmd import database_url_option, open_db, resolve_url, say
from citycert.services import users
from citycert.services.context import ServiceContext, cli_actor
from citycert.settings import ENV_PREFIX, SettingsError, get_settings

# uvicorn builds the app in each worker process by calling this factory (settings from env).
APP_FACTORY = "citycert.web.app:create_app"


def check_ready(database_url: str | None) -> str:
    """The database URL to serve, after checking settings and schema (exits with the reason)."""
    url = resolve_url(database_url)
    try:
        get_settings(database_url=url)
    except SettingsError as exc:
        fail(str(exc))
    open_db(url).dispose()  # refuses an unmigrated database with the upgrade hint
    return url


def demo_logins(url: str) -> str:
    """Who can sign in on this database (logins and roles; passwords are never stored in clear)."""
    db = open_db(url)
    try:
        every = users.list_users(ServiceContext(db=db, actor=cli_actor()))
        people = [u for u in every if u.active and u.has_password]
    finally:
        db.dispose()
    if not people:
        return (
            "demo logins: none yet; the public pages need no login "
            "(데모 로그인 계정 없음: 공개 페이지는 로그인 없이 볼 수 있습니다)"
        )
    lines = [f"  {u.login}: " + "; ".join(g.describe() for g in u.grants) for u in people]
    return "demo logins (sign in at /login; 로그인 계정):\n" + "\n".join(lines)


def run_server(url: str, host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Serve the portal on `url` until interrupted; `workers` processes share the database."""
    import uvicorn

    # Worker processes read their settings from the environment, so pass the URL on there.
    os.environ[f"{ENV_PREFIX}DATABASE_URL"] = url
    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "log_level": log_level,
        "proxy_headers": True,
        "server_header": False,
    }
    if workers == 1:
        uvicorn.run(APP_FACTORY, **options)
        return
    # Several processes share a listening socket that uvicorn binds without TCP_NODELAY, so every
    # keep-alive response after the first would wait ~40 ms for the client's delayed ACK
    # (uvicorn issue #3149). Accepted connections inherit the option from the listener.
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(APP_FACTORY, **options)
    sock = config.bind_socket()
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[sock]).run()


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
        port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
        workers: int = typer.Option(
            1, "--workers", min=1, max=64, help="Server processes (they share the database)."
        ),
        log_level: str = typer.Option("info", "--log-level", help="debug, info or warning."),
        database_url: str | None = database_url_option(),
    ) -> None:
        """Serve the web portal (public pages, JSON API and API docs at /docs)."""
        url = check_ready(database_url)
        say(f"CityCert portal: http://{_display(host)}:{port}/  (API docs: /docs)")
        run_server(url, host, port, workers, log_level)


def _display(host: str) -> str:
    return "127.0.0.1" if host in ("0.0.0.0", "") else (f"[{host}]" if ":" in host else host)
