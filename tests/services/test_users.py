"""Users, roles, passwords, database sessions and API tokens."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select

from citycert.domain.authz import Action, Role, Target
from citycert.services import auth, cities, cycles, users
from citycert.services.context import NotFoundError, ServiceContext, ValidationFailed
from citycert.services.principal import PermissionDenied, user_context
from citycert.store.audit_log import export
from citycert.store.engine import Database
from citycert.store.models_auth import ApiToken, AuthSession, User

PASSWORD = "correct horse battery"


@pytest.fixture
def admin(context_for: Callable[[str], ServiceContext]) -> ServiceContext:
    ctx = context_for("admin@kcert")
    cities.create_city(
        ctx,
        data=cities.parse_create(
            {"slug": "daegu", "name_en": "Daegu", "name_ko": "대구광역시", "country": "KR"}
        ),
    )
    cycles.open_cycle(ctx, city="daegu", catalog="iso37120-2014", year=2023)
    return ctx


def test_add_user_stores_an_argon2_hash_and_never_the_password(admin: ServiceContext) -> None:
    user = users.add_user(admin, login="Kim.Editor", name="Kim", password=PASSWORD)

    assert (user.login, user.has_password, user.grants) == ("kim.editor", True, ())
    with admin.db.read() as s:
        stored = s.scalars(select(User.password_hash)).one()
        log = export(s, "json")
    assert stored is not None and stored.startswith("$argon2")
    assert PASSWORD not in stored and PASSWORD not in log
    assert [e["action"] for e in json.loads(log)][-1] == "user.add"


@pytest.mark.parametrize(
    ("login", "name", "password", "wheres"),
    [
        ("x", "X", None, ["login"]),
        ("has space", "", None, ["login", "name"]),
        ("good.login", "Good", "short", ["password"]),
        ("good.login", " ", "short", ["name", "password"]),
    ],
)
def test_add_user_lists_every_problem_and_saves_nothing(
    admin: ServiceContext, login: str, name: str, password: str | None, wheres: list[str]
) -> None:
    with pytest.raises(ValidationFailed) as err:
        users.add_user(admin, login=login, name=name, password=password)
    assert [p.where for p in err.value.problems] == wheres
    assert users.list_users(admin) == []


def test_a_login_is_taken_once(admin: ServiceContext) -> None:
    users.add_user(admin, login="kim", name="Kim")
    with pytest.raises(ValidationFailed, match="already exists"):
        users.add_user(admin, login="KIM", name="Other Kim")


@pytest.mark.parametrize(
    ("role", "scope", "problem"),
    [
        (Role.city_editor, {}, "city"),
        (Role.city_coordinator, {"cycle_id": 1}, None),
        (Role.verifier, {"city": "daegu"}, "cycle"),
        (Role.verifier, {"cycle_id": 1}, None),
        (Role.administrator, {"city": "daegu"}, "role"),
        (Role.administrator, {}, None),
    ],
)
def test_grants_need_the_scope_their_role_needs(
    admin: ServiceContext, role: Role, scope: dict[str, object], problem: str | None
) -> None:
    users.add_user(admin, login="kim", name="Kim")
    if problem is None:
        granted = users.grant_role(admin, login="kim", role=role, **scope)  # type: ignore[arg-type]
        assert [g.role for g in granted.grants] == [role]
    else:
        with pytest.raises(ValidationFailed) as err:
            users.grant_role(admin, login="kim", role=role, **scope)  # type: ignore[arg-type]
        assert [p.where for p in err.value.problems] == [problem]


def test_grant_is_idempotent_and_revoke_takes_it_back(admin: ServiceContext) -> None:
    users.add_user(admin, login="kim", name="Kim")
    users.grant_role(admin, login="kim", role=Role.city_editor, city="daegu")
    again = users.grant_role(admin, login="kim", role=Role.city_editor, city="daegu")
    assert [g.describe() for g in again.grants] == ["city editor (city=daegu)"]
    assert again.grants[0].describe("ko") == "도시 데이터 입력 담당자 (city=daegu)"

    assert users.revoke_role(admin, login="kim", role=Role.city_editor).grants == ()
    with pytest.raises(NotFoundError):
        users.revoke_role(admin, login="kim", role=Role.city_editor)


def test_roles_take_effect_for_a_new_context(admin: ServiceContext) -> None:
    users.add_user(admin, login="kim", name="Kim")
    kim = user_context(admin.db, "kim", clock=admin.clock)
    with pytest.raises(PermissionDenied):
        users.list_users(kim)
    users.grant_role(admin, login="kim", role=Role.administrator)
    kim = user_context(admin.db, "kim", clock=admin.clock)
    assert [u.login for u in users.list_users(kim)] == ["kim"]


def test_only_administrators_manage_users(admin: ServiceContext) -> None:
    users.add_user(admin, login="coord", name="Coordinator")
    users.grant_role(admin, login="coord", role=Role.city_coordinator, city="daegu")
    coord = user_context(admin.db, "coord", clock=admin.clock)
    with pytest.raises(PermissionDenied):
        users.add_user(coord, login="friend", name="Friend")
    with pytest.raises(PermissionDenied):
        users.grant_role(coord, login="coord", role=Role.administrator)


def test_login_opens_a_session_that_another_server_process_sees(
    admin: ServiceContext, context_for: Callable[[str], ServiceContext]
) -> None:
    users.add_user(admin, login="kim", name="Kim", password=PASSWORD)
    users.grant_role(admin, login="kim", role=Role.city_editor, city="daegu")

    secret = auth.login(admin, login="KIM", password=PASSWORD)

    # A second engine on the same database stands for another server process.
    other = Database.from_url(admin.db.url)
    try:
        other_ctx = ServiceContext(db=other, actor="web", clock=admin.clock)
        principal = auth.session_principal(other_ctx, secret.token)
    finally:
        other.dispose()
    assert principal is not None and principal.login == "kim"
    assert principal.can(Action.input_set, Target(city_id=1, cycle_id=1))
    with admin.db.read() as s:
        assert s.scalars(select(AuthSession.token_hash)).one() == auth.token_hash(secret.token)


@pytest.mark.parametrize(
    ("login", "password"),
    [("kim", "wrong password!"), ("nobody", PASSWORD), ("disabled", PASSWORD)],
)
def test_wrong_login_password_or_disabled_account_fails_alike(
    admin: ServiceContext, login: str, password: str
) -> None:
    users.add_user(admin, login="kim", name="Kim", password=PASSWORD)
    users.add_user(admin, login="disabled", name="Gone", password=PASSWORD)
    users.set_active(admin, login="disabled", active=False)
    with pytest.raises(auth.AuthenticationFailed) as err:
        auth.login(admin, login=login, password=password)
    assert "아이디" in err.value.message("ko")


def test_sessions_expire_and_end_at_logout(admin: ServiceContext) -> None:
    users.add_user(admin, login="kim", name="Kim", password=PASSWORD)
    first = auth.login(admin, login="kim", password=PASSWORD)
    second = auth.login(admin, login="kim", password=PASSWORD)

    assert auth.logout(admin, token=first.token) is True
    assert auth.session_principal(admin, first.token) is None
    assert auth.session_principal(admin, second.token) is not None
    admin.clock.advance(hours=13)  # type: ignore[attr-defined]
    assert auth.session_principal(admin, second.token) is None
    assert auth.session_principal(admin, "cct_made-up") is None


def test_api_token_is_shown_once_stored_as_a_hash_and_can_be_revoked(
    admin: ServiceContext,
) -> None:
    users.add_user(admin, login="kim", name="Kim")
    secret = auth.create_api_token(admin, login="kim", label="nightly import")

    with admin.db.read() as s:
        stored_hash, prefix = s.execute(select(ApiToken.token_hash, ApiToken.prefix)).one()
        log = export(s, "csv")
    assert stored_hash == auth.token_hash(secret.token) != secret.token
    assert secret.token.startswith(prefix) and secret.token not in log
    principal = auth.token_principal(admin, secret.token)
    assert principal is not None and principal.login == "kim"

    assert auth.revoke_api_tokens(admin, login="kim") == 1
    assert auth.token_principal(admin, secret.token) is None


def test_users_may_make_their_own_token_but_not_someone_elses(admin: ServiceContext) -> None:
    users.add_user(admin, login="kim", name="Kim")
    users.add_user(admin, login="lee", name="Lee")
    kim = user_context(admin.db, "kim", clock=admin.clock)

    own = auth.create_api_token(kim, login="kim", lifetime=timedelta(days=1))
    with pytest.raises(PermissionDenied):
        auth.create_api_token(kim, login="lee")

    assert auth.token_principal(kim, own.token) is not None
    admin.clock.advance(days=2)  # type: ignore[attr-defined]
    assert auth.token_principal(kim, own.token) is None
