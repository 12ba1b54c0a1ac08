"""The verifier console over HTTP: the queue, a verification round from start to certificate,
one indicator's page, and every step refused to people who do not hold the role."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from citycert.domain.authz import Role
from citycert.domain.workflow import Decision
from citycert.i18n import LANGS, is_missing
from citycert.services import cycles, data_quality, workflow
from citycert.services.context import ServiceContext
from citycert.services.principal import user_context
from tests.web.sample_data import Sample
from tests.web.test_workspace_support import (
    DRAFT,
    REVIEW,
    add_persona,
    make_personas,
    post,
    sign_in,
    submitted_cycle,
)

SignedIn = Callable[[str], TestClient]
ROUND = "/verifier/daegu/iso37120-2018/2025"
ROUND_CITY = "/workspace/daegu/iso37120-2018/2025"


@pytest.fixture
def people(web_ctx: ServiceContext, sample: Sample) -> None:
    make_personas(web_ctx, sample.draft_cycle_id)


@pytest.fixture
def as_(app: FastAPI, people: None) -> Iterator[SignedIn]:
    yield lambda login: sign_in(TestClient(app), login)


@pytest.fixture
def draft_submitted(web_ctx: ServiceContext, sample: Sample, people: None) -> int:
    """Daegu's 2024 draft with its two warnings justified, submitted by the coordinator."""
    coord = user_context(web_ctx.db, "coord.daegu")
    for indicator, rule in (("15.5", "registered_population"), ("8.1", "year_over_year")):
        data_quality.justify(
            coord, cycle_id=sample.draft_cycle_id, indicator=indicator, rule=rule, text="checked"
        )
    workflow.submit(coord, cycle_id=sample.draft_cycle_id)
    return sample.draft_cycle_id


@pytest.fixture
def big_round(web_ctx: ServiceContext, people: None) -> int:
    """Daegu 2025 with 32 clean indicators, submitted; `verifier.round` is assigned to it."""
    cycle_id = submitted_cycle(web_ctx, city="daegu", year=2025, indicators=32)
    add_persona(web_ctx, "verifier.round", Role.verifier, cycle_id=cycle_id)
    return cycle_id


def _state(ctx: ServiceContext, year: int) -> str:
    found = cycles.find_cycle(ctx, city="daegu", catalog="iso37120-2018", year=year)
    assert found is not None
    return found.state.value


@pytest.mark.parametrize(
    ("login", "expected"),
    [("verifier.draft", [("submitted", "daegu", 2024)]), ("editor.daegu", [])],
)
def test_queue_shows_the_cycles_one_is_assigned_to_by_what_they_wait_for(
    as_: SignedIn, draft_submitted: int, login: str, expected: list[tuple[str, str, int]]
) -> None:
    data = as_(login).get("/verifier.json").json()
    got = [(g["state"], i["city_slug"], i["year"]) for g in data["groups"] for i in g["items"]]
    assert got == expected


@pytest.mark.parametrize("lang", LANGS)
def test_review_board_and_indicator_page_in_both_languages(
    as_: SignedIn, draft_submitted: int, lang: str
) -> None:
    c = as_("verifier.draft")
    assert post(c, f"{REVIEW}/start", {}, form_page=REVIEW).status_code == 303
    for path in (REVIEW, f"{REVIEW}/indicator/8.1"):
        page = c.get(f"{path}?lang={lang}")
        assert page.status_code == 200 and not is_missing(page.text), path
        assert f'<html lang="{lang}">' in page.text
        assert c.get(f"{path}.json").status_code == 200
    board = c.get(f"{REVIEW}.json").json()
    assert board["cycle"]["state"] == "in_verification"
    assert {i["number"] for i in board["indicators"]} >= {"8.1", "15.5", "5.1"}
    assert board["counts"]["pending"] == len(board["indicators"])
    one = c.get(f"{REVIEW}/indicator/8.1.json").json()
    assert [f["input"] for f in one["figures"]] == ["pm25_concentration"]
    assert one["computed"]["value"] == pytest.approx(987.654)
    assert [f["justification"] for f in one["findings"]] == ["checked"]
    assert any(h["action"] == "input.set" for h in one["history"])
    assert one["can_decide"] and one["next_pending"] is not None


