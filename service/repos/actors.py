"""Actor queries."""

from __future__ import annotations

from schemas.actors import ActorIn, ActorOut
from service.db import Connection, to_structs
from service.pagination import Key
from service.repos.citations import replace_sources
from service.sql import queries


def cursor_key(actor: ActorOut) -> Key:
    return [actor.name, actor.id]


async def get_actor(conn: Connection, actor_id: str) -> ActorOut | None:
    rows = await conn.fetch(queries()["actors.get"], actor_id)
    return to_structs(rows, ActorOut)[0] if rows else None


async def list_actors(
    conn: Connection, country: str | None, kind: str | None, q: str | None, after: Key | None, limit: int
) -> list[ActorOut]:
    after_name, after_id = (str(after[0]), str(after[1])) if after else (None, None)
    rows = await conn.fetch(queries()["actors.list"], country, kind, q, after_name, after_id, limit)
    return to_structs(rows, ActorOut)


async def save_actor(conn: Connection, a: ActorIn, country: str | None) -> None:
    await conn.execute(
        queries()["actors.upsert"],
        a.id, a.kind, a.name, a.aliases, country, a.role, a.description, a.parent_id, a.external_ids,
    )  # fmt: skip
    await replace_sources(conn, "actors", a.id, a.sources)
