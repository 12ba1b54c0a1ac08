"""One data builder per page; the HTML page and its JSON twin both render from it.

A page module writes a builder `def city(slug: str, pc: PageContext = Depends(page_context)) ->
CityPage` and registers it with `@page(router, "/cities/{slug}", template=..., model=CityPage)`.
That adds two routes with the same parameters: `/cities/{slug}.json` (documented in OpenAPI
with the response model) and `/cities/{slug}` (HTML, with a `Link: <...json>; rel="alternate"`
header). An optional `decorate(pc, data) -> dict` adds HTML-only things such as charts.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from citycert.i18n import LANGS, t
from citycert.services.context import ServiceContext
from citycert.services.principal import Principal
from citycert.settings import Settings
from citycert.store.engine import Database
from citycert.web.csrf import csrf_token, set_csrf_cookie
from citycert.web.deps import get_principal, public_context, service_context
from citycert.web.lang import LANG_COOKIE, LANG_PARAM, ONE_YEAR_S, negotiate, requested_lang
from citycert.web.security import set_cookie
from citycert.web.state import WebState, web_state

M = TypeVar("M", bound=BaseModel)
JSON_SUFFIX = ".json"


def json_path(path: str) -> str:
    """The JSON twin of a page path: `/` -> `/index.json`, `/cities` -> `/cities.json`."""
    return "/index.json" if path in ("", "/") else path.rstrip("/") + JSON_SUFFIX


def html_path(path: str) -> str:
    """The HTML page of a JSON twin path (the inverse of `json_path`)."""
    if path == "/index.json":
        return "/"
    return path.removesuffix(JSON_SUFFIX)


@dataclass
class PageContext:
    """Everything a builder needs about the request: language, flavour, database, links."""

    request: Request
    lang: str
    is_json: bool
    state: WebState
    _extra: dict[str, Any] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return self.state.settings

    @property
    def db(self) -> Database:
        return self.state.db

    @cached_property
    def ctx(self) -> ServiceContext:
        """The public (anonymous) service context: what public pages read with."""
        return public_context(self.request)

    @property
    def principal(self) -> Principal:
        return get_principal(self.request)

    @cached_property
    def user_ctx(self) -> ServiceContext:
        """A service context acting as the logged-in user (anonymous when nobody is)."""
        return service_context(self.request)

    def t(self, key: str, /, **params: object) -> str:
        return t(key, self.lang, **params)

    def href(self, path: str, /, **query: object) -> str:
        """Link to a page (its JSON twin when building JSON); None-valued query items dropped."""
        target = json_path(path) if self.is_json else path
        items = [(k, str(v)) for k, v in query.items() if v is not None and v != ""]
        return target + (f"?{urlencode(items)}" if items else "")

    def self_href(self, **changes: object) -> str:
        """This page with some query items changed (None removes one)."""
        query = dict(self.request.query_params)
        query.pop(LANG_PARAM, None)
        for k, v in changes.items():
            if v is None:
                query.pop(k, None)
            else:
                query[k] = str(v)
        path = self.request.url.path
        return path + (f"?{urlencode(sorted(query.items()))}" if query else "")

    def twin_url(self) -> str:
        """The other flavour of this request (JSON for HTML and back), same query."""
        path = self.request.url.path
        other = html_path(path) if self.is_json else json_path(path)
        query = [(k, v) for k, v in self.request.query_params.multi_items() if k != LANG_PARAM]
        return other + (f"?{urlencode(query)}" if query else "")


def page_context(request: Request) -> PageContext:
    """FastAPI dependency: the PageContext of this request."""
    return PageContext(
        request=request,
        lang=negotiate(request),
        is_json=request.url.path.endswith(JSON_SUFFIX),
        state=web_state(request),
    )


class PageParams(BaseModel):
    """`?page=&per_page=` of a paginated list."""

    page: int
    per_page: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


MAX_PER_PAGE = 200


def pagination(
    page: int = Query(1, ge=1, le=100_000, description="Page number, from 1."),
    per_page: int = Query(50, ge=1, le=MAX_PER_PAGE, description="Items per page."),
) -> PageParams:
    return PageParams(page=page, per_page=per_page)


class Paging(BaseModel):
    """Where a page of a list stands; `next`/`prev` are links (None at either end)."""

    page: int
    per_page: int
    total: int
    pages: int
    next: str | None
    prev: str | None


def paging(pc: PageContext, params: PageParams, total: int) -> Paging:
    pages = max(1, -(-total // params.per_page))
    nxt = pc.self_href(page=params.page + 1) if params.page < pages else None
    prev = pc.self_href(page=min(params.page - 1, pages)) if params.page > 1 else None
    return Paging(
        page=params.page, per_page=params.per_page, total=total, pages=pages, next=nxt, prev=prev
    )


Decorate = Callable[[PageContext, Any], dict[str, Any]]


def render_template(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    lang: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render a template with the layout's common names; sets language and CSRF cookies."""
    state = web_state(request)
    other = next(x for x in LANGS if x != lang)
    query = [(k, v) for k, v in request.query_params.multi_items() if k != LANG_PARAM]

    def tr(key: str, /, **params: object) -> str:
        return t(key, lang, **params)

    html = state.templates.get_template(template).render(
        request=request,
        lang=lang,
        other_lang=other,
        other_lang_name=t("layout.lang_name", other),
        lang_url=request.url.path + "?" + urlencode([*query, (LANG_PARAM, other)]),
        path=request.url.path,
        t=tr,
        csrf_token=lambda: csrf_token(request),
        principal=lambda: get_principal(request),
        **context,
    )
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    response.headers["vary"] = "Cookie, Accept-Language"
    response.headers["cache-control"] = "no-cache"
    chosen = requested_lang(request)
    if chosen and request.cookies.get(LANG_COOKIE) != chosen:
        set_cookie(response, state.settings, LANG_COOKIE, chosen, max_age=ONE_YEAR_S)
    set_csrf_cookie(request, response)
    return response


