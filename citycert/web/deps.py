"""Request dependencies: who is asking (session cookie or bearer token) and their service context.

`get_principal` resolves, in this order: an `Authorization: Bearer <API token>` header, then the
session cookie; anything missing, expired or revoked is the anonymous public. Both look-ups go to
the database, so every server process agrees on who is logged in.
"""

from __future__ import annotations

from starlette.requests import Request

from citycert.services import auth
from citycert.services.context import ServiceContext
from citycert.services.principal import ANONYMOUS, Principal
from citycert.web.security import SESSION_COOKIE
from citycert.web.state import web_state


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer` header, if any."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def get_principal(request: Request) -> Principal:
    """The principal of this request (computed once per request); ANONYMOUS when not logged in."""
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    principal = ANONYMOUS
    db = web_state(request).db
    probe = ServiceContext(db=db, actor=ANONYMOUS.login, principal=ANONYMOUS)
    token = bearer_token(request)
    if token is not None:
        principal = auth.token_principal(probe, token) or ANONYMOUS
    elif session := request.cookies.get(SESSION_COOKIE):
        principal = auth.session_principal(probe, session) or ANONYMOUS
    request.state.principal = principal
    return principal


def service_context(request: Request) -> ServiceContext:
    """A ServiceContext acting as this request's principal."""
    principal = get_principal(request)
    return ServiceContext(db=web_state(request).db, actor=principal.login, principal=principal)


def public_context(request: Request) -> ServiceContext:
    """A ServiceContext for the anonymous public (public pages never need to know who asks)."""
    return ServiceContext(db=web_state(request).db, actor=ANONYMOUS.login, principal=ANONYMOUS)
