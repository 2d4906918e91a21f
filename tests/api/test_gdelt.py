"""GDELT events files through POST /v1/import?format=gdelt and `detente import gdelt`."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import msgspec
import pytest

from schemas.events import EventOut
from service import export
from service.cli import main
from service.collections import EVENTS
from tests.api.writing import changes

TSV = {"Content-Type": "text/tab-separated-values"}


def row(
    gid: int,
    day: str,
    actor1: str,
    actor2: str,
    code: str,
    *,
    columns: int = 61,
    names: tuple[str, str] = ("CHINA", "JAPAN"),
    counts: tuple[str, str, str, str] = ("12", "3", "11", "-3.25"),
    geo: tuple[str, str, str, str] = ("JA", "Tokyo, Tokyo, Japan", "35.685", "139.751"),
    url: str = "https://news.example.com/2024/01/05/story.html",
) -> bytes:
    """One tab-separated row in GDELT 2.0 (61 columns) or 1.0 (58, or 57 without a URL) layout."""
    cols = [""] * columns
    cols[0], cols[1], cols[2], cols[3] = str(gid), day, day[:6], day[:4]
    cols[5], cols[6], cols[7] = actor1, names[0], actor1
    cols[15], cols[16], cols[17] = actor2, names[1], actor2
    cols[25], cols[26], cols[27], cols[28] = "1", code, code[:3], code[:2]
    cols[31], cols[32], cols[33], cols[34] = counts
    geo_at = {61: 51, 58: 49, 57: 49}[columns]
    cols[geo_at], cols[geo_at + 1], cols[geo_at + 2] = "1", geo[1], geo[0]
    lat_at = geo_at + (5 if columns == 61 else 4)
    cols[lat_at], cols[lat_at + 1] = geo[2], geo[3]
    added_at = {61: 59, 58: 56, 57: 56}[columns]
    cols[added_at] = day + "093000" if columns == 61 else day
    if columns != 57:
        cols[added_at + 1] = url
    return "\t".join(cols).encode()


GOOD = [
    row(1100001, "20240105", "CHN", "JPN", "036"),  # 1: CN -> JP, intent to negotiate
    row(
        1100002,
        "20240106",
        "JPN",
        "CHN",
        "1231",
        names=("JAPAN", "CHINA"),
        geo=("CH", "Beijing", "39.9", "116.4"),
    ),
    row(1100003, "20240107", "KOR", "CHN", "043", names=("SEOUL", "BEIJING"), geo=("KS", "Seoul", "", "")),
]
BAD = [
    b"1100004\t20240108\tonly three columns",  # 4: wrong shape
    row(1100005, "20241340", "CHN", "JPN", "036"),  # 5: no such date
    row(1100006, "20240108", "CHN", "JPN", "999"),  # 6: not a CAMEO code
    row(1100007, "20240108", "CHN", "JPN", "036", counts=("many", "3", "11", "1.0")),  # 7: NumMentions
]
SKIPPED = [
    row(1100008, "20240108", "CHN", "CHN", "036"),  # 8: both actors in China
    row(1100009, "20240108", "", "JPN", "036"),  # 9: no country on one side
    row(1100010, "20240108", "EUR", "JPN", "036"),  # 10: a region, not a country
]
BODY = b"\n".join(GOOD + BAD + SKIPPED) + b"\n"


async def post(client: Any, body: bytes) -> dict[str, Any]:
    response = await client.post("/v1/import?format=gdelt", content=body, headers=TSV)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def ids(client: Any, query: str) -> list[str]:
    response = await client.get(f"/v1/events?{query}")
    assert response.status_code == 200, response.text
    return [e["id"] for e in response.json()["items"]]


@pytest.mark.usefixtures("batch_size")
async def test_rows_between_two_countries_become_directed_events_with_their_coding(api: Any) -> None:
    report = await post(api, BODY)
    assert (report["lines"], report["valid"], report["changed"], report["skipped"]) == (10, 3, 3, 3)
    assert [e["line"] for e in report["errors"]] == [4, 5, 6, 7]
    reasons = [e["reason"] for e in report["errors"]]
    for reason, words in zip(reasons, ("found 3", "SQLDATE", "EventCode", "NumMentions"), strict=True):
        assert words in reason
    assert [e["id"] for e in report["errors"]] == [
        "gdelt-1100004",
        "gdelt-1100005",
        "gdelt-1100006",
        "gdelt-1100007",
    ]

    event = (await api.get("/v1/events/gdelt-1100001")).json()
    assert (event["cameo_code"], event["type"]) == ("036", "intent_to_cooperate")
    assert (event["goldstein"], event["quad_class"]) == (4.0, 1)
    assert event["external_ids"] == {"gdelt": "1100001"}
    assert event["coverage"] == {"mentions": 12, "sources": 3, "articles": 11, "avg_tone": -3.25}
    assert (event["location_name"], event["location_country"]) == ("Tokyo, Tokyo, Japan", "JP")
    assert (event["location_lat"], event["location_lon"]) == (35.685, 139.751)
    assert (event["start_date"], event["status"]) == ("2024-01-05", "occurred")
    assert [(p["role"], p["country"]) for p in event["participants"]] == [
        ("initiator", "CN"),
        ("target", "JP"),
    ]
    [source] = event["sources"]
    assert source["url"] == "https://news.example.com/2024/01/05/story.html"
    assert (source["publisher"], source["published_on"]) == ("news.example.com", "2024-01-05")

    reject = (await api.get("/v1/events/gdelt-1100002")).json()
    assert (reject["cameo_code"], reject["type"], reject["quad_class"]) == ("1231", "rejection", 3)
    assert reject["location_country"] == "CN"  # FIPS CH is China, not Switzerland
    visit = (await api.get("/v1/events/gdelt-1100003")).json()
    assert (visit["cameo_code"], visit["type"]) == ("043", "visit")
    assert (visit["location_lat"], visit["location_lon"]) == (None, None)

    assert await ids(api, "pair=CN,JP&from=2024-01-01&to=2024-12-31") == ["gdelt-1100002", "gdelt-1100001"]
    assert await ids(api, "initiator=CN&target=JP&from=2024-01-01&to=2024-12-31") == ["gdelt-1100001"]
    assert await ids(api, "initiator=Tokyo&target=Beijing&from=2024-01-01&to=2024-12-31") == ["gdelt-1100002"]
    assert await ids(api, "initiator=Seoul&target=CN&from=2024-01-07&to=2024-01-07") == ["gdelt-1100003"]
    assert await ids(api, "pair=CN,JP&from=2024-01-06&to=2024-12-31") == ["gdelt-1100002"]
    for skipped in ("gdelt-1100008", "gdelt-1100009", "gdelt-1100010", "gdelt-1100005"):
        assert (await api.get(f"/v1/events/{skipped}")).status_code == 404


@pytest.mark.usefixtures("batch_size")
async def test_importing_the_same_rows_again_is_a_no_op(api: Any) -> None:
    await post(api, BODY)
    _, cursor = await changes(api)
    again = await post(api, BODY)
    assert (again["valid"], again["changed"], again["unchanged"]) == (3, 0, 3)
    assert (await changes(api, cursor))[0] == []


async def test_a_changed_row_is_a_new_revision_of_the_same_event(api: Any) -> None:
    await post(api, BODY)
    report = await post(api, row(1100001, "20240105", "CHN", "JPN", "036", counts=("40", "9", "38", "-1.5")))
    assert (report["valid"], report["changed"]) == (1, 1)
    event = (await api.get("/v1/events/gdelt-1100001")).json()
    assert (event["revision"], event["coverage"]["mentions"]) == (2, 40)
    history = (await api.get("/v1/events/gdelt-1100001/revisions")).json()["items"]
    assert [r["op"] for r in history] == ["create", "update"]
    assert history[1]["diff"]["coverage"] == {"mentions": 40, "sources": 9, "articles": 38, "avg_tone": -1.5}


async def test_gdelt_one_rows_and_zipped_files_are_read_too(api: Any) -> None:
    rows = [
        row(2200001, "20130402", "CHN", "JPN", "112", columns=58, url="http://example.org/old"),
        row(2200002, "20120315", "USA", "RUS", "0311", columns=57, names=("UNITED STATES", "RUSSIA")),
    ]
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("20130402.export.CSV", b"\n".join(rows) + b"\n")
    report = await post(api, packed.getvalue())
    assert (report["valid"], report["errors"]) == (2, [])
    accusation = (await api.get("/v1/events/gdelt-2200001")).json()
    assert (accusation["cameo_code"], accusation["sources"][0]["url"]) == ("112", "http://example.org/old")
    older = (await api.get("/v1/events/gdelt-2200002")).json()
    assert [p["country"] for p in older["participants"]] == ["US", "RU"]
    # A 57-column row has no article URL: it cites GDELT's file of that day.
    assert older["sources"][0]["url"] == "http://data.gdeltproject.org/events/20120315.export.CSV.zip"


async def test_the_format_parameter_is_checked(api: Any) -> None:
    response = await api.post("/v1/import?format=csv", content=BODY, headers=TSV)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "format" in response.text


@pytest.mark.usefixtures("keys")
def test_cli_imports_gdelt_files(fresh_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    monkeypatch.setenv("DATABASE_URL", fresh_url)
    plain = tmp_path / "20240105.export.CSV"
    plain.write_bytes(BODY)
    packed = tmp_path / "20240106.export.CSV.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("20240106.export.CSV", row(3300001, "20240106", "KOR", "JPN", "043") + b"\n")
    assert main(["import", "gdelt", str(plain), str(packed), "--quiet"]) == 1  # the bad rows are refused
    out = capsys.readouterr().out
    assert "10 lines: 3 valid (3 changed, 0 unchanged), 4 refused, 3 skipped" in out
    assert "line 6 (gdelt-1100006): EventCode" in out
    assert "1 lines: 1 valid (1 changed, 0 unchanged), 0 refused" in out
    assert main(["import", "gdelt", str(packed), "--quiet"]) == 0
    assert "1 valid (0 changed, 1 unchanged)" in capsys.readouterr().out
    assert main(["import", "gdelt", str(tmp_path / "missing.zip"), "--quiet"]) == 2


async def test_an_exported_gdelt_event_imports_back_unchanged(api: Any) -> None:
    await post(api, BODY)
    served = (await api.get("/v1/events/gdelt-1100001")).json()
    line = export.record(EVENTS, served["id"], msgspec.convert(served, EventOut, strict=False))
    assert b'"coverage":{"mentions":12' in line
    response = await api.post("/v1/import", content=line, headers={"Content-Type": "application/x-ndjson"})
    report = response.json()
    assert (report["valid"], report["changed"], report["unchanged"], report["errors"]) == (1, 0, 1, [])
