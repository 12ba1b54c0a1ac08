"""Language choice: `?lang=` (remembered in a cookie), then the cookie, then Accept-Language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from citycert.web.lang import LANG_COOKIE, accept_language


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("ko-KR,ko;q=0.9,en-US;q=0.8", "ko"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5, ko;q=0.9", "ko"),
        ("fr, de", None),
        ("ko;q=0, en;q=0.1", "en"),
        ("ko;q=abc, en", "en"),
        ("", None),
    ],
)
def test_accept_language_picks_our_best_language(header: str, expected: str | None) -> None:
    assert accept_language(header) == expected


def test_language_query_wins_and_is_remembered(client: TestClient) -> None:
    korean = {"accept-language": "ko"}
    assert '<html lang="ko">' in client.get("/cities", headers=korean).text
    r = client.get("/cities?lang=en", headers=korean)
    assert '<html lang="en">' in r.text and r.cookies.get(LANG_COOKIE) == "en"
    assert '<html lang="en">' in client.get("/about", headers=korean).text
    switch = client.get("/cities?q=daegu").text
    assert 'href="/cities?q=daegu&amp;lang=ko"' in switch and 'hreflang="ko"' in switch


def test_unknown_language_falls_back_to_english(client: TestClient) -> None:
    assert '<html lang="en">' in client.get("/?lang=fr", headers={"accept-language": "fr"}).text
