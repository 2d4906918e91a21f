"""Revisions: every change to what an item serves, recorded in the transaction that made it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import msgspec

from schemas.changes import Change, RevisionOut
from service.collections import BY_NAME
from service.db import Connection
from service.sql import queries

COLLECTIONS = ("sources", "actors", "events", "deals", "relationship-periods")
# Each collection's items embed others (citations, actor names, driver events, deal ids), so
# a change can ripple; these many rounds reach the deepest chain (source -> event -> period).
MAX_RIPPLE = 3


class Written(msgspec.Struct, frozen=True):
    collection: str
    item_id: str
    revision: int
    op: str


async def _with_dependents(conn: Connection, candidates: Mapping[str, set[str]]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    frontier: dict[str, set[str]] = {c: set(ids) for c, ids in candidates.items() if ids}
    for collection, ids in frontier.items():
        found[collection] |= ids
    for _ in range(MAX_RIPPLE):
        fresh: dict[str, set[str]] = defaultdict(set)
        for collection, ids in frontier.items():
            for row in await conn.fetch(queries()["revisions.dependents"], collection, sorted(ids)):
                if row["item_id"] not in found[row["collection"]]:
                    fresh[row["collection"]].add(row["item_id"])
        if not fresh:
            break
        for collection, ids in fresh.items():
            found[collection] |= ids
        frontier = fresh
    return found


async def prepare(
    conn: Connection, candidates: Mapping[str, set[str]], *, again: bool = False
) -> dict[str, set[str]]:
    """Before a write: every item it may change (the candidates and what embeds them), copied.

    The latest revision holds no copy of its item (the live row is it), so what those items
    serve now must be kept before the write changes it. Pass the result to `record`.

    `again`: this transaction has written before (an earlier batch of a load). An item it already
    gave a revision keeps that one: holding no copy, it shows the item as the transaction leaves
    it, so a load written in batches records what one batch would.
    """
    everything = await _with_dependents(conn, candidates)
    if again:
        for collection, found in everything.items():
            if found:
                own = await conn.fetch(queries()["revisions.own"], collection, list(found))
                found -= {r["item_id"] for r in own}
    for collection in COLLECTIONS:
        ids = everything.get(collection)
        if ids:
            await conn.execute(queries()["revisions.materialise"], collection, list(ids))
    return everything


async def record(conn: Connection, key_name: str, prepared: Mapping[str, set[str]]) -> list[Written]:
    """After a write: a revision for each prepared item that was created, deleted or changed."""
    written: list[Written] = []
    for collection in COLLECTIONS:
        ids = prepared.get(collection)
        if not ids:
            continue
        rows = await conn.fetch(queries()["revisions.record"], collection, list(ids), key_name)
        written += [Written(collection, r["item_id"], r["revision"], r["op"]) for r in rows]
    return written


def merge_diff(before: Any, after: Any) -> Any:
    """The JSON merge patch (RFC 7396) that turns `before` into `after`."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return after
    patch: dict[str, Any] = {}
    for key in before.keys() - after.keys():
        patch[key] = None
    for key, value in after.items():
        if key not in before:
            patch[key] = value
        elif before[key] != value:
            patch[key] = merge_diff(before[key], value)
    return patch


def merge_patch(target: Any, patch: Any) -> Any:
    """Apply a JSON merge patch (RFC 7396)."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _diff(collection: str, previous: dict[str, Any] | None, current: dict[str, Any] | None) -> Any:
    if current is None:
        return None
    found: Any = merge_diff(served(collection, previous) or {}, served(collection, current))
    return found


async def history(
    conn: Connection, collection: str, item_id: str, after: int | None, limit: int
) -> list[RevisionOut]:
    """An item's revisions, oldest first, each with the merge patch it applied."""
    rows = await conn.fetch(queries()["revisions.of_item"], collection, item_id, after, limit)
    return [
        RevisionOut(
            revision=r["revision"], op=r["op"], recorded_at=r["recorded_at"], key_name=r["key_name"],
            diff=_diff(collection, r["previous"], r["snapshot"]),
        )
        for r in rows
    ]  # fmt: skip


async def known_item(conn: Connection, collection: str, item_id: str, moment: dt.datetime) -> Any | None:
    """The item as it was served at `moment`, or None if it did not exist then."""
    snapshot: Any = await conn.fetchval(queries()["revisions.known_item"], collection, item_id, moment)
    return None if snapshot is None else msgspec.convert(snapshot, BY_NAME[collection].out)


def served(collection: str, snapshot: dict[str, Any] | None) -> dict[str, Any] | None:
    """A stored snapshot exactly as the API serves the item (timestamps, numbers and all)."""
    if snapshot is None:
        return None
    found: dict[str, Any] = msgspec.to_builtins(msgspec.convert(snapshot, BY_NAME[collection].out))
    return found


class FeedRow(msgspec.Struct, frozen=True):
    change: Change
    position: tuple[str, int]


async def feed(conn: Connection, after: tuple[str, int] | None, limit: int) -> list[FeedRow]:
    txid, seq = after if after else (None, None)
    rows = await conn.fetch(queries()["revisions.feed"], txid, seq, limit)
    return [
        FeedRow(
            change=Change(
                collection=r["collection"], id=r["id"], revision=r["revision"], op=r["op"],
                recorded_at=r["recorded_at"], key_name=r["key_name"], item=served(r["collection"], r["item"]),
                diff=_diff(r["collection"], r["previous"], r["item"]),
            ),
            position=(r["txid"], r["seq"]),
        )
        for r in rows
    ]  # fmt: skip
