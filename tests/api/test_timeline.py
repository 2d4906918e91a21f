"""Pair timelines over HTTP: buckets, empty buckets, intervals, CSV, and the seed world's CN-KR story."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from typing import Any

import pytest

from tests.api.writing import assert_problem

TIMELINE = "/v1/pairs/{a}/{b}/timeline"


async def timeline(client: Any, a: str = "Seoul", b: str = "Beijing", **params: str) -> dict[str, Any]:
    response = await client.get(TIMELINE.format(a=a, b=b), params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    return body


def by_start(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {bucket["start"]: bucket for bucket in body["buckets"]}


async def test_cn_kr_2017_to_2026_shows_the_thaad_chill_and_the_thaw(client: Any) -> None:
    body = await timeline(client, **{"from": "2017-01-01", "to": "2026-12-31", "interval": "year"})
    # Seoul/Beijing and Beijing/Seoul are one pair; directions follow its key, CN before KR.
    assert (body["pair"], body["a"], body["b"], body["interval"]) == ("CN-KR", "CN", "KR", "year")
    assert (body["start"], body["end"]) == ("2017-01-01", "2026-12-31")
    assert body["index"] == {"method": "decayed-mean-goldstein", "tau_days": 180.0, "prior_weight": 1.0}
    years = by_start(body)
    assert list(years) == [f"{y}-01-01" for y in range(2017, 2027)]

    chill = years["2017-01-01"]
    # THAAD deployment (CAMEO 154, -7.2), China's protest (111, -2.0), the boycott (163, -8.0).
    assert chill["events"] == 3
    assert (chill["verbal_conflict"], chill["material_conflict"]) == (1, 2)
    assert (chill["verbal_cooperation"], chill["material_cooperation"]) == (0, 0)
    # China initiated the protest and the boycott against Korea; the deployment has no target.
    assert (chill["a_to_b"], chill["b_to_a"]) == (2, 0)
    assert chill["goldstein_sum"] == pytest.approx(-17.2)
    assert chill["goldstein_mean"] == pytest.approx(-5.7333, abs=1e-4)
    assert (chill["status"], chill["trend"], chill["period_id"]) == (
        "strained",
        "steady",
        "rel-cn-kr-2017-01-01",
    )
    # On 2017-12-31 all three are 364 days old: w = exp(-364/180) = 0.132361.
    # Both ways: -17.2 w / (3 w + 1) = -1.6295; China to Korea: -10 w / (2 w + 1) = -1.0466.
    assert chill["as_of"] == "2017-12-31"
    assert chill["index"] == pytest.approx(-1.6295, abs=1e-4)
    assert chill["index_weight"] == pytest.approx(0.3971, abs=1e-4)
    assert chill["index_a_to_b"] == pytest.approx(-1.0466, abs=1e-4)
    assert chill["index_b_to_a"] == 0

    # The quiet years are present, with zeros, under the same curated status.
    for year in range(2018, 2026):
        quiet = years[f"{year}-01-01"]
        assert quiet["events"] == quiet["deals"] == quiet["a_to_b"] == quiet["b_to_a"] == 0
        assert quiet["goldstein_sum"] == 0
        assert quiet["goldstein_mean"] is None
        assert quiet["deal_usd"] == "0"
        assert quiet["status"] == "strained"
        assert -1.6295 < quiet["index"] <= 0

    thaw = years["2026-01-01"]
    # Summit (040, +1.0), delegation and export promotion (061, +6.4 each), a statement (010, 0).
    assert thaw["events"] == 4
    assert (thaw["verbal_cooperation"], thaw["material_cooperation"]) == (2, 2)
    assert thaw["verbal_conflict"] == thaw["material_conflict"] == 0
    assert thaw["goldstein_sum"] == pytest.approx(13.8)
    assert thaw["goldstein_mean"] == pytest.approx(3.45)
    # Three deals: US$44.11 million of contracts, the MOUs without a value, and a target.
    assert (thaw["deals"], thaw["deal_usd"], thaw["deal_usd_targets"]) == (3, "44110000", "690600000")
    assert (thaw["status"], thaw["trend"]) == ("strained", "improving")
    assert thaw["index"] > 1


async def test_monthly_buckets_read_the_index_at_each_month_end(client: Any) -> None:
    body = await timeline(
        client, "CN", "KR", **{"from": "2017-01-15", "to": "2026-12-01", "interval": "month"}
    )
    months = by_start(body)
    assert len(months) == 120
    january = months["2017-01-01"]
    assert (january["end"], january["events"]) == ("2017-01-31", 3)
    # 30 days after 2017-01-01: w = exp(-30/180) = 0.846482; -17.2 w / (3 w + 1) = -4.1135.
    assert january["index"] == pytest.approx(-4.1135, abs=1e-4)
    assert months["2017-02-01"]["events"] == 0
    assert months["2017-02-01"]["index"] > january["index"]
    assert months["2025-12-01"]["status"] == "strained"
    assert months["2025-12-01"]["trend"] == "steady"
    thaw = months["2026-01-01"]
    # On 2026-01-31: 7.4 on the 5th (2 events, a = exp(-26/180)), 6.4 on the 6th (2, b = exp(-25/180)),
    # and 2017's -17.2 at o = exp(-3317/180), next to nothing: (7.4a + 6.4b - 17.2o) / (2a + 2b + 3o + 1).
    a, b, o = math.exp(-26 / 180), math.exp(-25 / 180), math.exp(-3317 / 180)
    expected = (7.4 * a + 6.4 * b - 17.2 * o) / (2 * a + 2 * b + 3 * o + 1)
    assert expected == pytest.approx(2.6779, abs=1e-4)
    assert thaw["index"] == pytest.approx(expected, abs=1e-4)
    assert (thaw["status"], thaw["trend"], thaw["deals"]) == ("strained", "improving", 3)


async def test_weeks_are_iso_weeks_and_days_are_days(client: Any) -> None:
    # 2026-01-01 is a Thursday: its ISO week began on Monday 2025-12-29.
    weeks = await timeline(
        client, "KR", "CN", **{"from": "2026-01-01", "to": "2026-01-14", "interval": "week"}
    )
    assert [(w["start"], w["end"], w["events"]) for w in weeks["buckets"]] == [
        ("2025-12-29", "2026-01-04", 0),
        ("2026-01-05", "2026-01-11", 4),
        ("2026-01-12", "2026-01-18", 0),
    ]
    days = await timeline(client, "KR", "CN", **{"from": "2026-01-04", "to": "2026-01-07", "interval": "day"})
    assert [(d["start"], d["events"], d["deals"]) for d in days["buckets"]] == [
        ("2026-01-04", 0, 0),
        ("2026-01-05", 2, 2),
        ("2026-01-06", 2, 1),
        ("2026-01-07", 0, 0),
    ]
    # The curated status changed on 2026-01-05: the day before still shows the old period.
    assert [d["trend"] for d in days["buckets"]] == ["steady", "improving", "improving", "improving"]


async def test_directions_of_the_freeze(client: Any) -> None:
    body = await timeline(
        client, "Tokyo", "Beijing", **{"from": "2025-11-01", "to": "2026-01-31", "interval": "month"}
    )
    assert (body["a"], body["b"]) == ("CN", "JP")
    months = by_start(body)
    # November: Japan's remark (JP -> CN); December: the business groups' postponement (JP -> CN);
    # January: China's dual-use export ban on Japan (CN -> JP, 163, -8.0).
    assert [(m["a_to_b"], m["b_to_a"]) for m in months.values()] == [(0, 1), (0, 1), (1, 0)]
    assert months["2026-01-01"]["index_a_to_b"] < 0
    assert months["2025-12-01"]["status"] == "frozen"


async def test_defaults_run_from_the_first_fact_to_today(client: Any) -> None:
    body = await timeline(client, "CN", "KR", interval="year")
    today = dt.datetime.now(dt.UTC).date()
    assert body["start"] == "2017-01-01"
    assert body["buckets"][-1]["start"] == f"{today.year}-01-01"
    assert body["buckets"][-1]["as_of"] == today.isoformat()
    monthly = await timeline(client, "CN", "KR")
    assert monthly["interval"] == "month"
    assert monthly["buckets"][0]["start"] == "2017-01-01"


async def test_a_pair_with_nothing_gets_empty_buckets(client: Any) -> None:
    body = await timeline(
        client, "France", "Germany", **{"from": "2020-01-01", "to": "2020-12-31", "interval": "month"}
    )
    assert body["pair"] == "DE-FR"
    assert len(body["buckets"]) == 12
    for bucket in body["buckets"]:
        assert bucket["events"] == bucket["deals"] == 0
        assert bucket["index"] == bucket["index_weight"] == 0
        assert bucket["status"] is None


async def test_csv_by_parameter_and_by_accept(client: Any) -> None:
    params = {"from": "2017-01-01", "to": "2026-12-31", "interval": "year"}
    by_param = await client.get(TIMELINE.format(a="KR", b="CN"), params={**params, "format": "csv"})
    by_accept = await client.get(
        TIMELINE.format(a="KR", b="CN"), params=params, headers={"Accept": "text/csv"}
    )
    for response in (by_param, by_accept):
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("text/csv")
    assert by_param.text == by_accept.text
    rows = list(csv.DictReader(io.StringIO(by_param.text)))
    assert len(rows) == 10
    first = rows[0]
    assert (first["start"], first["end"], first["events"], first["a_to_b"]) == (
        "2017-01-01",
        "2017-12-31",
        "3",
        "2",
    )
    assert (first["goldstein_sum"], first["status"], first["index"]) == ("-17.2", "strained", "-1.6295")
    quiet = rows[1]
    assert (quiet["events"], quiet["goldstein_mean"], quiet["deal_usd"]) == ("0", "", "0")
    assert rows[-1]["deal_usd_targets"] == "690600000"


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"interval": "hour"}, "interval"),
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"from": "2000-01-01", "to": "2026-01-01", "interval": "day"}, "from"),
        ({"from": "2026-13-01"}, "from"),
        ({"format": "xml"}, "format"),
        ({"to": "9999-12-31", "from": "9999-12-01", "interval": "month"}, "to"),
    ],
)
async def test_bad_parameters_are_422_naming_them(client: Any, params: dict[str, str], name: str) -> None:
    response = await client.get(TIMELINE.format(a="KR", b="CN"), params=params)
    assert_problem(response, 422, name)


async def test_unknown_country_and_same_country(client: Any) -> None:
    assert_problem(await client.get(TIMELINE.format(a="Atlantis", b="CN")), 422, "a")
    assert_problem(await client.get(TIMELINE.format(a="KR", b="Seoul")), 422, "b")


async def test_at_most_5000_buckets(client: Any) -> None:
    # 2012-04-25 .. 2026-01-01 is exactly 5000 days.
    ok = await client.get(
        TIMELINE.format(a="KR", b="CN"), params={"from": "2012-04-25", "to": "2026-01-01", "interval": "day"}
    )
    assert ok.status_code == 200, ok.text
    assert len(ok.json()["buckets"]) == 5000
    too_many = await client.get(
        TIMELINE.format(a="KR", b="CN"), params={"from": "2012-04-24", "to": "2026-01-01", "interval": "day"}
    )
    assert_problem(too_many, 422, "from")
