"""The derived relationship index: hand-computed cases, its place next to the curated status, and
how writes move it (the daily tallies behind it are kept by triggers on events)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from service import db
from tests.api.writing import SOURCE, create, deal_body
from tests.databases import app_settings

W60 = math.exp(-60 / 180)  # the weight of an event 60 days old: 0.716531


def event(kind: str, day: str, initiator: str | None, other: str, **changes: Any) -> dict[str, Any]:
    """An event between Germany and France; `initiator` acts on `other` (no initiator: both meet)."""
    if initiator is None:
        participants = [{"role": "host", "country": "DE"}, {"role": "participant", "country": "FR"}]
    else:
        participants = [{"role": "initiator", "country": initiator}, {"role": "target", "country": other}]
    return {
        "type": kind,
        "title": f"{kind} on {day}",
        "start_date": day,
        "participants": participants,
        "sources": [{"source_id": SOURCE}],
        **changes,
    }


async def franco_german(api: Any) -> dict[str, str]:
    """Four events; the cancelled visit does not count. Goldstein scores from their CAMEO codes."""
    made = {
        # France criticises Germany (111, -2.0) and the two hold a summit (040, +1.0) on New Year's Day.
        "protest": await create(api, "events", event("opposition", "2020-01-01", "France", "Germany")),
        "summit": await create(api, "events", event("summit", "2020-01-01", None, "FR")),
        # A visit (042, +1.9) that was called off.
        "visit": await create(api, "events", event("visit", "2020-02-01", "DE", "FR", status="cancelled")),
        # 60 days later Germany signs an agreement with France (057, +8.0).
        "treaty": await create(api, "events", event("agreement_signed", "2020-03-01", "Berlin", "Paris")),
    }
    return {name: item["id"] for name, item in made.items()}


async def index_on(client: Any, day: str, a: str = "Paris", b: str = "Berlin") -> dict[str, Any]:
    response = await client.get(f"/v1/relationships/{a}/{b}", params={"as_of": day})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()["index"]
    return found


async def test_hand_computed_index(api: Any) -> None:
    await franco_german(api)
    idx = await index_on(api, "2020-03-01")
    assert idx["as_of"] == "2020-03-01"
    assert (idx["method"], idx["tau_days"], idx["prior_weight"]) == ("decayed-mean-goldstein", 180.0, 1.0)
    # The pair key is DE-FR, so a_to_b is Germany acting on France whatever the path's order.
    assert (idx["a"], idx["b"]) == ("DE", "FR")
    # Both ways: S = (-2.0 + 1.0) * W60 + 8.0 = 7.283469; W = 2 * W60 + 1 = 2.433063;
    # index = S / (W + 1) = 7.283469 / 3.433063 = 2.121566.
    assert idx["undirected"]["value"] == pytest.approx(2.1216, abs=1e-4)
    assert idx["undirected"]["weight"] == pytest.approx(2 * W60 + 1, abs=1e-4)
    assert idx["undirected"]["events"] == 3
    # Germany on France: only the treaty, on the day: 8.0 / (1 + 1) = 4.0.
    assert idx["a_to_b"] == {"value": 4.0, "weight": 1.0, "events": 1}
    # France on Germany: only the protest: -2.0 * W60 / (W60 + 1) = -0.834860.
    assert idx["b_to_a"]["value"] == pytest.approx(-0.8349, abs=1e-4)
    assert idx["b_to_a"]["weight"] == pytest.approx(0.7165, abs=1e-4)

    # On the first day: (-2.0 + 1.0) / (2 + 1) = -0.3333; the day before, nothing yet.
    first = await index_on(api, "2020-01-01")
    assert first["undirected"] == {"value": pytest.approx(-0.3333, abs=1e-4), "weight": 2.0, "events": 2}
    assert first["a_to_b"] == {"value": 0.0, "weight": 0.0, "events": 0}
    before = await index_on(api, "2019-12-31")
    assert before["undirected"] == {"value": 0.0, "weight": 0.0, "events": 0}

    # A year on, the same events weigh exp(-365/180) and exp(-305/180): the index fades towards 0.
    later = await index_on(api, "2020-12-31")
    old, newer = math.exp(-365 / 180), math.exp(-305 / 180)
    expected = (-1.0 * old + 8.0 * newer) / (2 * old + newer + 1)
    assert expected == pytest.approx(0.9247, abs=1e-4)
    assert later["undirected"]["value"] == pytest.approx(expected, abs=1e-4)


async def test_the_timeline_carries_the_same_index(api: Any) -> None:
    await franco_german(api)
    response = await api.get(
        "/v1/pairs/France/Germany/timeline",
        params={"from": "2020-01-01", "to": "2020-03-31", "interval": "month"},
    )
    assert response.status_code == 200, response.text
    january, february, march = response.json()["buckets"]
    assert (january["events"], january["b_to_a"], january["goldstein_sum"]) == (2, 1, -1.0)
    # The cancelled visit is not counted anywhere.
    assert (february["events"], february["goldstein_sum"], february["goldstein_mean"]) == (0, 0.0, None)
    assert (march["events"], march["a_to_b"], march["material_cooperation"]) == (1, 1, 0)
    # 057 (sign formal agreement) is verbal cooperation in CAMEO's quad classes.
    assert march["verbal_cooperation"] == 1
    # January read on 2020-01-31 (30 days): -1.0 w / (2 w + 1), w = exp(-30/180) = 0.846482.
    w30 = math.exp(-30 / 180)
    assert january["index"] == pytest.approx(-w30 / (2 * w30 + 1), abs=1e-4)
    # March read on 2020-03-31: the treaty is 30 days old, the January pair 90.
    w90 = math.exp(-90 / 180)
    expected = (-1.0 * w90 + 8.0 * w30) / (2 * w90 + w30 + 1)
    assert march["index"] == pytest.approx(expected, abs=1e-4)
    assert march["index_a_to_b"] == pytest.approx(8.0 * w30 / (w30 + 1), abs=1e-4)
    assert march["index_b_to_a"] == pytest.approx(-2.0 * w90 / (w90 + 1), abs=1e-4)


async def test_writes_move_the_timeline_and_the_index(api: Any, fresh_url: str) -> None:
    ids = await franco_german(api)
    url = "/v1/pairs/DE/FR/timeline"
    params = {"from": "2020-01-01", "to": "2020-03-31", "interval": "month"}

    # The visit took place after all: +1.9 in February, Germany on France.
    patched = await api.patch(f"/v1/events/{ids['visit']}", json={"status": "occurred"})
    assert patched.status_code == 200, patched.text
    february = (await api.get(url, params=params)).json()["buckets"][1]
    assert (february["events"], february["a_to_b"], february["goldstein_sum"]) == (1, 1, 1.9)

    # The protest moves to March, then the summit is deleted: January empties.
    moved = await api.patch(f"/v1/events/{ids['protest']}", json={"start_date": "2020-03-01"})
    assert moved.status_code == 200, moved.text
    assert (await api.delete(f"/v1/events/{ids['summit']}")).status_code == 204
    january, _, march = (await api.get(url, params=params)).json()["buckets"]
    assert (january["events"], january["goldstein_sum"], january["index"]) == (0, 0.0, 0.0)
    assert (march["events"], march["goldstein_sum"], march["b_to_a"]) == (2, 6.0, 1)

    # On 2020-03-01: the visit (+1.9, 29 days old) and that day's +8.0 and -2.0.
    idx = await index_on(api, "2020-03-01")
    w29 = math.exp(-29 / 180)
    assert idx["undirected"]["value"] == pytest.approx((1.9 * w29 + 6.0) / (w29 + 2 + 1), abs=1e-4)
    assert idx["undirected"]["events"] == 3
    await assert_tallies_match_the_events(fresh_url)


# The daily tallies as they would be recomputed from scratch, to hold the maintained ones against.
RECOUNT = """
SELECT c.pair, c.day, count(*)::int AS events,
       count(*) FILTER (WHERE c.quad_class = 1)::int, count(*) FILTER (WHERE c.quad_class = 2)::int,
       count(*) FILTER (WHERE c.quad_class = 3)::int, count(*) FILTER (WHERE c.quad_class = 4)::int,
       count(*) FILTER (WHERE c.a_to_b)::int, count(*) FILTER (WHERE c.b_to_a)::int, sum(c.tenths)::int,
       coalesce(sum(c.tenths) FILTER (WHERE c.a_to_b), 0)::int,
       coalesce(sum(c.tenths) FILTER (WHERE c.b_to_a), 0)::int
