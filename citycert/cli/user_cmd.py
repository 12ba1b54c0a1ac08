"""`citycert user`: add and list users, grant and revoke roles, make API tokens.

Passwords are never taken as command-line values (they would land in shell history and process
lists): `--password` asks for one without echo, `--password-stdin` reads the first line of
standard input. A new API token is printed once, on standard output, and cannot be shown again.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import timedelta
from typing import Concatenate, ParamSpec, TypeVar

import typer
from rich.table import Table

from citycert.cli.common import OutputFormat, console, err_console, fail, print_json
from citycert.cli.context import open_context
from citycert.cli.db_cmd import database_url_option, say
from citycert.domain.authz import Role
from citycert.services import auth, users
from citycert.services.context import ServiceContext, ServiceError

app = typer.Typer(
    help="Users and roles: add, list, grant, revoke, API tokens.", no_args_is_help=True
)

P = ParamSpec("P")
T = TypeVar("T")

ROLES_HELP = ", ".join(r.value for r in Role)


def _call(
    database_url: str | None,
    use_case: Callable[Concatenate[ServiceContext, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run one use case on a fresh context; a ServiceError ends the command with code 2."""
    ctx = open_context(database_url)
    try:
        return use_case(ctx, *args, **kwargs)
    except ServiceError as exc:
        fail(f"{exc.message_en}\n{exc.message_ko}")
    finally:
        ctx.db.dispose()


def _read_password(prompt: bool, stdin: bool) -> str | None:
    if prompt and stdin:
        fail("give --password or --password-stdin, not both (둘 중 하나만 지정하십시오)")
    if stdin:
        line = sys.stdin.readline()
        password = line.rstrip("\r\n")
        if not password:
            fail("no password on standard input (표준 입력에 비밀번호가 없습니다)")
        return password
    if prompt:
        return str(
            typer.prompt(
                "Password (비밀번호)",
                hide_input=True,
                confirmation_prompt="Repeat the password (비밀번호 확인)",
            )
        )
    return None


def _role(value: str) -> Role:
    try:
        return Role(value.strip().lower())
    except ValueError:
        fail(f"unknown role {value!r}; use one of: {ROLES_HELP} (알 수 없는 역할입니다)")


@app.command("add")
def add(
    login: str = typer.Argument(..., help="Login name (lower case, digits, . _ @ -)."),
    name: str = typer.Option(..., "--name", help="Full name shown in the app."),
    email: str | None = typer.Option(None, "--email"),
    password: bool = typer.Option(False, "--password", help="Ask for a password (not echoed)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
    database_url: str | None = database_url_option(),
) -> None:
    """Add a user (without roles; see `user grant`). Without a password the user cannot log in."""
    secret = _read_password(password, password_stdin)
    user = _call(database_url, users.add_user, login=login, name=name, password=secret, email=email)
    say(f"added user {user.login} (사용자를 추가했습니다)")


@app.command("list")
def list_(
    format: OutputFormat = typer.Option(OutputFormat.table, "--format"),
    database_url: str | None = database_url_option(),
) -> None:
    """List users with their roles."""
    found = _call(database_url, users.list_users)
    if format is OutputFormat.json:
        print_json(
            [
                {
                    "login": u.login,
                    "name": u.name,
                    "email": u.email,
                    "active": u.active,
                    "has_password": u.has_password,
                    "grants": [
                        {"role": g.role.value, "city": g.city, "cycle_id": g.cycle_id}
                        for g in u.grants
                    ],
                }
                for u in found
            ]
        )
        return
    table = Table("login", "name", "active", "password", "roles")
    for u in found:
        table.add_row(
            u.login,
            u.name,
            "yes" if u.active else "no",
            "set" if u.has_password else "-",
            "; ".join(g.describe() for g in u.grants) or "-",
        )
    console.print(table)


@app.command("grant")
def grant(
    login: str = typer.Argument(...),
    role: str = typer.Argument(..., help=ROLES_HELP),
    city: str | None = typer.Option(None, "--city", help="City slug (editor, coordinator)."),
    cycle: int | None = typer.Option(None, "--cycle", help="Cycle id (verifier)."),
    database_url: str | None = database_url_option(),
) -> None:
    """Give a user a role, scoped to a city (--city) or a reporting cycle (--cycle)."""
    the_role = _role(role)
    user = _call(
        database_url, users.grant_role, login=login, role=the_role, city=city, cycle_id=cycle
    )
    roles = "; ".join(g.describe() for g in user.grants)
    say(f"{user.login}: {roles} (권한을 부여했습니다)")


@app.command("revoke")
def revoke(
    login: str = typer.Argument(...),
    role: str = typer.Argument(..., help=ROLES_HELP),
    city: str | None = typer.Option(None, "--city"),
    cycle: int | None = typer.Option(None, "--cycle"),
    database_url: str | None = database_url_option(),
) -> None:
    """Take a role away (every scope of it unless --city/--cycle narrow it)."""
    the_role = _role(role)
    user = _call(
        database_url, users.revoke_role, login=login, role=the_role, city=city, cycle_id=cycle
    )
    roles = "; ".join(g.describe() for g in user.grants) or "no roles"
    say(f"{user.login}: {roles} (권한을 회수했습니다)")


@app.command("token")
def token(
    login: str = typer.Argument(...),
    label: str | None = typer.Option(None, "--label", help="What the token is for."),
    days: int | None = typer.Option(None, "--days", min=1, help="Expire after N days."),
    database_url: str | None = database_url_option(),
) -> None:
    """Make a new API token and print it once (only its hash is stored)."""
    secret = _call(
        database_url,
        auth.create_api_token,
        login=login,
        label=label,
        lifetime=timedelta(days=days) if days else None,
    )
    sys.stdout.write(secret.token + "\n")
    # The notice goes to stderr, so `TOKEN=$(citycert user token x)` captures the token alone.
    err_console.print(
        f"API token for {secret.login}: shown once, store it now "
        "(API 토큰은 지금 한 번만 표시됩니다. 안전한 곳에 보관하십시오)",
        soft_wrap=True,
        highlight=False,
    )