def test_a_verification_round_from_start_to_the_public_certificate(
    as_: SignedIn, web_ctx: ServiceContext, big_round: int
) -> None:
    verifier, coord, admin = as_("verifier.round"), as_("coord.daegu"), as_("admin")
    assert post(verifier, f"{ROUND}/start", {}, form_page=ROUND).status_code == 303
    numbers = [i["number"] for i in verifier.get(f"{ROUND}.json").json()["indicators"]]
    queried = numbers[0]

    ask = f"{ROUND}/indicator/{queried}"
    question = {"decision": "query", "text": "Which year is it from?", "due_date": "2030-01-31"}
    r = post(verifier, f"{ask}/decide", question, form_page=ask)
    assert r.status_code == 303
    r = post(verifier, f"{ROUND}/accept", {"indicator": numbers[1:3]}, form_page=ROUND)
    assert r.status_code == 303 and r.headers["location"].endswith("?done=accepted")
    board = verifier.get(f"{ROUND}.json").json()
    assert board["counts"] == {"accepted": 2, "pending": 29, "query": 1, "rejected": 0}
    warned = [i["number"] for i in board["indicators"][3:] if i["warnings"]]
    assert warned  # explained warnings against past years: for a closer look, not bulk
    assert board["clean_pending"] == [n for n in numbers[3:] if n not in warned]
    r = post(verifier, f"{ROUND}/accept", {"scope": "clean"}, form_page=ROUND)
    assert r.status_code == 303
    board = verifier.get(f"{ROUND}.json").json()
    assert [i["number"] for i in board["indicators"] if i["decision"] == "pending"] == warned
    r = post(verifier, f"{ROUND}/accept", {"indicator": warned}, form_page=ROUND)
    assert verifier.get(f"{ROUND}.json").json()["counts"]["accepted"] == len(numbers) - 1
    refused = post(verifier, f"{ROUND}/verify", {}, form_page=ROUND)
    assert refused.status_code == 409 and queried in refused.text
    assert _state(web_ctx, 2025) == "in_verification"

    city = coord.get(f"{ROUND_CITY}.json").json()
    [q] = city["queries"]
    assert (q["indicator"], q["due_date"], city["next_step"]) == (queried, "2030-01-31", "answer")
    r = post(
        coord, f"{ROUND_CITY}/answer", {"query_id": q["id"], "text": "2024 labour survey"},
        form_page=ROUND_CITY,
    )  # fmt: skip
    assert r.status_code == 303

    r = post(verifier, f"{ask}/decide", {"decision": "accepted", "text": ""}, form_page=ask)
    assert r.status_code == 303
    assert post(verifier, f"{ROUND}/verify", {}, form_page=ROUND).status_code == 303
    assert _state(web_ctx, 2025) == "verified"
    assert post(verifier, f"{ROUND}/certify", {}, form_page=ROUND).status_code == 403

    r = post(admin, f"{ROUND}/certify", {}, form_page=ROUND)
    assert r.status_code == 303, r.text[r.text.find('id="problem"') :][:800]
    board = admin.get(r.headers["location"])
    assert "has been issued" in board.text
    [cert] = admin.get(f"{ROUND}.json").json()["certificates"]
    assert _state(web_ctx, 2025) == "certified"
    public = TestClient(admin.app).get(cert["url"])
    assert public.status_code == 200 and cert["public_id"] in public.text
    pdf = TestClient(admin.app).get(cert["pdf_url"])
    assert pdf.content.startswith(b"%PDF")


def test_certifying_below_the_lowest_level_is_refused_with_the_reason(
    as_: SignedIn, web_ctx: ServiceContext, draft_submitted: int, sample: Sample
) -> None:
    verifier = user_context(web_ctx.db, "verifier.draft")
    workflow.start_verification(verifier, cycle_id=sample.draft_cycle_id)
    for number in workflow.status(verifier, cycle_id=sample.draft_cycle_id).decisions:
        workflow.decide(
            verifier, cycle_id=sample.draft_cycle_id, indicator=number, decision=Decision.accepted
        )
    workflow.mark_verified(verifier, cycle_id=sample.draft_cycle_id)
    admin = as_("admin")
    r = post(admin, f"{REVIEW}/certify", {}, form_page=REVIEW)
    assert r.status_code == 400
    assert "no certification level is reached" in r.text
    assert _state(web_ctx, 2024) == "verified"


def test_a_query_without_a_question_is_refused_and_the_decision_stays(
    as_: SignedIn, draft_submitted: int
) -> None:
    c = as_("verifier.draft")
    post(c, f"{REVIEW}/start", {}, form_page=REVIEW)
    page = f"{REVIEW}/indicator/8.1"
    r = post(c, f"{page}/decide", {"decision": "query", "text": " "}, form_page=page)
    assert r.status_code == 409
    assert c.get(f"{page}.json").json()["decision"] == "pending"


@pytest.mark.parametrize(
    ("login", "step", "form_page"),
    [
        ("editor.daegu", "start", DRAFT),
        ("coord.daegu", "start", DRAFT),
        ("editor.busan", "start", "/verifier"),
        ("verifier.round", "start", "/verifier"),  # assigned to another cycle
    ],
)
def test_only_the_assigned_verifier_starts_verification(
    as_: SignedIn,
    web_ctx: ServiceContext,
    draft_submitted: int,
    big_round: int,
    login: str,
    step: str,
    form_page: str,
) -> None:
    r = post(as_(login), f"{REVIEW}/{step}", {}, form_page=form_page)
    assert r.status_code == 403
    assert _state(web_ctx, 2024) == "submitted"


def test_city_people_cannot_decide_on_their_own_indicators(
    as_: SignedIn, web_ctx: ServiceContext, draft_submitted: int, sample: Sample
) -> None:
    workflow.start_verification(
        user_context(web_ctx.db, "verifier.draft"), cycle_id=sample.draft_cycle_id
    )
    coord = as_("coord.daegu")
    r = post(coord, f"{REVIEW}/accept", {"indicator": ["8.1"]}, form_page=DRAFT)
    assert r.status_code == 403
    status = workflow.status(web_ctx, cycle_id=sample.draft_cycle_id)
    assert status.decisions["8.1"] is Decision.pending