FROM events e, pair_contributions(e) c GROUP BY 1, 2
"""


DEAL_RECOUNT = """
SELECT c.pair, c.day, count(*)::int, coalesce(sum(c.usd), 0), coalesce(sum(c.usd_targets), 0)
FROM deals d, deal_contributions(d) c GROUP BY 1, 2 ORDER BY 1, 2
"""


async def assert_tallies_match_the_events(url: str) -> None:
    """The tallies the triggers kept equal those recomputed from scratch."""
    conn = await db.connect(url, app_settings(url))
    try:
        kept = await conn.fetch("SELECT * FROM pair_days ORDER BY pair, day")
        recounted = await conn.fetch(RECOUNT + " ORDER BY 1, 2")
        kept_deals = await conn.fetch("SELECT * FROM pair_deal_days ORDER BY pair, day")
        recounted_deals = await conn.fetch(DEAL_RECOUNT)
    finally:
        await conn.close()
    assert [tuple(r) for r in kept] == [tuple(r) for r in recounted]
    assert len(kept) >= 8  # the seed world alone has eight
    assert [tuple(r) for r in kept_deals] == [tuple(r) for r in recounted_deals]
    assert len(kept_deals) >= 2


def usd(amount: str, **changes: Any) -> dict[str, Any]:
    return {"amount": amount, "currency": "USD", **changes}


async def test_deals_in_batches_count_once(api: Any, fresh_url: str) -> None:
    parties = [{"role": "partner", "country": "DE"}, {"role": "partner", "country": "FR"}]

    async def deal(day: str, **changes: Any) -> str:
        made = await create(api, "deals", deal_body(signed_on=day, parties=parties, **changes))
        return str(made["id"])

    # A batch without a value: its member's US$1,000,000 counts.
    open_batch = await deal("2020-05-04", value=None, title="Batch without a value")
    await deal("2020-05-05", value=usd("1000000"), part_of=open_batch, title="Member one")
    # A batch of US$5,000,000: its member's US$2,000,000 is already inside it.
    full_batch = await deal("2020-05-11", value=usd("5000000"), title="Batch with a value")
    await deal("2020-05-12", value=usd("2000000"), part_of=full_batch, title="Member two")
    # A target is never added to money that changed hands; an estimate is.
    await deal("2020-05-20", value=usd("7000000", basis="target"), title="Target")
    await deal("2020-06-02", value=usd("300000", basis="estimate"), title="Estimate")

    params = {"from": "2020-05-01", "to": "2020-06-30", "interval": "month"}
    may, june = (await api.get("/v1/pairs/FR/DE/timeline", params=params)).json()["buckets"]
    assert (may["deals"], may["deal_usd"], may["deal_usd_targets"]) == (5, "6000000", "7000000")
    assert (june["deals"], june["deal_usd"], june["deal_usd_targets"]) == (1, "300000", "0")
    weeks = (await api.get("/v1/pairs/FR/DE/timeline", params={**params, "interval": "week"})).json()
    # ISO weeks: 4-10 May holds the open batch and its member, 11-17 May the full batch and its member.
    assert [(w["start"], w["deals"], w["deal_usd"]) for w in weeks["buckets"][:3]] == [
        ("2020-04-27", 0, "0"),
        ("2020-05-04", 2, "1000000"),
        ("2020-05-11", 2, "5000000"),
    ]
    await assert_tallies_match_the_events(fresh_url)


async def test_seed_status_and_index_side_by_side(client: Any) -> None:
    response = await client.get("/v1/relationships/Seoul/Beijing", params={"as_of": "2017-06-30"})
    assert response.status_code == 200, response.text
    chill = response.json()
    assert (chill["current"]["status"], chill["current"]["trend"]) == ("strained", "steady")
    # 180 days after the three 2017 events (-17.2 together): -17.2 w / (3 w + 1), w = exp(-180/180).
    w = math.exp(-1)
    assert chill["index"]["undirected"]["value"] == pytest.approx(-17.2 * w / (3 * w + 1), abs=1e-4)
    assert chill["index"]["a_to_b"]["value"] < 0  # China on Korea: the protest and the boycott

    thaw = (await client.get("/v1/relationships/KR/CN", params={"as_of": "2026-01-07"})).json()
    assert (thaw["current"]["status"], thaw["current"]["trend"]) == ("strained", "improving")
    assert thaw["index"]["undirected"]["value"] > 2
    assert thaw["index"]["undirected"]["events"] == 7


async def test_known_on_still_answers_with_an_index(client: Any) -> None:
    response = await client.get(
        "/v1/relationships/CN/JP", params={"as_of": "2026-01-07", "known_on": "2099-01-01T00:00:00Z"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["current"]["status"] == "frozen"
    # Japan's postponement (160, -4.0) 9 days earlier, China's export ban (163, -8.0) the day before.
    w9, w1 = math.exp(-9 / 180), math.exp(-1 / 180)
    expected = (-4.0 * w9 - 8.0 * w1 + 0.0 * math.exp(-61 / 180)) / (w9 + w1 + math.exp(-61 / 180) + 1)
    assert body["index"]["undirected"]["value"] == pytest.approx(expected, abs=1e-4)
