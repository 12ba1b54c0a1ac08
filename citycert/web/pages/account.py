"""Signing in and out: a session cookie (HttpOnly, SameSite=Lax, Secure on https) whose token
only the database knows by its hash, so every server process recognises it."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Query
from pydantic import BaseModel
from starlette.responses import RedirectResponse, Response

from citycert.services import auth, throttle
from citycert.services.context import ServiceContext
from citycert.web.deps import public_context
from citycert.web.rendering import PageContext, page, page_context, render_page
from citycert.web.security import SESSION_COOKIE, clear_cookie, set_cookie

router = APIRouter(tags=["account"])


class LoginPage(BaseModel):
    next: str
    login: str | None = None
    error: dict[str, str] | None = None


def safe_next(target: str | None) -> str:
    """A local path to go to after signing in; anything else (other sites) becomes `/`."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@page(router, "/login", template="login.html", model=LoginPage, summary="Sign-in form")
def login_form(
    next: str | None = Query(None, max_length=500, description="Where to go afterwards."),
    pc: PageContext = Depends(page_context),
) -> LoginPage:
    """The sign-in form (the form posts to the same address)."""
    return LoginPage(next=safe_next(next))


@router.post("/login", include_in_schema=False)
def login_submit(
    login: str = Form(..., max_length=100),
    password: str = Form(..., max_length=1000),
    next: str = Form("/", max_length=500),
    pc: PageContext = Depends(page_context),
    ctx: ServiceContext = Depends(public_context),
) -> Response:
    """Open a session and go on; wrong credentials show the form again (401), and too many
    failures for this login or from this address refuse further tries for a while (429)."""
    address = pc.request.client.host if pc.request.client else None
    try:
        secret = throttle.throttled_login(ctx, login=login, password=password, address=address)
    except (auth.AuthenticationFailed, throttle.TooManyAttempts) as exc:
        data = LoginPage(
            next=safe_next(next),
            login=login,
            error={"en": exc.message_en, "ko": exc.message_ko},
        )
        page_response = render_page(pc, "login.html", data)
        page_response.status_code = 401
        if isinstance(exc, throttle.TooManyAttempts):
            page_response.status_code = 429
            page_response.headers["retry-after"] = str(exc.retry_after)
        return page_response
    response = RedirectResponse(safe_next(next), status_code=303)
    set_cookie(
        response,
        pc.settings,
        SESSION_COOKIE,
        secret.token,
        max_age=int(auth.SESSION_LIFETIME.total_seconds()),
    )
    return response


@router.post("/logout", include_in_schema=False)
def logout(
    pc: PageContext = Depends(page_context),
    ctx: ServiceContext = Depends(public_context),
) -> Response:
    """End the session in the database and drop the cookie."""
    token = pc.request.cookies.get(SESSION_COOKIE)
    if token:
        auth.logout(ctx, token=token)
    response = RedirectResponse("/", status_code=303)
    clear_cookie(response, pc.settings, SESSION_COOKIE)
    return response
