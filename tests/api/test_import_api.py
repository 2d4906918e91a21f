"""POST /v1/import: NDJSON upserts by id; refused lines are reported by number and leave no trace."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service import importer
from tests.api.writing import (
    SOURCE,
    assert_problem,
    changes,
    everything,
    walk,
)

NDJSON = {"Content-Type": "application/x-ndjson"}
WORLD = json.loads((Path(__file__).parents[2] / "service" / "seed" / "world.json").read_text())
CITE = [{"source_id": "src-import-wire"}]


def line(collection: str, **fields: Any) -> bytes:
    return json.dumps({"collection": collection, **fields}).encode()


def event(item_id: str, **changes: Any) -> bytes:
    fields = {"id": item_id, "type": "visit", "title": "Minister visits Tokyo", "start_date": "2026-02-10",
              "participants": [{"role": "initiator", "country": "KR", "actor_id": "actor-import-envoy"},
                               {"role": "host", "country": "JP"}],
              "sources": CITE}  # fmt: skip
    return line("events", **{**fields, **changes})


def deal(item_id: str, **changes: Any) -> bytes:
    fields = {"id": item_id, "kind": "export_contract", "title": "Chip tools deal", "signed_on": "2026-02-10",
              "value": {"amount": "2500000.50", "currency": "USD"},
              "parties": [{"role": "exporter", "country": "JP"}, {"role": "importer", "country": "KR"}],
              "sources": CITE}  # fmt: skip
    return line("deals", **{**fields, **changes})


def period(item_id: str, **changes: Any) -> bytes:
    fields = {"id": item_id, "country_a": "KR", "country_b": "JP", "valid_from": "2026-02-10",
              "valid_to": "2026-03-01", "status": "cordial", "trend": "improving", "summary": "Warming.",
              "event_ids": ["ev-import-visit"], "sources": CITE}  # fmt: skip
    return line("relationship-periods", **{**fields, **changes})


GOOD = {
    ("sources", "src-import-wire"),
    ("actors", "actor-import-envoy"),
    ("events", "ev-import-visit"),
    ("deals", "deal-import-contract"),
    ("relationship-periods", "rel-jp-kr-2026-02-10"),
}
FILE = [
    line(
        "sources", id="src-import-wire", title="Wire report", publisher="Wire", published_on="2026-02-11"
    ),  # 1
    b'{"collection": "sources", "id": "src-import-broken", "title": ',  # 2: malformed JSON
    line("actors", id="actor-import-envoy", kind="person", name="Envoy", country="KR", sources=CITE),  # 3
    line("widgets", id="widget-1", title="Not a collection"),  # 4: unknown collection
    event("ev-import-colour", colour="red"),  # 5: unknown field
    event("ev-import-orphan", sources=[{"source_id": "src-import-missing"}]),  # 6: missing source
    deal("deal-import-orphan", event_id="ev-import-orphan"),  # 7: depends on the refused line 6
    b"",  # 8: blank, skipped
    event("ev-import-visit"),  # 9: needs the actor of line 3 and the source of line 1
    period(
        "rel-import-backwards", valid_from="2026-04-01", valid_to="2026-03-01"
    ),  # 10: ends before it starts
    event("ev-import-backwards", start_date="2026-02-10", end_date="2026-02-01", end_precision="day"),  # 11
    deal("deal-import-contract", event_id="ev-import-visit"),  # 12
    line("sources", id="src-import-wire", title="Twice", publisher="Wire", published_on="2026-02-11"),  # 13
    period("rel-jp-kr-2026-02-10"),  # 14
]
BODY = b"\n".join(FILE) + b"\n"
REFUSED = {
    2: None,
    4: "widget-1",
    5: "ev-import-colour",
    6: "ev-import-orphan",
    7: "deal-import-orphan",
    10: "rel-import-backwards",
    11: "ev-import-backwards",
    13: "src-import-wire",
}
REASONS = {
    4: "widgets", 5: "colour", 6: "sources[0].source_id", 7: "event_id", 10: "valid_to", 11: "end_date",
    13: "already given on line 1",
}  # fmt: skip
BAD_IDS = [("events", "ev-import-colour"), ("events", "ev-import-orphan"), ("deals", "deal-import-orphan"),
           ("relationship-periods", "rel-import-backwards"), ("events", "ev-import-backwards")]  # fmt: skip


async def post_import(client: Any, body: bytes, **headers: str) -> dict[str, Any]:
    response = await client.post("/v1/import", content=body, headers={**NDJSON, **headers})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    report: dict[str, Any] = response.json()
    return report


@pytest.mark.usefixtures("batch_size")
async def test_import_reports_exactly_the_bad_lines_and_writes_only_the_good_ones(api) -> None:
    _, cursor = await changes(api)
    report = await post_import(api, BODY)
    assert {e["line"]: e["id"] for e in report["errors"]} == REFUSED
    assert [e["line"] for e in report["errors"]] == sorted(REFUSED)
    reasons = {e["line"]: e["reason"] for e in report["errors"]}
    for number, words in REASONS.items():
        assert words in reasons[number], (number, reasons[number])
    assert (report["lines"], report["valid"], report["changed"], report["unchanged"]) == (13, 5, 5, 0)

    for collection, item_id in GOOD:
        assert (await api.get(f"/v1/{collection}/{item_id}")).status_code == 200, item_id
    for collection, item_id in BAD_IDS:
        assert_problem(await api.get(f"/v1/{collection}/{item_id}"), 404)
    assert (await api.get("/v1/sources/src-import-wire")).json()["title"] == "Wire report"
    visit = (await api.get("/v1/events/ev-import-visit")).json()
    assert visit["deal_ids"] == ["deal-import-contract"]
    assert visit["participants"][0]["actor_name"] == "Envoy"
    assert (await api.get("/v1/relationship-periods/rel-jp-kr-2026-02-10")).json()["events"][0]["id"] == (
        "ev-import-visit"
    )
    feed, _ = await changes(api, cursor)
    assert {(c["collection"], c["id"], c["op"]) for c in feed} == {(c, i, "create") for c, i in GOOD}
    assert {c["key_name"] for c in feed} == {"write-key"}
    assert len({c["recorded_at"] for c in feed}) == 1


@pytest.mark.usefixtures("batch_size")
async def test_importing_the_same_file_again_changes_nothing(api) -> None:
    first = await post_import(api, BODY)
    before = await everything(api)
    _, cursor = await changes(api)
    again = await post_import(api, BODY)
    assert (again["valid"], again["changed"], again["unchanged"]) == (5, 0, 5)
    assert again["errors"] == first["errors"]
    assert await everything(api) == before
    assert (await changes(api, cursor))[0] == []


async def test_import_updates_by_id_and_changes_ripple(api) -> None:
    seed_source = {"collection": "sources", **WORLD["sources"][0]}
    unchanged = await post_import(api, json.dumps(seed_source).encode())
    assert (unchanged["changed"], unchanged["unchanged"], unchanged["errors"]) == (0, 1, [])
    _, cursor = await changes(api)
    retitled = await post_import(api, json.dumps({**seed_source, "title": "Retitled"}).encode())
    assert (retitled["changed"], retitled["unchanged"]) == (1, 0)
    source = (await api.get(f"/v1/sources/{SOURCE}")).json()
    assert (source["title"], source["revision"]) == ("Retitled", 2)
    feed, _ = await changes(api, cursor)
    # The source and every item citing it: all 42 of them, each showing the new title.
    assert len(feed) == 1 + 23 + 12 + 3 + 4
    assert all(c["op"] == "update" for c in feed)


async def test_an_import_retried_with_its_idempotency_key_is_replayed(api) -> None:
    headers = {"Idempotency-Key": "nightly-2026-02-11"}
    first = await post_import(api, BODY, **headers)
    assert first["changed"] == 5
    await api.patch("/v1/sources/src-import-wire", json={"title": "Edited after the import"})
    _, cursor = await changes(api)
    replay = await post_import(api, BODY, **headers)
    # The first report, not a new run: a new run would report the title it put back.
    assert replay == first
    assert (await api.get("/v1/sources/src-import-wire")).json()["title"] == "Edited after the import"
    assert (await changes(api, cursor))[0] == []
    refused = await api.post("/v1/import", content=FILE[0] + b"\n", headers={**NDJSON, **headers})
    assert_problem(refused, 422, "Idempotency-Key")


# Every record before what it points at: a period before its driver event, a deal before its
# event, an event before its actor and source, an actor before its parent.
BACKWARDS = [
    period("rel-jp-kr-2026-02-10"),  # 1: its driver is on line 4
    deal("deal-import-contract", event_id="ev-import-visit"),  # 2: its event is on line 4
    event("ev-import-orphan", sources=[{"source_id": "src-import-missing"}]),  # 3: cites nothing there
    event("ev-import-visit"),  # 4: its actor is on line 6, its source on line 7
    deal("deal-import-orphan", event_id="ev-import-orphan"),  # 5: its event is refused
    line("actors", id="actor-import-envoy", kind="person", name="Envoy", country="KR", sources=CITE,
         parent_id="actor-import-ministry"),  # 6: its parent is on line 8
    line("sources", id="src-import-wire", title="Wire report", publisher="Wire",
         published_on="2026-02-11"),  # 7
    line("actors", id="actor-import-ministry", kind="government_body", name="Ministry", country="KR",
         sources=CITE),  # 8
    event("ev-import-visit", title="Given twice"),  # 9: the id of line 4 again
]  # fmt: skip


@pytest.mark.parametrize("size", [None, 1, 2, 3])
async def test_records_may_point_at_records_that_come_later_in_any_batch(
    api, monkeypatch: pytest.MonkeyPatch, size: int | None
) -> None:
    """A large file is written in batches; a record whose reference arrives in a later batch
    waits for it, and one whose reference never arrives is refused, as in a single batch."""
    if size is not None:
        monkeypatch.setattr(importer, "BATCH_SIZE", size)
    _, cursor = await changes(api)
    report = await post_import(api, b"\n".join(BACKWARDS))
    assert [(e["line"], e["id"]) for e in report["errors"]] == [
        (3, "ev-import-orphan"),
        (5, "deal-import-orphan"),
        (9, "ev-import-visit"),
    ]
    reasons = [e["reason"] for e in report["errors"]]
    expected = ("sources[0].source_id", "event_id", "already given on line 4")
    for reason, words in zip(reasons, expected, strict=True):
        assert words in reason
    assert (report["lines"], report["valid"], report["changed"], report["unchanged"]) == (9, 6, 6, 0)

    visit = (await api.get("/v1/events/ev-import-visit")).json()
    assert (visit["title"], visit["deal_ids"]) == ("Minister visits Tokyo", ["deal-import-contract"])
    assert visit["participants"][0]["actor_name"] == "Envoy"
    assert (await api.get("/v1/actors/actor-import-envoy")).json()["parent_id"] == "actor-import-ministry"
    held = (await api.get("/v1/relationship-periods/rel-jp-kr-2026-02-10")).json()
    assert [e["id"] for e in held["events"]] == ["ev-import-visit"]
    for collection, item_id in (("events", "ev-import-orphan"), ("deals", "deal-import-orphan")):
        assert_problem(await api.get(f"/v1/{collection}/{item_id}"), 404)
    feed, _ = await changes(api, cursor)
    assert sorted((c["collection"], c["id"], c["op"]) for c in feed) == sorted(
        [(c, i, "create") for c, i in GOOD if c != "deals"]
        + [("deals", "deal-import-contract", "create"), ("actors", "actor-import-ministry", "create")]
    )
    assert len({c["recorded_at"] for c in feed}) == 1


async def test_a_large_import_is_written_whole(api) -> None:
    body = b"\n".join(
        line(
            "sources",
            id=f"src-bulk-{n:04d}",
            title=f"Bulletin {n}",
            publisher="Wire",
            published_on="2025-06-01",
        )
        for n in range(600)
    )
    report = await post_import(api, body)
    assert (report["lines"], report["valid"], report["changed"], report["errors"]) == (600, 600, 600, [])
    bulk = [s["id"] for s in await walk(api, "/v1/sources") if s["id"].startswith("src-bulk-")]
    assert sorted(bulk) == [f"src-bulk-{n:04d}" for n in range(600)]


async def test_an_import_with_only_bad_lines_writes_nothing(api) -> None:
    before = await everything(api)
    report = await post_import(api, b"not json\n" + line("events", id="ev-x", type="summit") + b"\n")
    assert [e["line"] for e in report["errors"]] == [1, 2]
    assert (report["lines"], report["valid"], report["changed"]) == (2, 0, 0)
    assert await everything(api) == before


LINKED = [
    line("sources", id="src-import-wire", title="Wire report", publisher="Wire", published_on="2026-02-11"),
    line("sources", id="src-import-other", title="Other", publisher="Post", published_on="2026-02-12"),
    line("actors", id="actor-import-envoy", kind="person", name="Envoy", country="KR", sources=CITE),
    event("ev-import-visit"),
    event("ev-import-same"),
    deal("deal-import-contract", event_id="ev-import-visit"),
    period("rel-jp-kr-2026-02-10"),
]
BOTH = [{"source_id": "src-import-wire"}, {"source_id": "src-import-other", "attribution": "via Post"}]
ENVOY_ONLY = [{"role": "participant", "country": "KR", "actor_id": "actor-import-envoy"}]
THREE_PARTIES = [{"role": "exporter", "country": "JP"}, {"role": "importer", "country": "KR"},
                 {"role": "partner", "country": "US"}]  # fmt: skip


def envoy(sources: list[dict[str, str]]) -> bytes:
    return line("actors", id="actor-import-envoy", kind="person", name="Envoy", country="KR", sources=sources)


async def test_a_reimport_that_changes_only_links_rewrites_exactly_those_items(api) -> None:
    assert (await post_import(api, b"\n".join(LINKED)))["changed"] == 7
    relinked = [
        *LINKED[:2],
        envoy(BOTH),  # one more citation on the actor
        event("ev-import-visit", participants=ENVOY_ONLY),  # the envoy's role changes, the host goes
        LINKED[4],
        deal("deal-import-contract", event_id="ev-import-visit", parties=THREE_PARTIES),
        period("rel-jp-kr-2026-02-10", event_ids=["ev-import-visit", "ev-import-same"]),  # a second driver
    ]
    _, cursor = await changes(api)
    report = await post_import(api, b"\n".join(relinked))
    assert (report["changed"], report["unchanged"]) == (4, 3)
    fed = {(c["collection"], c["id"]) for c in (await changes(api, cursor))[0]}
    assert fed >= {
        ("actors", "actor-import-envoy"),
        ("events", "ev-import-visit"),
        ("deals", "deal-import-contract"),
        ("relationship-periods", "rel-jp-kr-2026-02-10"),
    }
    assert ("events", "ev-import-same") not in fed
    visit = (await api.get("/v1/events/ev-import-visit")).json()
    assert [(p["role"], p["country"]) for p in visit["participants"]] == [("participant", "KR")]
    assert visit["revision"] == 2
    contract = (await api.get("/v1/deals/deal-import-contract")).json()
    assert [p["country"] for p in contract["parties"]] == ["JP", "KR", "US"]
    actor = (await api.get("/v1/actors/actor-import-envoy")).json()
    assert [s.get("attribution") for s in actor["sources"]] == [None, "via Post"]
    # Only an attribution differs now: that alone is a change too, once.
    again = [*LINKED[:2], envoy([BOTH[0], {**BOTH[1], "attribution": "via the Post"}])]
    assert (await post_import(api, b"\n".join(again)))["changed"] == 1
    assert (await post_import(api, b"\n".join(again)))["changed"] == 0


async def test_an_import_brings_back_a_deleted_item_as_its_next_revision(api) -> None:
    assert (await post_import(api, b"\n".join(LINKED[:4])))["changed"] == 4
    assert (await api.delete("/v1/events/ev-import-visit")).status_code == 204
    _, cursor = await changes(api)
    # Not stored any more, but not new either: its history goes on from the tombstone.
    back = await post_import(api, LINKED[3])
    assert (back["changed"], back["unchanged"]) == (1, 0)
    [change], _ = await changes(api, cursor)
    assert (change["id"], change["op"], change["revision"]) == ("ev-import-visit", "create", 3)
    served = (await api.get("/v1/events/ev-import-visit")).json()
    assert served["revision"] == 3
    assert [p["country"] for p in served["participants"]] == ["KR", "JP"]
    history = (await api.get("/v1/events/ev-import-visit/revisions")).json()["items"]
    assert [(h["revision"], h["op"]) for h in history] == [(1, "create"), (2, "delete"), (3, "create")]


async def test_an_actor_whose_id_is_null_is_found_by_its_events(api) -> None:
    """`null` is a valid id; in the filter arrays it must stay a string, not become a NULL."""
    body = b"\n".join(
        [
            line(
                "sources",
                id="src-import-wire",
                title="Wire report",
                publisher="Wire",
                published_on="2026-02-11",
            ),
            line("actors", id="null", kind="organisation", name="Null Corp", country="KR", sources=CITE),
            event(
                "ev-import-null",
                participants=[
                    {"role": "initiator", "country": "KR", "actor_id": "null"},
                    {"role": "host", "country": "JP"},
                ],
            ),
        ]
    )
    report = await post_import(api, body)
    assert (report["valid"], report["errors"]) == (3, [])
    found = await api.get("/v1/events", params={"actor": "null"})
    assert [e["id"] for e in found.json()["items"]] == ["ev-import-null"]
