"""The public only ever sees published or certified data: drafts never reach a page, a JSON
twin or a download; revoked certificates are not listed."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from citycert.services import cycles, public
from citycert.services.context import NotFoundError, ServiceContext
from tests.web.sample_data import DRAFT_VALUE, Sample

DRAFT_TEXTS = (str(DRAFT_VALUE), "987.65", "987.7", "Hidden Town", "비공개시", "hidden-town")

PUBLIC_PATHS = [
    "/", "/index.json", "/cities", "/cities.json", "/cities.json?q=hidden",
    "/cities/daegu", "/cities/daegu.json", "/compare.json?city=daegu",
    "/compare.json?city=daegu&group=region", "/indicators/iso37120-2018:8.1",
    "/indicators/iso37120-2018:8.1.json", "/indicators/iso37120-2018:8.1.json?year=2024",
]  # fmt: skip


@pytest.mark.parametrize("path", PUBLIC_PATHS)
def test_drafts_never_appear_on_public_pages(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert not [t for t in DRAFT_TEXTS if t in r.text]


def test_city_with_only_drafts_does_not_exist_for_the_public(client: TestClient) -> None:
    assert client.get("/cities/hidden-town").status_code == 404
    assert client.get("/cities/hidden-town.json").status_code == 404
    assert client.get("/compare.json?city=hidden-town").status_code == 404
    assert client.get("/downloads/cities/hidden-town/csv").status_code == 404
    assert "2024" not in [str(y) for y in client.get("/cities/daegu.json").json()["standards"][0]
                          ["years"]]  # fmt: skip


def test_revoked_certificate_is_not_listed(client: TestClient, sample: Sample) -> None:
    listed = json.dumps(client.get("/cities.json").json())
    assert sample.revoked_certificate_id not in listed
    assert all(c in listed for c in sample.certificate_ids)
    ulsan = client.get("/cities/ulsan.json").json()
    assert ulsan["certificates"] == []


def test_unpublishing_hides_the_year_again(client: TestClient, web_ctx: ServiceContext) -> None:
    before = client.get("/cities/busan.json").json()["standards"][0]["years"]
    cycle = cycles.find_cycle(web_ctx, city="busan", catalog="iso37120-2018", year=2023)
    assert cycle is not None
    cycles.set_published(web_ctx, cycle_id=cycle.id, published=False)
    after = client.get("/cities/busan.json").json()["standards"][0]["years"]
    assert before == [2021, 2022, 2023] and after == [2021, 2022]


@pytest.mark.parametrize("fmt", ["csv", "json", "xlsx", "datapackage", "sdmx"])
@pytest.mark.parametrize("scope", ["all", "cities/daegu"])
def test_downloads_hold_public_data_and_no_draft(client: TestClient, fmt: str, scope: str) -> None:
    r = client.get(f"/downloads/{scope}/{fmt}")
    assert r.status_code == 200
    name = "all" if scope == "all" else "daegu"
    assert f'filename="citycert-{name}' in r.headers["content-disposition"]
    texts = _texts(fmt, r.content)
    joined = "\n".join(texts)
    assert "daegu" in joined
    assert "hidden-town" not in joined and "987.654" not in joined
    if scope != "all":
        assert "busan" not in joined


def _texts(fmt: str, content: bytes) -> list[str]:
    """The text of a downloaded file (every member of a zip, every cell of a workbook)."""
    if fmt in ("csv", "json"):
        return [content.decode("utf-8")]
    if fmt == "xlsx":
        wb = load_workbook(io.BytesIO(content), read_only=True)
        return [str(c) for ws in wb.worksheets for row in ws.iter_rows(values_only=True)
                for c in row if c is not None]  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        names = zf.namelist()
        expected = {"datapackage": "datapackage.json", "sdmx": "structure.xml"}[fmt]
        assert expected in names
        return [zf.read(n).decode("utf-8") for n in names]


def test_csv_download_is_the_exchange_table(client: TestClient) -> None:
    lines = client.get("/downloads/cities/daegu/csv").text.splitlines()
    assert lines[0].startswith("city,city_name_en,city_name_ko,country,catalog,year,indicator")
    years = {line.split(",")[5] for line in lines[1:]}
    assert years == {"2021", "2022", "2023"}


def test_public_services_refuse_hidden_cities(web_ctx: ServiceContext) -> None:
    with pytest.raises(NotFoundError):
        public.city_record(web_ctx, slug="hidden-town")
    with pytest.raises(NotFoundError):
        public.city_values(web_ctx, slug="hidden-town", catalog="iso37120-2018")
    spread = public.indicator_spread(web_ctx, catalog="iso37120-2018", indicator="8.1", year=2023)
    assert "hidden-town" not in {v.city.slug for v in spread.values}
    assert 2024 not in spread.years
