"""Errors look the same everywhere: a JSON body for the API, a bilingual page for people.

JSON body: `{"error": {"code": "not_found", "message": {"en": ..., "ko": ...}, "details": ...}}`.
JSON is chosen for `.json` paths, `/openapi.json`, requests with a bearer token, and clients that
accept JSON but not HTML; everyone else gets the friendly error page in their language (with the
other language underneath). Unexpected errors are logged with method and path only (never
headers, cookies, query strings or form fields, which may hold secrets) and answered with 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from citycert.i18n import both
from citycert.services.context import (
    ConflictError,
    NotFoundError,
    ServiceError,
    ValidationFailed,
)
from citycert.services.principal import PermissionDenied
from citycert.web.csrf import CsrfError
from citycert.web.lang import negotiate
from citycert.web.rendering import JSON_SUFFIX, render_template

log = logging.getLogger("citycert.web")

# HTTP status -> (error code, i18n key of the generic message)
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    422: "invalid_request",
    429: "too_many_requests",
    500: "server_error",
}


class ErrorMessage(BaseModel):
    en: str
    ko: str


class ErrorDetail(BaseModel):
    code: str
    message: ErrorMessage
    details: Any = None


class ErrorBody(BaseModel):
    """The JSON error body (see module docstring)."""

    error: ErrorDetail


_DOCUMENTED = {
    400: "The request cannot be answered as asked.",
    401: "Sign-in or an API token is needed.",
    403: "The signed-in user or token may not see this.",
    404: "No such city, indicator, certificate or page (or it is not public).",
    422: "A parameter has a wrong value; `details` names each one.",
    500: "Unexpected error (logged on the server).",
}


def error_responses() -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries of the error answers every operation can give (JSON or the HTML page)."""
    return {
        status: {"model": ErrorBody, "description": text, "content": {"text/html": {}}}
        for status, text in _DOCUMENTED.items()
    }


def wants_json(request: Request) -> bool:
    """Whether to answer this request with a JSON error body (see module docstring)."""
    path = request.url.path
    if path.endswith(JSON_SUFFIX) or path.startswith("/api/"):
        return True
    if request.headers.get("authorization", "").lower().startswith("bearer "):
        return True
    accept = request.headers.get("accept", "")
    return "json" in accept and "html" not in accept


def error_response(
    request: Request,
    status: int,
    *,
    code: str | None = None,
    message: dict[str, str] | None = None,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """The error answer for this request, as JSON or as the bilingual page."""
    code = code or _HTTP_CODES.get(status, "error")
    message = message or both(f"error.{_HTTP_CODES.get(status, 'server_error')}")
    if wants_json(request):
        body = {"error": {"code": code, "message": message, "details": details}}
        return JSONResponse(body, status_code=status, headers=headers)
    lang = negotiate(request)
    return render_template(
        request,
        "error.html",
        {
            "status": status,
            "code": code,
            "message": message,
            "details": details if isinstance(details, list) else None,
        },
        lang=lang,
        status_code=status,
        headers=headers,
    )


def _service_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ServiceError)
    message = {"en": exc.message_en, "ko": exc.message_ko}
    if isinstance(exc, NotFoundError):
        return error_response(request, 404, message=message)
    if isinstance(exc, ValidationFailed):
        details = [{"where": p.where, "en": p.en, "ko": p.ko} for p in exc.problems]
        return error_response(request, 422, message=message, details=details)
    if isinstance(exc, ConflictError):
        return error_response(request, 409, message=message)
    if isinstance(exc, PermissionDenied):
        return error_response(request, 403, message=message)
    return error_response(request, 400, message=message)


def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    generic = exc.detail in (None, "", "Not Found", "Method Not Allowed")
    return error_response(
        request,
        exc.status_code,
        details=None if generic else str(exc.detail),
        headers=dict(exc.headers) if exc.headers else None,
    )


def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"where": ".".join(str(x) for x in e.get("loc", ())), "message": e.get("msg", "")}
        for e in exc.errors()
    ]
    return error_response(request, 422, details=details)


def _csrf_error(request: Request, exc: Exception) -> Response:
    return error_response(request, 403, code="csrf_failed", message=both("error.csrf_failed"))


def _server_error(request: Request, exc: Exception) -> Response:
    log.error(
        "unhandled error on %s %s: %s",
        request.method,
        request.url.path,
        type(exc).__name__,
        exc_info=exc,
    )
    return error_response(request, 500)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ServiceError, _service_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(CsrfError, _csrf_error)
    app.add_exception_handler(Exception, _server_error)
