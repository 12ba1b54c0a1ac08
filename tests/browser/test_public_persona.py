"""A member of the public finds a city, reads its profile, compares it with peers and downloads
its data, in a real browser against a running portal (no network beyond this machine)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _page(browser: Any, **options: Any) -> Any:
    context = browser.new_context(accept_downloads=True, **options)
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("console", lambda m: failed.append(m.text) if m.type == "error" else None)
    page.failures = failed
    return page


def test_public_finds_a_city_compares_it_and_downloads_its_data(
    browser: Any, portal_url: str, shots: Path, tmp_path: Path
) -> None:
    page = _page(browser, viewport={"width": 1280, "height": 900})
    page.goto(portal_url + "/")
    page.get_by_label("City name").fill("대구")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/cities?q=*")
    result = page.get_by_role("link", name="Daegu", exact=False).first
    assert result.is_visible()
    page.screenshot(path=str(shots / "01-search.png"), full_page=True)

    result.click()
    page.wait_for_url("**/cities/daegu")
    assert "Daegu" in page.locator("h1").inner_text()
    assert page.locator("svg.chart title").count() >= 1
    page.screenshot(path=str(shots / "02-profile.png"), full_page=True)

    page.get_by_role("link", name="한국어").click()
    assert page.locator("html").get_attribute("lang") == "ko"
    assert "지표값" in page.locator("main").inner_text()
    page.get_by_role("link", name="English").click()

    page.get_by_role("link", name="Compare with similar cities").click()
    page.wait_for_url("**/compare?*")
    page.get_by_label("Peer group", exact=True).select_option("climate")
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**group=climate*")
    # 2022: the latest year with a public peer (the demo keeps Gangneung's 2023 a draft).
    page.locator("#summary + dl").get_by_role("link", name="2022").click()
    page.wait_for_url("**year=2022*")
    summary = page.locator("#summary + dl").inner_text()
    assert "Climate zone" in summary and "temperate" in summary
    assert "rank" in summary
    page.screenshot(path=str(shots / "03-compare.png"), full_page=True)

    page.goto(portal_url + "/cities/daegu#downloads")
    with page.expect_download() as info:
        page.get_by_role("link", name="CSV", exact=True).click()
    download = info.value
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    lines = saved.read_text(encoding="utf-8").splitlines()
    assert download.suggested_filename == "citycert-daegu.csv"
    assert lines[0].startswith("city,city_name_en,city_name_ko,country,catalog,year")
    assert len(lines) > 1 and all(line.startswith("daegu,") for line in lines[1:])
    page.screenshot(path=str(shots / "04-download.png"), full_page=True)
    assert not page.failures


def test_portal_fits_a_phone_and_starts_with_a_skip_link(
    browser: Any, portal_url: str, shots: Path
) -> None:
    page = _page(browser, viewport={"width": 375, "height": 740}, is_mobile=True)
    for path in ("/", "/cities", "/cities/daegu", "/compare?city=daegu"):
        page.goto(portal_url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, path
    page.screenshot(path=str(shots / "05-phone-compare.png"), full_page=True)
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    assert not page.failures


def test_api_docs_work_offline(browser: Any, portal_url: str, shots: Path) -> None:
    page = _page(browser, viewport={"width": 1280, "height": 900})
    page.goto(portal_url + "/docs")
    page.wait_for_selector(".swagger-ui .info .title", timeout=20_000)
    assert "CityCert" in page.locator(".swagger-ui .info .title").inner_text()
    page.screenshot(path=str(shots / "06-api-docs.png"))
    assert not page.failures
