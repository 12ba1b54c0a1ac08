"""A city editor corrects a figure, uploads the Excel workbook (first with a mistake, then
fixed), sees the data checks, explains a warning, and the city's coordinator submits the cycle:
in a real browser against a served demo portal (Gangneung's 2023 draft of the demo story holds
an error to fix and a warning to explain)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.browser.conftest import CHROMIUM, demo_portal

pytestmark = pytest.mark.browser

CYCLE = "/workspace/gangneung/iso37120-2018/2023"
EDITOR = ("editor@gangneung", "demo-editor-gangneung")
COORDINATOR = ("coordinator@gangneung", "demo-coordinator-gangneung")
TREATED = "22.2/wastewater_centrally_treated"


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}")
    with demo_portal(tmp_path_factory.mktemp("editor-flow")) as base:
        yield base


def new_page(browser: Any, **options: Any) -> Any:
    """A fresh browser context (own cookies) whose failed requests and console errors are kept."""
    context = browser.new_context(accept_downloads=True, **options)
    page = context.new_page()
    failures: list[str] = []
    page.on("requestfailed", lambda r: failures.append(r.url))
    page.on("console", lambda m: failures.append(m.text) if m.type == "error" else None)
    page.failures = failures
    return page


def sign_in(page: Any, login: str, password: str) -> None:
    """Fill in the sign-in form the portal sent us to (in either language), and send it."""
    form = page.locator("form.login-form")
    form.locator("#f-login").fill(login)
    form.locator("#f-password").fill(password)
    form.locator('button[type="submit"]').click()


def _edit_template(path: Path, employed: object) -> Path:
    """The downloaded template with 5.3 filled in: full-time employment and the labour force."""
    figures = {"full_time_employed_persons": employed, "labour_force": 109_000}
    wb = openpyxl.load_workbook(path)
    ws = wb["5 Economy"]
    header = [c.value for c in ws[2]]
    col = {name: header.index(name) + 1 for name in ("Value", "_indicator", "_input")}
    for r in range(3, ws.max_row + 1):
        name = ws.cell(r, col["_input"]).value
        if ws.cell(r, col["_indicator"]).value == "5.3" and name in figures:
            ws.cell(r, col["Value"]).value = figures[name]
    buf = io.BytesIO()
    wb.save(buf)
    out = path.with_name("gangneung-2023.xlsx")
    out.write_bytes(buf.getvalue())
    return out


def test_editor_enters_uploads_and_explains_then_the_coordinator_submits(
    browser: Any, portal: str, shots: Path, tmp_path: Path
) -> None:
    page = new_page(browser, viewport={"width": 1280, "height": 900})
    page.goto(portal + "/workspace")
    page.wait_for_url("**/login?next=/workspace")
    sign_in(page, *EDITOR)
    page.wait_for_url("**/workspace")
    page.locator("table a", has_text="2023").first.click()
    page.wait_for_url(f"**{CYCLE}")
    assert "Gangneung" in page.locator("h1").inner_text()
    assert "Correct the figures marked as errors" in page.locator(".next-text").inner_text()
    assert page.locator("article.finding-error").count() == 1
    page.screenshot(path=str(shots / "10-editor-dashboard.png"), full_page=True)

    # Correct the error on its theme page: the check updates as soon as the figure is saved.
    page.get_by_role("link", name="Correct 22.2").click()  # the next step's button
    assert page.locator("#ind-22\\.2 .finding-error").count() == 1
    page.locator(f'[name="value:{TREATED}"]').fill("25,100,000")
    page.locator(f'[name="source:{TREATED}"]').fill("Gangneung sewerage office, 2023 report")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url("**/theme/22?saved=1")
    assert "Saved 1 figure(s)" in page.locator("main").inner_text()
    assert page.locator("#ind-22\\.2 .finding").count() == 0
    page.screenshot(path=str(shots / "11-editor-entry-saved.png"), full_page=True)

    # Download the workbook, fill it with a mistake, upload: the report points at the cell.
    page.get_by_role("link", name="Back to the overview").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the template").click()
    template = tmp_path / info.value.suggested_filename
    info.value.save_as(template)
    page.locator("#workbook").set_input_files(str(_edit_template(template, "twelve")))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/import")
    report = page.locator("table.problems").inner_text()
    assert "5 Economy" in report and "(Value)" in report and "gangneung-2023.xlsx" in report
    assert "Nothing was saved" in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "12-editor-upload-problems.png"), full_page=True)
    assert page.failures == [
        "Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)"
    ]  # the refused upload itself, as intended
    page.failures.clear()

    page.get_by_role("link", name="Upload another file").click()
    page.locator("#workbook").set_input_files(str(_edit_template(template, 80_000)))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url("**/import")
    assert "Saved: 2 new" in page.locator("main").inner_text()
    page.screenshot(path=str(shots / "13-editor-upload-saved.png"), full_page=True)

    # The data checks: explain the warning; the cycle is then ready for the coordinator.
    page.get_by_role("link", name="See the data checks").click()
    card = page.locator("#findings ~ article.finding", has_text="17.3").first
    card.get_by_role("textbox").fill("The 2023 Gangneung Danoje festival added 700 events.")
    card.get_by_role("button", name="Save the explanation").click()
    page.wait_for_url("**done=justified*")
    main = page.locator("main").inner_text()
    assert "Explanation saved." in main
    assert "your city's coordinator can now submit" in main
    page.screenshot(path=str(shots / "14-editor-justified.png"), full_page=True)
    page.get_by_role("button", name="Sign out").click()
    assert not page.failures

    coordinator = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    coordinator.goto(portal + CYCLE)
    sign_in(coordinator, *COORDINATOR)
    coordinator.wait_for_url(f"**{CYCLE}")
    assert "submit the cycle for verification" in coordinator.locator(".next-text").inner_text()
    overflow = coordinator.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    coordinator.get_by_role("button", name="Submit for verification").click()
    coordinator.wait_for_url("**done=submitted")
    assert "Submitted" in coordinator.locator(".cycle-meta").inner_text()
    coordinator.screenshot(path=str(shots / "15-coordinator-submitted.png"), full_page=True)
    assert not coordinator.failures
