"""Cross-site request forgery protection for every form: a signed double-submit token.

A random seed lives in a cookie; the token put in forms (field `csrf_token`) or sent by scripts
(header `X-CSRF-Token`) is HMAC(secret key, seed + session cookie). A POST, PUT, PATCH or DELETE
without the matching token is refused with 403. Nothing is stored on the server, so any number
of processes can check tokens; the token changes when the login session changes. Requests that
authenticate only with an `Authorization: Bearer` header carry no ambient credentials and are
exempt (a cross-site form cannot set that header).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from starlette.requests import Request
from starlette.responses import Response

from citycert.settings import Settings
from citycert.web.security import SESSION_COOKIE, set_cookie

CSRF_COOKIE = "citycert_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_SEED = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class CsrfError(Exception):
    """The request changes something but does not carry a valid CSRF token."""


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.citycert.settings
    return settings


def _sign(secret: str, seed: str, session: str) -> str:
    msg = f"csrf|{seed}|{session}".encode()
    return hmac.new(secret.encode(), msg, hashlib.sha256).hexdigest()


def _seed(request: Request) -> str:
    """The seed from the cookie, or a new one remembered for this response to set."""
    seed = request.cookies.get(CSRF_COOKIE, "")
    if _SEED.match(seed):
        return seed
    fresh: str | None = getattr(request.state, "csrf_new_seed", None)
    if fresh is None:
        fresh = secrets.token_urlsafe(32)
        request.state.csrf_new_seed = fresh
    return fresh


def csrf_token(request: Request) -> str:
    """The token forms on this page must send back."""
    return _sign(
        _settings(request).secret_key, _seed(request), request.cookies.get(SESSION_COOKIE, "")
    )


def set_csrf_cookie(request: Request, response: Response) -> None:
    """Set the seed cookie when this request created one (call on every HTML response)."""
    fresh = getattr(request.state, "csrf_new_seed", None)
    if fresh:
        set_cookie(response, _settings(request), CSRF_COOKIE, fresh)


async def verify_csrf(request: Request) -> None:
    """FastAPI dependency for the whole app: raises CsrfError on an unprotected change."""
    if request.method not in UNSAFE_METHODS:
        return
    bearer = request.headers.get("authorization", "").lower().startswith("bearer ")
    if bearer and SESSION_COOKIE not in request.cookies:
        return
    seed = request.cookies.get(CSRF_COOKIE, "")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(_FORM_TYPES):
        value = (await request.form()).get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not (_SEED.match(seed) and sent):
        raise CsrfError("missing CSRF token")
    expected = _sign(_settings(request).secret_key, seed, request.cookies.get(SESSION_COOKIE, ""))
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfError("CSRF token does not match")
