"""The seed world: complete, sourced, dated honestly, written in our own words, idempotent."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from service import db, setup
from service.seed import read_world
from service.settings import PROJECT_ROOT
from tests.databases import app_settings

ARTICLE = PROJECT_ROOT.parent / "shared" / "seed" / "article.txt"
TABLES = [
    "sources", "actors", "events", "event_participants", "event_sources", "deals", "deal_parties",
    "deal_sources", "relationship_periods", "period_events", "period_sources", "pair_activity",
]  # fmt: skip


async def _snapshot(conn: db.Connection) -> dict[str, object]:
    counts = {t: await conn.fetchval(f"SELECT count(*) FROM {t}") for t in TABLES}
    stamps = {
        t: await conn.fetchval(f"SELECT max(updated_at) FROM {t}")
        for t in ["sources", "actors", "events", "deals", "relationship_periods"]
    }
    return {"counts": counts, "stamps": stamps}


async def test_seeding_twice_changes_nothing(fresh_url: str) -> None:
    conn = await db.connect(fresh_url, app_settings(fresh_url))
    try:
        before = await _snapshot(conn)
        await setup.seed_database(conn)
        await setup.seed_database(conn)
        assert await _snapshot(conn) == before
    finally:
        await conn.close()


def test_the_world_holds_every_fact_of_the_article() -> None:
    world = read_world()
    events = {e.id: e for e in world.events}
    types = sorted(e.type for e in world.events)
    assert {"summit", "trade_mission", "military_deployment", "opposition", "boycott", "statement",
            "export_control", "postponement", "visit"} <= set(types)  # fmt: skip
    boycott = next(e for e in world.events if e.type == "boycott")
    assert boycott.status == "ongoing"
    assert boycott.end_date is None
    assert boycott.start_date.year == 2017
    visit_japan = next(e for e in world.events if e.status == "scheduled")
    assert visit_japan.start_date.isoformat() == "2026-01-13"
    assert visit_japan.end_date is not None
    postponed = next(e for e in world.events if e.type == "postponement")
    assert postponed.relation == "postpones"
    assert events[postponed.related_event_id or ""].status == "postponed"
    kinds = {(d.kind, d.count) for d in world.deals}
    assert ("export_contract", 24) in kinds
    assert ("mou", 32) in kinds
    target = next(d for d in world.deals if d.value and d.value.currency == "KRW")
    assert target.value is not None
    assert str(target.value.amount) == "1000000000000"
    assert target.value.basis == "target"
    assert target.part_of is not None
    pairs = {(p.country_a, p.country_b) for p in world.relationships}
    assert pairs == {("CN", "KR"), ("CN", "JP")}
    source = world.sources[0]
    assert source.original_publisher == "South China Morning Post"
    assert any("Alibaba" in d for d in source.disclosures)


def test_every_fact_cites_a_source_and_marks_inferred_dates() -> None:
    world = read_world()
    for item in [*world.events, *world.deals, *world.relationships]:
        assert item.sources, item.id
    relative = [e for e in world.events if e.start_date.year >= 2025 and e.status != "scheduled"]
    assert relative
    assert all(e.date_inferred and e.date_note for e in relative)


def _shingles(text: str, size: int = 8) -> set[tuple[str, ...]]:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


@pytest.mark.skipif(not ARTICLE.exists(), reason="the article is kept beside the project, in shared/")
def test_summaries_are_our_own_words() -> None:
    world = read_world()
    prose = [x.summary for x in [*world.events, *world.deals, *world.relationships]]
    prose += [a.description for a in world.actors]
    article = _shingles(Path(ARTICLE).read_text(encoding="utf-8"))
    copied = [text for text in prose if _shingles(text) & article]
    assert copied == []


def test_world_file_round_trips_through_the_input_schemas() -> None:
    world = read_world()
    assert msgspec.json.decode(msgspec.json.encode(world), type=type(world)) == world
