"""Actor queries."""

from __future__ import annotations

from schemas.actors import ActorOut
from service.db import Connection, to_structs
from service.pagination import Key
from service.sql import queries


def cursor_key(actor: ActorOut) -> Key:
    return [actor.name, actor.id]


async def get_actor(conn: Connection, actor_id: str) -> ActorOut | None:
    rows = await conn.fetch(queries()["actors.get"], actor_id)
    return to_structs(rows, ActorOut)[0] if rows else None


async def list_actors(
    conn: Connection, after: Key | None, limit: int, country: str | None, kind: str | None, q: str | None
) -> list[ActorOut]:
    after_name, after_id = (str(after[0]), str(after[1])) if after else (None, None)
    rows = await conn.fetch(queries()["actors.list"], country, kind, q, after_name, after_id, limit)
    return to_structs(rows, ActorOut)
