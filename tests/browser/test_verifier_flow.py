"""A verifier starts verification, queries one indicator that the city answers, accepts the
rest, marks the cycle verified; the administrator certifies and issues the certificate, and the
public verification page shows it: in a real browser against a served demo portal (Daegu's
2021 cycle of the demo story, submitted by its coordinator before the server starts)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from citycert.domain.authz import Role
from citycert.services import cycles, users, workflow
from citycert.services.context import ServiceContext
from citycert.services.principal import user_context
from citycert.store.engine import Database
from tests.browser.conftest import CHROMIUM, demo_portal
from tests.browser.test_editor_flow import new_page, sign_in

pytestmark = pytest.mark.browser

REVIEW = "/verifier/daegu/iso37120-2018/2021"
CITY = "/workspace/daegu/iso37120-2018/2021"
VERIFIER = ("verifier@citycert", "demo-verifier-citycert")
COORDINATOR = ("coordinator@daegu", "demo-coordinator-daegu")
ADMIN = ("admin@citycert", "demo-admin-citycert")


def _submit_daegu_2021(database_url: str) -> None:
    """Daegu's coordinator submits 2021; the demo verifier is assigned to it."""
    db = Database.from_url(database_url)
    try:
        ctx = ServiceContext(db=db, actor="cli:setup")
        cycle = cycles.find_cycle(ctx, city="daegu", catalog="iso37120-2018", year=2021)
        assert cycle is not None and cycle.state.value == "draft"
        users.grant_role(ctx, login=VERIFIER[0], role=Role.verifier, cycle_id=cycle.id)
        workflow.submit(user_context(db, COORDINATOR[0]), cycle_id=cycle.id)
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"browser tests need Debian's Chromium at {CHROMIUM}")
    with demo_portal(tmp_path_factory.mktemp("verifier-flow"), _submit_daegu_2021) as base:
        yield base


def _notice(page: Any) -> str:
    return str(page.locator(".notice-ok").first.inner_text())


def test_verifier_round_ends_with_a_public_certificate(
    browser: Any, portal: str, shots: Path
) -> None:
    verifier = new_page(browser, viewport={"width": 1280, "height": 900})
    verifier.goto(portal + "/verifier")
    sign_in(verifier, *VERIFIER)
    verifier.wait_for_url("**/verifier")
    waiting = verifier.locator("section", has=verifier.locator("#g-submitted"))
    assert "2021" in waiting.inner_text()
    verifier.screenshot(path=str(shots / "20-verifier-queue.png"), full_page=True)
    waiting.get_by_role("link", name="Daegu").click()
    verifier.wait_for_url(f"**{REVIEW}")
    verifier.get_by_role("button", name="Start verification").click()
    verifier.wait_for_url("**done=started")
    assert "Verification started" in _notice(verifier)
    verifier.screenshot(path=str(shots / "21-verifier-started.png"), full_page=True)

    # One indicator side by side; the verifier asks the city a question about it.
    verifier.locator(f'a[href="{REVIEW}/indicator/5.1"]').click()
    for panel in ("Figures as entered", "Computed value", "Evidence", "History"):
        assert verifier.get_by_role("heading", name=panel).is_visible()
    verifier.get_by_label("Ask the city a question").check()
    verifier.get_by_label("Comment").fill("Is the labour force from the same survey as 2020?")
    verifier.screenshot(path=str(shots / "22-verifier-indicator.png"), full_page=True)
    verifier.get_by_role("button", name="Save the decision").click()
    verifier.wait_for_url("**/indicator/5.1?done=decided")

    # Every other indicator has clean checks: accept them in one step.
    verifier.get_by_role("link", name="All indicators").click()
    verifier.get_by_role("button", name="still to decide with clean checks").click()
    verifier.wait_for_url("**done=accepted")
    stats = verifier.locator("ul.stats").inner_text()
    assert "0\nto decide" in stats and "1\nqueried" in stats
    verifier.screenshot(path=str(shots / "23-verifier-accepted.png"), full_page=True)

    city = new_page(browser, viewport={"width": 1280, "height": 900})
    city.goto(portal + CITY)
    sign_in(city, *COORDINATOR)
    city.wait_for_url(f"**{CITY}")
    assert "The verifier has questions" in city.locator(".next-text").inner_text()
    city.get_by_label("Your answer").fill("Yes: both years come from the regional labour survey.")
    city.get_by_role("button", name="Send the answer").click()
    city.wait_for_url("**done=answered*")
    assert "Answer sent" in _notice(city)
    city.screenshot(path=str(shots / "24-city-answered.png"), full_page=True)

    verifier.goto(portal + REVIEW + "/indicator/5.1")
    assert "regional labour survey" in verifier.locator(".thread").inner_text()
    verifier.get_by_label("Accept", exact=True).check()
    verifier.get_by_role("button", name="Save the decision").click()
    verifier.wait_for_url("**done=decided")
    verifier.get_by_role("link", name="All indicators").click()
    verifier.get_by_role("button", name="Mark the cycle verified").click()
    verifier.wait_for_url("**done=verified")
    assert "Verified" in verifier.locator(".cycle-meta").inner_text()
    verifier.screenshot(path=str(shots / "25-verifier-verified.png"), full_page=True)
    assert not verifier.failures and not city.failures

    admin = new_page(browser, viewport={"width": 1280, "height": 900})
    admin.goto(portal + REVIEW)
    sign_in(admin, *ADMIN)
    admin.wait_for_url(f"**{REVIEW}")
    admin.get_by_role("button", name="Certify and issue the certificate").click()
    admin.wait_for_url("**done=certified")
    issued = admin.locator(".certificate-box").inner_text()
    assert "CC-" in issued and "has been issued" in issued
    admin.screenshot(path=str(shots / "26-admin-certified.png"), full_page=True)
    pdf = admin.get_by_role("link", name="Printable certificate (PDF)").get_attribute("href")
    assert admin.request.get(portal + pdf).body().startswith(b"%PDF")

    admin.get_by_role("link", name="Public verification page").click()
    admin.wait_for_url("**/certificates/CC-*")
    public_id = admin.url.rsplit("/", 1)[-1]
    visitor = new_page(browser, viewport={"width": 390, "height": 844}, is_mobile=True)
    visitor.goto(f"{portal}/certificates/{public_id}")
    page_text = visitor.locator("main").inner_text()
    assert public_id in page_text and "Daegu" in page_text and "2021" in page_text
    visitor.screenshot(path=str(shots / "27-public-certificate.png"), full_page=True)
    assert not admin.failures and not visitor.failures
