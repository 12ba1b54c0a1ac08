"""The ISO 37106 questionnaire over HTTP: the form and its live score, recording (complete
assessments only, nothing lost on refusal), the result with radar charts, roadmap and report,
and who may see or record what."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from citycert.i18n import LANGS, is_missing
from citycert.services import maturity
from citycert.services.context import ServiceContext
from citycert.standards.maturity import get_maturity_model
from tests.web.sample_data import Sample
from tests.web.test_workspace_support import make_personas, post, sign_in

SignedIn = Callable[[str], TestClient]
FORM = "/maturity/daegu/questionnaire"
ITEMS = [i.id for i in get_maturity_model().items]


@pytest.fixture
def people(web_ctx: ServiceContext, sample: Sample) -> None:
    make_personas(web_ctx, sample.draft_cycle_id)


@pytest.fixture
def as_(app: FastAPI, people: None) -> Iterator[SignedIn]:
    yield lambda login: sign_in(TestClient(app), login)


def levels_form(levels: dict[str, int], **extra: str) -> dict[str, str]:
    form = {f"level:{k}": str(v) for k, v in levels.items()}
    return {"assessed_on": "2024-02-01", "assessor": "Kim Assessor", **form, **extra}


# Levels -> (mean, awarded level, items below the gate of 3): the model's published rules.
SCORES = [
    (dict.fromkeys(ITEMS, 3), 3.0, 3, []),
    ({**dict.fromkeys(ITEMS, 4), "A01": 2}, (4 * 21 + 2) / 22, None, ["A01"]),
    ({**dict.fromkeys(ITEMS, 4), "B01": 5, "C01": 5}, (4 * 20 + 10) / 22, 4, []),
]


@pytest.mark.parametrize(("levels", "mean", "level", "blockers"), SCORES)
def test_live_score_follows_the_model_rules(
    as_: SignedIn, levels: dict[str, int], mean: float, level: int | None, blockers: list[str]
) -> None:
    query = ",".join(f"{k}:{v}" for k, v in levels.items())
    score = as_("admin").get(f"{FORM}/score.json", params={"levels": query}).json()
    assert score["complete"] and score["mean"] == pytest.approx(mean)
    assert score["level"] == level
    assert [b["item"] for b in score["blockers"]] == blockers
    assert score["eligible"] is (not blockers)


def test_partial_score_says_how_many_items_are_still_to_rate(as_: SignedIn) -> None:
    score = as_("admin").get(f"{FORM}/score.json?levels=A01:2,A02:4,Z99:5,A03:9&lang=ko").json()
    assert (score["rated"], score["complete"], score["level"]) == (2, False, None)
    assert score["mean"] == pytest.approx(3.0)
    assert [b["item"] for b in score["blockers"]] == ["A01"]
    assert score["texts"]["rated"] == f"{len(ITEMS)}개 항목 중 2개 평가함"


@pytest.mark.parametrize("lang", LANGS)
def test_questionnaire_shows_every_item_with_the_rubric_in_both_languages(
    as_: SignedIn, lang: str
) -> None:
    c = as_("admin")
    html = c.get(f"{FORM}?lang={lang}")
    assert html.status_code == 200 and not is_missing(html.text)
    model = get_maturity_model()
    for item in model.items:
        assert f'name="level:{item.id}"' in html.text
    for lv in model.levels.values():
        assert (lv.ko if lang == "ko" else lv.en) in html.text
    assert html.text.count('type="radio"') == len(model.items) * len(model.levels)
    data = c.get(f"{FORM}.json").json()
    assert [len(a["items"]) for a in data["areas"]] == [
        sum(i.area == code for i in model.items) for code in model.areas
    ]
    assert data["can_record"] and data["score"]["rated"] == 0
    assert 'src="/static/maturity.js' in html.text


def test_checking_the_score_stores_nothing_and_keeps_what_was_typed(as_: SignedIn) -> None:
    c = as_("admin")
    form = levels_form({"A01": 2, "A02": 5}, action="score", **{"evidence:A01": "draft plan"})
    r = post(c, FORM, form, form_page=FORM)
    assert r.status_code == 200
    assert "2 of 22 items rated" in r.text and "draft plan" in r.text
    assert 'id="lv-A02-5" name="level:A02" value="5" checked' in r.text
    assert c.get("/maturity/daegu.json").json()["assessments"] == []


def test_an_incomplete_assessment_is_refused_listing_every_missing_item(as_: SignedIn) -> None:
    c = as_("admin")
    levels = dict.fromkeys(ITEMS[:-2], 3)
    r = post(c, FORM, levels_form(levels, action="record"), form_page=FORM)
    assert r.status_code == 422
    for missing in ITEMS[-2:]:
        assert f"{missing}</code>" in r.text
    assert 'value="Kim Assessor"' in r.text
    assert c.get("/maturity/daegu.json").json()["assessments"] == []


def test_recorded_assessment_shows_level_charts_roadmap_and_report(
    as_: SignedIn, web_ctx: ServiceContext
) -> None:
    c = as_("admin")
    levels = {**dict.fromkeys(ITEMS, 3), "A01": 4, "B02": 2}
    form = levels_form(levels, action="record", target_level="4", **{"evidence:A01": "plan"})
    r = post(c, FORM, form, form_page=FORM)
    assert r.status_code == 303
    page_url = r.headers["location"].split("?")[0]
    [stored] = maturity.list_assessments(web_ctx, city="daegu")
    assert page_url == f"/maturity/daegu/assessments/{stored.id}"
    assert {i.item: i.level for i in stored.items} == levels

    data = c.get(f"{page_url}.json").json()
    assert (data["level"], data["eligible"], data["target_level"]) == (None, False, 4)
    assert [b["id"] for b in data["blockers"]] == ["B02"]
    assert data["plan"][0] == {
        "item": "B02", "name": data["plan"][0]["name"], "from_level": 2, "to_level": 3,
    }  # fmt: skip
    html = c.get(page_url).text
    assert 'id="maturity-areas-figure"' in html and 'id="maturity-items-figure"' in html
    pdf = c.get(data["report_pdf"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    report = c.get(data["report_html"])
    assert report.status_code == 200 and "attachment" in report.headers["content-disposition"]
    again = c.get(data["revise_url"] + "&lang=en").text
    assert 'id="lv-B02-2" name="level:B02" value="2" checked' in again


def test_city_people_see_their_assessments_but_only_assessors_record(
    as_: SignedIn, web_ctx: ServiceContext
) -> None:
    items = [maturity.ItemEntry(i, 3) for i in ITEMS]
    maturity.record(
        web_ctx, city="daegu", assessed_on=date(2024, 1, 5), assessor="BSI", items=items
    )
    editor = as_("editor.daegu")
    [line] = editor.get("/maturity/daegu.json").json()["assessments"]
    assert line["level"] == 3
    assert editor.get(line["url"]).status_code == 200
    assert not editor.get(f"{FORM}.json").json()["can_record"]
    r = post(editor, FORM, levels_form(dict.fromkeys(ITEMS, 5), action="record"), form_page=FORM)
    assert r.status_code == 403
    assert len(maturity.list_assessments(web_ctx, city="daegu")) == 1


@pytest.mark.parametrize("path", ["/maturity/daegu", FORM, f"{FORM}/score.json?levels=A01:3"])
def test_people_of_another_city_cannot_see_its_assessments(as_: SignedIn, path: str) -> None:
    assert as_("editor.busan").get(path).status_code == 403


def test_maturity_index_lists_the_cities_one_works_with(as_: SignedIn) -> None:
    assert [c["slug"] for c in as_("editor.busan").get("/maturity.json").json()["cities"]] == [
        "busan"
    ]
    every = [c["slug"] for c in as_("admin").get("/maturity.json").json()["cities"]]
    assert {"daegu", "busan", "hidden-town"} <= set(every)
