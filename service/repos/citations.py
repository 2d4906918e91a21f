"""Replacing the link rows of a fact: its citations, participants, parties and drivers."""

from __future__ import annotations

from collections.abc import Sequence

from schemas.common import CitationIn
from service.db import Connection
from service.sql import queries


async def replace_sources(
    conn: Connection, resource: str, item_id: str, sources: Sequence[CitationIn]
) -> None:
    q = queries()
    await conn.execute(q[f"{resource}.clear_sources"], item_id)
    await conn.executemany(
        q[f"{resource}.add_source"],
        [(item_id, c.source_id, c.attribution, n) for n, c in enumerate(sources)],
    )
