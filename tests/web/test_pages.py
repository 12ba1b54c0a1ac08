"""What the public pages show: finding a city, its profile, peers, indicators, certificates."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.web.sample_data import Sample


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=daegu", ["daegu"]),
        ("q=DAE", ["daegu"]),
        ("q=대구", ["daegu"]),
        ("q=s", ["busan", "script-city", "seoul", "suwon", "ulsan"]),
        ("level=gold", ["daegu"]),
        ("level=silver&year=2022", ["busan"]),
        ("level=gold&year=2022", []),  # Ulsan's 2022 gold certificate was revoked
        ("standard=iso37122-2019", []),
        ("country=kr&q=jeon", ["jeonju"]),
        ("country=US", []),
        ("year=2024", []),  # only Daegu's draft has 2024
    ],
)
def test_registry_search_and_filters(client: TestClient, query: str, expected: list[str]) -> None:
    data = client.get(f"/cities.json?{query}").json()
    assert sorted(i["city"]["slug"] for i in data["items"]) == expected
    assert data["paging"]["total"] == len(expected)
    assert sorted(p["slug"] for p in data["points"]) == expected


def test_registry_lists_in_the_visitors_alphabet(client: TestClient) -> None:
    en = [i["city"]["slug"] for i in client.get("/cities.json?lang=en").json()["items"]]
    ko = [i["city"]["slug"] for i in client.get("/cities.json?lang=ko").json()["items"]]
    assert en[:3] == ["script-city", "busan", "daegu"]  # '<' sorts before letters
    assert ko[:3] == ["script-city", "daegu", "busan"]  # 대구 before 부산


def test_registry_offers_only_choices_present_in_public_data(client: TestClient) -> None:
    data = client.get("/cities.json").json()
    assert [s["value"] for s in data["standards"]] == ["iso37120-2018"]
    assert [lv["value"] for lv in data["levels"]] == ["gold", "silver"]
    assert data["years"] == [2023, 2022, 2021]
    assert data["countries"] == ["KR"]


def test_city_profile_shows_identity_values_trend_and_downloads(client: TestClient) -> None:
    data = client.get("/cities/daegu.json").json()
    assert data["city"]["name_ko"] == "대구" and data["standard"] == "iso37120-2018"
    assert data["year"] == 2023
    themes = {t["number"]: t for t in data["themes"]}
    pm25 = next(i for i in themes[8]["indicators"] if i["number"] == "8.1")
    assert pm25["year"] == 2023 and pm25["value"] == pytest.approx(27.0)
    assert [p["year"] for p in pm25["trend"]] == [2021, 2022, 2023]
    assert {d["format"] for d in data["downloads"]} == {"csv", "xlsx", "json", "datapackage",
                                                         "sdmx"}  # fmt: skip
    html = client.get("/cities/daegu?trend=8.1").text
    assert 'id="city-trend-title"' in html and "PM2.5" in html
    assert 'class="sparkline"' in html


def test_compare_ranks_the_city_among_peers_by_the_documented_method(client: TestClient) -> None:
    data = client.get("/compare.json?city=daegu&group=region").json()
    r = data["result"]
    assert r["group_id"] == "yeongnam" and r["year"] == 2023
    members = [m["city"]["slug"] for m in r["members"]]
    assert members[0] == "daegu" and sorted(members) == ["busan", "daegu", "ulsan"]
    pm25 = next(i for i in r["indicators"] if i["number"] == "8.1")
    # PM2.5 (lower is better) in 2023: Daegu 27, Busan 25, Ulsan 23 -> Daegu is worst.
    assert pm25["percentile"] == 0 and pm25["rank"] == 3 and pm25["n"] == 3
    assert pm25["median"] == pytest.approx(25.0)
    env = next(t for t in r["themes"] if t["number"] == 8)
    assert env["score"] == 0 and env["rank"] == 3 and env["n"] == 3
    assert "method" in data and data["method"]["ko"]


def test_compare_by_name_and_with_several_matches(client: TestClient) -> None:
    one = client.get("/compare.json?city=대구").json()
    assert one["result"]["city"]["slug"] == "daegu"
    many = client.get("/compare.json?city=s").json()
    assert many["result"] is None and len(many["candidates"]) == 5
    assert client.get("/compare.json?city=atlantis").status_code == 404


def test_compare_page_explains_the_method(client: TestClient) -> None:
    html = client.get("/compare?city=daegu&lang=ko").text
    assert "백분위" in html and "k/n" in html and "25만 명 미만" in html
    assert 'id="compare-radar-title"' in html and 'id="compare-members-title"' in html


def test_indicator_page_gives_definition_and_spread(client: TestClient) -> None:
    data = client.get("/indicators/iso37120-2018:8.1.json").json()
    assert data["unit"] == "ug/m3" and data["direction"] == "lower" and data["confidence"]
    assert data["year"] == 2023 and data["years"] == [2023, 2022, 2021]
    assert data["stats"]["count"] == 7
    assert sum(b["count"] for b in data["histogram"]) == 7
    values = [v["value"] for v in data["values"]]
    assert values == sorted(values)
    html = client.get("/indicators/iso37120-2018:8.1").text
    assert 'id="indicator-histogram-title"' in html and "<table" in html


def test_catalogue_page_lists_every_indicator_of_a_standard(client: TestClient) -> None:
    data = client.get("/indicators.json?standard=iso37123-2019").json()
    assert sum(len(t["indicators"]) for t in data["themes"]) == 67
    assert client.get("/indicators.json?standard=iso99999-2000").status_code == 404


def test_certificate_verification_pages(client: TestClient, sample: Sample) -> None:
    good = client.get(f"/certificates/{sample.certificate_ids[0]}.json").json()["certificate"]
    assert good["status"] == "valid" and good["hash_ok"] and good["level"] == "gold"
    revoked = client.get(f"/certificates/{sample.revoked_certificate_id}?lang=ko").text
    assert "취소됨" in revoked and "figures withdrawn" in revoked
    pdf = client.get(f"/certificates/{sample.certificate_ids[0]}/pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.get("/certificates/CC-0000-NONE").status_code == 404


def test_about_page_cites_sources_and_standards(client: TestClient) -> None:
    data = client.get("/about.json").json()
    assert data["attribution"] and "UNdata" in data["attribution"]
    assert {s["key"] for s in data["standards"]} >= {"iso37120-2018", "iso37122-2019"}
    html = client.get("/about").text
    assert "<h3>" in html and "<script" not in html.split("<main", 1)[1]


def test_front_page_counts_only_public_data(client: TestClient) -> None:
    overview = client.get("/index.json").json()["overview"]
    # 7 cities with public data (not Hidden Town), 2 certificates in force (one revoked),
    # 7 x 3 public reporting years (Daegu's 2024 draft left out).
    assert overview["cities"] == 7
    assert overview["certified_cities"] == 2 and overview["certificates"] == 2
    assert overview["cycles"] == 21
    assert [c["certificate"]["public_id"] for c in overview["latest"]] == [
        "CC-2024-BUSAN-37120-0001",
        "CC-2024-DAEGU-37120-0001",
    ]
