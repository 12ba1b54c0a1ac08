"""An assessor fills in the ISO 37106 questionnaire for Gangneung item by item, watching the live
score, records it and downloads the report; and the questionnaire still works with scripts off:
in a real browser against a served demo portal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from citycert.standards.maturity import get_maturity_model
from tests.browser.conftest import CHROMIUM, demo_portal
from tests.browser.test_editor_flow import new_page, sign_in

pytestmark = pytest.mark.browser

ASSESSOR = ("admin@citycert", "demo-admin-citycert")
FORM = "/maturity/gangneung/questionnaire"
MODEL = get_maturity_model()
# Gangneung's self-assessment: mostly competent, a few items ahead, one lagging behind.
LEVELS = {item.id: 3 for item in MODEL.items} | {"A01": 4, "B01": 4, "C04": 4, "D01": 2}


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}")
    with demo_portal(tmp_path_factory.mktemp("maturity-flow")) as base:
        yield base


def test_assessor_fills_the_questionnaire_sees_the_live_score_and_downloads_the_report(
    browser: Any, portal: str, shots: Path, tmp_path: Path
) -> None:
    page = new_page(browser, viewport={"width": 1280, "height": 900})
    page.goto(portal + "/maturity")
    sign_in(page, *ASSESSOR)
    page.wait_for_url("**/maturity")
    row = page.locator("tr", has=page.get_by_role("link", name="Gangneung"))
    row.get_by_role("link", name="Fill in the questionnaire").click()
    page.wait_for_url(f"**{FORM}")
    rated = page.locator("#score-top [data-slot=rated]")
    assert rated.inner_text() == f"0 of {len(MODEL.items)} items rated"

    for item, level in LEVELS.items():
        page.locator(f"#lv-{item}-{level}").check()
    page.get_by_label("Evidence seen").first.fill("Smart city plan 2030, adopted by the council")
    # The script asks the server for the score as levels are picked (no reload).
    expect(rated).to_have_text(f"{len(MODEL.items)} of {len(MODEL.items)} items rated")
    level = page.locator("#score-top [data-slot=level]").inner_text()
    assert level.startswith("none: an item is below the gate")
    assert "D01" in page.locator("#score-top [data-slot=blockers]").inner_text()
    assert page.locator("fieldset.item.below-gate").count() == 1
    page.screenshot(path=str(shots / "30-maturity-live-score.png"), full_page=True)

    page.locator("#lv-D01-3").check()
    expect(page.locator("#score-top [data-slot=level]")).to_have_text("Level 3 – Competent")
    page.get_by_role("button", name="Record the assessment").click()
    page.wait_for_url("**/maturity/gangneung/assessments/*?done=recorded")
    result = page.locator(".score-panel").inner_text()
    assert "Level 3 – Competent" in result and "yes, every item meets the gate" in result
    assert page.locator("#maturity-areas-figure svg").is_visible()
    assert page.locator("#maturity-items-figure svg").is_visible()
    assert page.get_by_role("heading", name="Roadmap to the next level").is_visible()
    page.screenshot(path=str(shots / "31-maturity-result.png"), full_page=True)

    with page.expect_download() as info:
        page.get_by_role("link", name="Report as HTML").click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.suffix == ".html" and "Gangneung" in saved.read_text(encoding="utf-8")
    pdf = page.get_by_role("link", name="Download the report (PDF)").get_attribute("href")
    assert page.request.get(portal + pdf).body().startswith(b"%PDF")
    assert not page.failures


def test_questionnaire_scores_without_scripts_on_a_phone(
    browser: Any, portal: str, shots: Path
) -> None:
    page = new_page(browser, viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page.goto(portal + FORM + "?lang=ko")
    sign_in(page, *ASSESSOR)
    page.wait_for_url(f"**{FORM}?lang=ko")
    for item in ("A01", "A02", "B01"):
        page.locator(f"#lv-{item}-2").check()
    page.get_by_role("button", name="점수 다시 계산").click()
    # Started from the assessment just recorded; the server scored the changed levels.
    blockers = page.locator("#score-top [data-slot=blockers]").inner_text()
    assert all(item in blockers for item in ("A01", "A02", "B01"))
    assert page.locator("#score-top [data-slot=level]").inner_text().startswith("없음")
    assert page.locator("#lv-B01-2").is_checked()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    page.screenshot(path=str(shots / "32-maturity-no-script-phone.png"), full_page=True)
