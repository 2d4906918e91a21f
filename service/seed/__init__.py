"""The seed world: the facts of the article the service was founded on."""

from __future__ import annotations

from pathlib import Path

import msgspec

from schemas.actors import ActorIn
from schemas.deals import DealIn
from schemas.events import EventIn
from schemas.relationships import PeriodIn
from schemas.sources import SourceIn
from service import importer, staging
from service.db import Connection
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


class SeedError(RuntimeError):
    """The seed world holds a record the service refuses."""


async def load_world(
    conn: Connection, resolver: CountryResolver, world: World, key_name: str = "seed"
) -> None:
    """Write every record of the world by id in one transaction; loading twice changes nothing."""
    items: list[staging.Input] = [*world.sources, *world.actors, *world.events, *world.deals]
    items += world.relationships
    async with conn.transaction():
        report = await importer.apply(conn, resolver, enumerate(items, start=1), key_name)
        if report.errors:  # raised inside the transaction, so nothing of the world is kept
            raise SeedError("; ".join(f"{e.id}: {e.reason}" for e in report.errors))
