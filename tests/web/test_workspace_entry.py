"""Data entry over HTTP: saving a theme form (only edited rows), conflicts that show both values
and lose nothing, unreadable numbers, the Excel template and workbook upload with its report,
evidence files."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import openpyxl
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl.utils import get_column_letter

from citycert.i18n import LANGS, is_missing
from citycert.services import values
from citycert.services.context import ServiceContext
from tests.web.sample_data import DRAFT_VALUE, Sample
from tests.web.test_workspace_support import DRAFT, make_personas, post, sign_in

SignedIn = Callable[[str], TestClient]
THEME8 = f"{DRAFT}/theme/8"
PM25 = "8.1/pm25_concentration"


@pytest.fixture
def people(web_ctx: ServiceContext, sample: Sample) -> None:
    make_personas(web_ctx, sample.draft_cycle_id)


@pytest.fixture
def as_(app: FastAPI, people: None) -> Iterator[SignedIn]:
    yield lambda login: sign_in(TestClient(app), login)


def stored(ctx: ServiceContext, cycle_id: int) -> dict[str, values.InputPublic]:
    return {f"{r.indicator}/{r.input}": r for r in values.list_inputs(ctx, cycle_id=cycle_id)}


def theme_form(client: TestClient, path: str) -> dict[str, str]:
    """Every field of a theme form as a browser would send it (from the page's JSON twin)."""
    data = client.get(f"{path}.json").json()
    form: dict[str, str] = {}
    for block in data["indicators"]:
        for row in block["inputs"]:
            k = row["key"]
            form.update({f"{f}:{k}": v for f, v in row["shown"].items()})
            form[f"version:{k}"] = str(row["version"])
            form[f"orig:{k}"] = row["original"]
    return form


@pytest.mark.parametrize("lang", LANGS)
def test_theme_page_shows_every_input_with_unit_value_and_finding(as_: SignedIn, lang: str) -> None:
    c = as_("editor.daegu")
    html = c.get(f"{THEME8}?lang={lang}")
    assert html.status_code == 200 and not is_missing(html.text)
    data = c.get(f"{THEME8}.json").json()
    pm = next(b for b in data["indicators"] if b["number"] == "8.1")
    [row] = pm["inputs"]
    assert (row["unit_label"], row["shown"]["value"]) == ("µg/m³", "987.654")
    assert [f["rule"] for f in pm["findings"]] == ["year_over_year"]
    assert f'name="value:{PM25}"' in html.text and 'value="987.654"' in html.text
    assert data["can_edit"] and data["can_add_evidence"]


def test_saving_a_corrected_figure_clears_its_finding_and_leaves_other_rows_alone(
    as_: SignedIn, web_ctx: ServiceContext, sample: Sample
) -> None:
    before = stored(web_ctx, sample.draft_cycle_id)
    c = as_("editor.daegu")
    form = theme_form(c, THEME8)
    form.update(
        {f"value:{PM25}": "25.5", f"source:{PM25}": "Air quality network", f"grade:{PM25}": "A"}
    )
    r = post(c, THEME8, form, form_page=THEME8)
    assert r.status_code == 303 and r.headers["location"] == f"{THEME8}?saved=1"
    after = stored(web_ctx, sample.draft_cycle_id)
    assert (after[PM25].value, after[PM25].source, after[PM25].quality_grade) == (
        25.5, "Air quality network", "A",
    )  # fmt: skip
    assert after[PM25].version == before[PM25].version + 1
    untouched = {k: v.version for k, v in after.items() if k != PM25}
    assert untouched == {k: v.version for k, v in before.items() if k != PM25}
    page = c.get(f"{THEME8}.json?saved=1").json()
    pm = next(b for b in page["indicators"] if b["number"] == "8.1")
    assert pm["findings"] == [] and pm["value"] == pytest.approx(25.5)
    assert page["saved"] == 1


def test_a_figure_in_another_unit_is_converted_and_kept_as_given(
    as_: SignedIn, web_ctx: ServiceContext, sample: Sample
) -> None:
    c = as_("editor.daegu")
    form = theme_form(c, THEME8)
    form.update({f"value:{PM25}": "0.0255", f"unit:{PM25}": "mg/m**3"})
    assert post(c, THEME8, form, form_page=THEME8).status_code == 303
    row = stored(web_ctx, sample.draft_cycle_id)[PM25]
    assert row.value == pytest.approx(25.5)
    assert (row.original_value, row.original_unit) == (0.0255, "mg/m**3")


def test_someone_elses_change_comes_back_as_a_conflict_showing_both_and_losing_nothing(
    as_: SignedIn, web_ctx: ServiceContext, sample: Sample
) -> None:
    c = as_("editor.daegu")
    form = theme_form(c, THEME8)  # the page as loaded, version 1
    values.set_inputs(
        web_ctx, sample.draft_cycle_id, [values.InputChange("8.1", "pm25_concentration", 31.0)]
    )
    form[f"value:{PM25}"] = "24.0"
    form[f"comment:{PM25}"] = "my careful note"

    r = post(c, THEME8, form, form_page=THEME8)

    assert r.status_code == 409
    assert stored(web_ctx, sample.draft_cycle_id)[PM25].value == 31.0  # theirs stands
    assert "Saved now: 31" in r.text and "Your value: 24.0" in r.text
    assert 'value="24.0"' in r.text and 'value="my careful note"' in r.text  # nothing lost
    version = re.search(rf'name="version:{re.escape(PM25)}" value="(\d+)"', r.text)
    assert version and version.group(1) == "2"

    keep_theirs = {**form, f"version:{PM25}": "2", f"resolve:{PM25}": "theirs"}
    assert post(c, THEME8, keep_theirs, form_page=THEME8).status_code == 303
    assert stored(web_ctx, sample.draft_cycle_id)[PM25].value == 31.0

    keep_mine = {**form, f"version:{PM25}": "2", f"resolve:{PM25}": "mine"}
    assert post(c, THEME8, keep_mine, form_page=THEME8).status_code == 303
    row = stored(web_ctx, sample.draft_cycle_id)[PM25]
    assert (row.value, row.comment) == (24.0, "my careful note")


@pytest.mark.parametrize(
    ("typed", "unit", "problem"),
    [
        ("abc", "", "is not a number"),
        ("12", "parsec", "give a unit convertible to"),
    ],
)
def test_bad_figures_are_refused_with_the_row_named_and_nothing_saved(
    as_: SignedIn, web_ctx: ServiceContext, sample: Sample, typed: str, unit: str, problem: str
) -> None:
    c = as_("editor.daegu")
    form = theme_form(c, THEME8)
    form[f"value:{PM25}"] = typed
    form[f"unit:{PM25}"] = unit
    form["value:8.2/pm10_concentration"] = "40"  # a good change in the same post
    r = post(c, THEME8, form, form_page=THEME8)
    assert r.status_code == 422
    assert problem in r.text
    assert f'value="{typed}"' in r.text and 'value="40"' in r.text
    rows = stored(web_ctx, sample.draft_cycle_id)
    assert rows[PM25].value == DRAFT_VALUE and "8.2/pm10_concentration" not in rows


@pytest.mark.parametrize("login", ["verifier.draft", "editor.busan"])
def test_people_who_may_not_edit_the_city_cannot_post_figures(
    as_: SignedIn, web_ctx: ServiceContext, sample: Sample, login: str
) -> None:
    owner = as_("editor.daegu")
    form = theme_form(owner, THEME8)
    form[f"value:{PM25}"] = "12"
    c = as_(login)
    form_page = THEME8 if login == "verifier.draft" else "/workspace"
    r = post(c, THEME8, form, form_page=form_page)
    assert r.status_code == 403
    assert stored(web_ctx, sample.draft_cycle_id)[PM25].value == DRAFT_VALUE


def test_verifier_sees_the_figures_read_only(as_: SignedIn) -> None:
    data = as_("verifier.draft").get(f"{THEME8}.json").json()
    assert not data["can_edit"] and not data["can_add_evidence"]
    html = as_("verifier.draft").get(THEME8).text
    assert 'id="entry-form"' not in html and "readonly" in html


def _template(c: TestClient) -> openpyxl.Workbook:
    r = c.get(f"{DRAFT}/template.xlsx?labels=en")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(r.content))


