"""Which language a request is served in: `?lang=` first, then the cookie, then Accept-Language."""

from __future__ import annotations

from starlette.requests import Request

from citycert.i18n import DEFAULT_LANG, LANGS

LANG_COOKIE = "citycert_lang"
LANG_PARAM = "lang"
ONE_YEAR_S = 365 * 24 * 3600


def _known(value: str | None) -> str | None:
    if not value:
        return None
    base = value.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LANGS else None


def accept_language(header: str | None) -> str | None:
    """The best of our languages in an Accept-Language header (q-values respected); None if none."""
    if not header:
        return None
    best: tuple[float, int, str] | None = None
    for pos, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        lang = _known(tag)
        # Highest q wins; between equal q the earlier tag wins.
        if lang and q > 0 and (best is None or (q, -pos) > (best[0], best[1])):
            best = (q, -pos, lang)
    return best[2] if best else None


def requested_lang(request: Request) -> str | None:
    """The language asked for explicitly with `?lang=`, if it is one we speak."""
    return _known(request.query_params.get(LANG_PARAM))


def negotiate(request: Request) -> str:
    """`ko` or `en` for this request."""
    return (
        requested_lang(request)
        or _known(request.cookies.get(LANG_COOKIE))
        or accept_language(request.headers.get("accept-language"))
        or DEFAULT_LANG
    )
