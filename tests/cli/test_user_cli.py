"""`citycert user`: add (password never echoed), list, grant, revoke, token shown once."""

from __future__ import annotations

import json

import pytest
from click.testing import Result
from typer.testing import CliRunner

from citycert.cli import app
from citycert.services import auth
from citycert.services.context import ServiceContext
from citycert.store.audit_log import export
from citycert.store.engine import Database

runner = CliRunner()
PASSWORD = "s3cret-enough-password"


def cli(url: str, *args: str, input: str | None = None) -> Result:
    return runner.invoke(app, ["user", *args, "--database-url", url], input=input)


@pytest.fixture
def url(database_url: str) -> str:
    result = runner.invoke(app, ["db", "upgrade", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    return database_url


def _city_and_cycle(url: str) -> int:
    from citycert.services import cities, cycles

    db = Database.from_url(url)
    try:
        ctx = ServiceContext(db=db, actor="test")
        cities.create_city(
            ctx,
            data=cities.parse_create(
                {"slug": "daegu", "name_en": "Daegu", "name_ko": "대구광역시", "country": "KR"}
            ),
        )
        return cycles.open_cycle(ctx, city="daegu", catalog="iso37120-2014", year=2023).id
    finally:
        db.dispose()


def test_add_with_password_stdin_never_prints_or_logs_the_password(url: str) -> None:
    result = cli(
        url, "add", "kim", "--name", "Kim Minji", "--password-stdin", input=PASSWORD + "\n"
    )

    assert result.exit_code == 0, result.output
    assert "added user kim" in result.output
    assert PASSWORD not in result.output
    db = Database.from_url(url)
    try:
        ctx = ServiceContext(db=db, actor="test")
        assert auth.login(ctx, login="kim", password=PASSWORD).login == "kim"
        with db.read() as s:
            assert PASSWORD not in export(s, "json")
    finally:
        db.dispose()


def test_password_prompt_hides_input_and_asks_twice(url: str) -> None:
    result = cli(
        url, "add", "lee", "--name", "Lee", "--password", input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert "Password (비밀번호)" in result.output
    assert "Repeat the password" in result.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["add", "x", "--name", "X"], None, "login"),
        (["add", "kim", "--name", "Kim", "--password-stdin"], "short\n", "10 characters"),
        (["add", "kim", "--name", "Kim", "--password-stdin"], "\n", "no password"),
        (["grant", "nobody", "verifier", "--cycle", "1"], None, "no user"),
        (["grant", "kim", "mayor"], None, "unknown role"),
    ],
)
def test_bad_requests_exit_2_with_a_bilingual_message(
    url: str, args: list[str], stdin: str | None, message: str
) -> None:
    result = cli(url, *args, input=stdin)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert any("\uac00" <= ch <= "\ud7a3" for ch in result.output)  # has Korean text


def test_grant_list_revoke_round_trip(url: str) -> None:
    cycle_id = _city_and_cycle(url)
    assert cli(url, "add", "kim", "--name", "Kim").exit_code == 0
    assert cli(url, "add", "park", "--name", "Park").exit_code == 0

    granted = cli(url, "grant", "kim", "city_editor", "--city", "daegu")
    assert granted.exit_code == 0, granted.output
    assert cli(url, "grant", "park", "verifier", "--cycle", str(cycle_id)).exit_code == 0
    missing_scope = cli(url, "grant", "park", "city_coordinator")
    assert missing_scope.exit_code == 2 and "--city" in missing_scope.output

    listed = json.loads(cli(url, "list", "--format", "json").stdout)
    assert [(u["login"], u["grants"]) for u in listed] == [
        ("kim", [{"role": "city_editor", "city": "daegu", "cycle_id": None}]),
        ("park", [{"role": "verifier", "city": "daegu", "cycle_id": cycle_id}]),
    ]
    assert cli(url, "revoke", "kim", "city_editor").exit_code == 0
    assert json.loads(cli(url, "list", "--format", "json").stdout)[0]["grants"] == []
    assert cli(url, "revoke", "kim", "city_editor").exit_code == 2


def test_token_is_printed_once_on_stdout_and_works(url: str) -> None:
    assert cli(url, "add", "bot", "--name", "Import bot").exit_code == 0

    first = cli(url, "token", "bot", "--label", "nightly")
    second = cli(url, "token", "bot")

    assert first.exit_code == 0, first.output
    token = first.stdout.strip()
    assert token.startswith("cct_") and token != second.stdout.strip()
    db = Database.from_url(url)
    try:
        ctx = ServiceContext(db=db, actor="web")
        principal = auth.token_principal(ctx, token)
        assert principal is not None and principal.login == "bot"
        with db.read() as s:
            assert token not in export(s, "csv")
    finally:
        db.dispose()