def render_page(
    pc: PageContext, template: str, data: BaseModel, decorate: Decorate | None = None
) -> HTMLResponse:
    """The HTML page for `data`, naming its JSON twin in a Link header."""
    extra = decorate(pc, data) if decorate else {}
    twin = pc.twin_url()
    return render_template(
        pc.request,
        template,
        {"pc": pc, "data": data, "json_url": twin, **extra},
        lang=pc.lang,
        headers={"link": f'<{twin}>; rel="alternate"; type="application/json"'},
    )


def json_page(pc: PageContext, data: BaseModel) -> JSONResponse:
    return JSONResponse(
        data.model_dump(mode="json"),
        headers={"link": f'<{pc.twin_url()}>; rel="alternate"; type="text/html"'},
    )


def _page_context_param(sig: inspect.Signature) -> str:
    for name, p in sig.parameters.items():
        if p.annotation is PageContext:
            return name
    raise TypeError("a page builder needs a `pc: PageContext = Depends(page_context)` parameter")


def page(
    router: APIRouter,
    path: str,
    *,
    template: str,
    model: type[M],
    summary: str,
    decorate: Decorate | None = None,
) -> Callable[[Callable[..., M]], Callable[..., M]]:
    """Register a builder as the HTML page `path` and its JSON twin (see module docstring)."""

    def register(builder: Callable[..., M]) -> Callable[..., M]:
        sig = inspect.signature(builder, eval_str=True)
        pc_name = _page_context_param(sig)
        plain = sig.replace(return_annotation=inspect.Signature.empty)

        @wraps(builder)
        def as_json(**kwargs: Any) -> Response:
            return json_page(kwargs[pc_name], builder(**kwargs))

        @wraps(builder)
        def as_html(**kwargs: Any) -> Response:
            return render_page(kwargs[pc_name], template, builder(**kwargs), decorate)

        for endpoint in (as_json, as_html):
            endpoint.__signature__ = plain  # type: ignore[attr-defined]
        name = builder.__name__
        # The JSON route first: `/cities/{slug}` would otherwise also match `/cities/x.json`.
        router.add_api_route(
            json_path(path),
            as_json,
            methods=["GET"],
            response_model=model,
            summary=summary,
            name=f"{name}_json",
            responses={404: {"model": ErrorBody}, 422: {"model": ErrorBody}},
        )
        router.add_api_route(
            path,
            as_html,
            methods=["GET"],
            response_class=HTMLResponse,
            include_in_schema=False,
            name=name,
        )
        return builder

    return register


class ErrorMessage(BaseModel):
    en: str
    ko: str


class ErrorDetail(BaseModel):
    code: str
    message: ErrorMessage
    details: Any = None


class ErrorBody(BaseModel):
    """Every error of the JSON API: `{"error": {"code", "message": {"en", "ko"}, "details"}}`."""

    error: ErrorDetail


__all__ = [
    "Depends",
    "ErrorBody",
    "PageContext",
    "PageParams",
    "Paging",
    "page",
    "page_context",
    "pagination",
    "paging",
    "render_template",
]