def _row(ws: Any, indicator: str, name: str) -> int:
    header = [c.value for c in ws[2]]
    ind, inp = header.index("_indicator") + 1, header.index("_input") + 1
    for r in range(3, ws.max_row + 1):
        if ws.cell(r, ind).value == indicator and ws.cell(r, inp).value == name:
            return r
    raise AssertionError(f"{indicator}/{name} not in {ws.title}")


def _upload(c: TestClient, wb: openpyxl.Workbook, **extra: str) -> Any:
    buf = io.BytesIO()
    wb.save(buf)
    files = {"file": ("daegu 2024.xlsx", buf.getvalue(), "application/octet-stream")}
    return post(c, f"{DRAFT}/import", extra, form_page=DRAFT, files=files)


def test_template_comes_prefilled_with_the_stored_figures(as_: SignedIn) -> None:
    ws = _template(as_("editor.daegu"))["5 Economy"]
    value_col = [c.value for c in ws[2]].index("Value") + 1
    assert ws.cell(_row(ws, "5.1", "labour_force"), value_col).value == 600_000


def test_workbook_with_problems_is_reported_cell_by_cell_and_saves_nothing(
    as_: SignedIn, web_ctx: ServiceContext, sample: Sample
) -> None:
    c = as_("editor.daegu")
    wb = _template(c)
    ws = wb["5 Economy"]
    value_col = [x.value for x in ws[2]].index("Value") + 1
    bad_row = _row(ws, "5.2", "total_assessed_value")
    ws.cell(bad_row, value_col).value = "lots"
    ws.cell(_row(ws, "5.3", "full_time_employed_persons"), value_col).value = 500_000
    before = stored(web_ctx, sample.draft_cycle_id)

    r = _upload(c, wb)

    assert r.status_code == 422
    assert stored(web_ctx, sample.draft_cycle_id).keys() == before.keys()
    assert "Nothing was saved" in r.text and "daegu 2024.xlsx" in r.text
    report = post(
        c, f"{DRAFT}/import", {}, form_page=DRAFT, headers={"accept": "application/json"},
        files={"file": ("daegu 2024.xlsx", _bytes(wb), "application/octet-stream")},
    ).json()  # fmt: skip
    [p] = report["problems"]
    assert (p["file"], p["sheet"], p["row"], p["column"]) == (
        "daegu 2024.xlsx", "5 Economy", bad_row, f"{get_column_letter(value_col)} (Value)",
    )  # fmt: skip
    assert p["message"]["en"] and p["fix"]["ko"]
    assert report["applied"] is False


