"""The seed world: the facts of the article the service was founded on."""

from __future__ import annotations

from pathlib import Path

import msgspec

from schemas.actors import ActorIn
from schemas.deals import DealIn
from schemas.events import EventIn
from schemas.relationships import PeriodIn
from schemas.sources import SourceIn
from service.db import Connection
from service.money import usd_value
from service.repos import actors, deals, events, pairs, relationships, sources
from service.resolve import CountryResolver

WORLD_FILE = Path(__file__).with_name("world.json")


class World(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    sources: list[SourceIn] = []
    actors: list[ActorIn] = []
    events: list[EventIn] = []
    deals: list[DealIn] = []
    relationships: list[PeriodIn] = []


def read_world(path: Path = WORLD_FILE) -> World:
    return msgspec.json.decode(path.read_bytes(), type=World)


def _members(
    resolver: CountryResolver, items: list[tuple[str, str | None, str | None]], where: str
) -> list[tuple[str, str | None, str | None]]:
    return [(role, resolver.optional(country, where), actor) for role, country, actor in items]


async def load_world(conn: Connection, resolver: CountryResolver, world: World) -> None:
    """Upsert every record of the world by id, in one transaction; loading twice changes nothing."""
    async with conn.transaction():
        for s in world.sources:
            await sources.save_source(conn, s)
        for a in world.actors:
            await actors.save_actor(conn, a, resolver.optional(a.country, "country"))
        for e in world.events:
            members = _members(resolver, [(p.role, p.country, p.actor_id) for p in e.participants], "country")
            await events.save_event(
                conn, e, members, resolver.optional(e.location_country, "location_country")
            )
        await events.refresh_links(conn, [e.id for e in world.events])
        for d in world.deals:
            members = _members(resolver, [(p.role, p.country, p.actor_id) for p in d.parties], "country")
            v = d.value
            usd = usd_value(v.amount, v.currency, d.signed_on, v.usd) if v else None
            await deals.save_deal(conn, d, members, usd)
        await deals.refresh_links(conn, [d.id for d in world.deals])
        for p in world.relationships:
            await relationships.save_period(conn, p, resolver.pair_of(p.country_a, p.country_b))
        keys = await pairs.touched(
            conn,
            [e.id for e in world.events],
            [d.id for d in world.deals],
            [p.id for p in world.relationships],
        )
        await pairs.refresh(conn, keys)
