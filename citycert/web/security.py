"""Security headers on every response and the flags every cookie we set carries.

The Content-Security-Policy allows scripts and styles only from our own origin (no inline
scripts anywhere; the API docs page adds a per-response nonce for its one inline script), no
framing, no plugins. Cookies are HttpOnly and SameSite=Lax, and Secure when the portal's public
address (`CITYCERT_BASE_URL`) is https.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from citycert.settings import Settings

SESSION_COOKIE = "citycert_session"

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def csp_with_nonce(nonce: str) -> str:
    """The policy for a page with one inline script (tagged `nonce`) and inline styles."""
    return CSP.replace("script-src 'self'", f"script-src 'self' 'nonce-{nonce}'").replace(
        "style-src 'self'", "style-src 'self' 'unsafe-inline'"
    )


class SecurityHeaders:
    """ASGI middleware: adds the security headers a response does not set itself."""

    def __init__(self, app: ASGIApp, *, https: bool) -> None:
        self.app = app
        self.headers: list[tuple[bytes, bytes]] = [
            (b"content-security-policy", CSP.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"strict-origin-when-cross-origin"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        ]
        if https:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw: list[tuple[bytes, bytes]] = list(message.get("headers", []))
                present = {k.lower() for k, _ in raw}
                raw.extend((k, v) for k, v in self.headers if k not in present)
                message["headers"] = raw
            await send(message)

        await self.app(scope, receive, send_with_headers)


def cookie_flags(settings: Settings, *, http_only: bool = True) -> dict[str, Any]:
    """The attributes of every cookie we set (see module docstring)."""
    return {
        "httponly": http_only,
        "samesite": "lax",
        "secure": settings.base_url.startswith("https://"),
        "path": "/",
    }


def set_cookie(
    response: Response,
    settings: Settings,
    name: str,
    value: str,
    *,
    max_age: int | None = None,
) -> None:
    """Set a cookie with our standard flags (`max_age` None = until the browser closes)."""
    response.set_cookie(name, value, max_age=max_age, **cookie_flags(settings))


def clear_cookie(response: Response, settings: Settings, name: str) -> None:
    flags = cookie_flags(settings)
    response.delete_cookie(
        name, path=flags["path"], secure=flags["secure"], httponly=True, samesite="lax"
    )