def _bytes(wb: openpyxl.Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_clean_workbook_is_saved_and_a_dry_run_saves_nothing(
    as_: SignedIn, web_ctx: ServiceContext, sample: Sample
) -> None:
    c = as_("editor.daegu")
    wb = _template(c)
    ws = wb["5 Economy"]
    value_col = [x.value for x in ws[2]].index("Value") + 1
    ws.cell(_row(ws, "5.3", "full_time_employed_persons"), value_col).value = 500_000

    dry = _upload(c, wb, dry_run="true")
    assert dry.status_code == 200 and "Nothing was saved" in dry.text
    assert "5.3/full_time_employed_persons" not in stored(web_ctx, sample.draft_cycle_id)

    done = _upload(c, wb)
    assert done.status_code == 200 and "Saved: 1 new" in done.text
    assert stored(web_ctx, sample.draft_cycle_id)["5.3/full_time_employed_persons"].value == 500_000


def test_evidence_is_attached_listed_and_downloaded_by_the_city_and_its_verifier_only(
    as_: SignedIn,
) -> None:
    c = as_("editor.daegu")
    files = {"file": ("station report.pdf", b"%PDF-1.4 measured", "application/pdf")}
    r = post(c, f"{DRAFT}/evidence", {"target": "8.1", "theme": "8"}, form_page=THEME8, files=files)
    assert r.status_code == 303 and r.headers["location"].endswith("uploaded=true#ind-8.1")
    page = c.get(f"{THEME8}.json").json()
    [ev] = next(b for b in page["indicators"] if b["number"] == "8.1")["evidence"]
    assert ev["filename"] == "station report.pdf"
    got = c.get(ev["url"])
    assert got.status_code == 200 and got.content == b"%PDF-1.4 measured"
    assert "attachment" in got.headers["content-disposition"]
    assert as_("verifier.draft").get(ev["url"]).status_code == 200
    assert as_("editor.busan").get(ev["url"]).status_code == 404
