"""The writable collections: their shapes, URLs, ids, and how a served item reads back as input."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from schemas.actors import ActorBody, ActorIn, ActorOut
from schemas.deals import DealBody, DealIn, DealOut
from schemas.events import EventBody, EventIn, EventOut
from schemas.relationships import PeriodBody, PeriodIn, PeriodOut
from schemas.sources import SourceBody, SourceIn, SourceOut
from service.db import Connection
from service.repos import actors, deals, events, relationships, sources
from service.resolve import CountryResolver

MAX_ID_LENGTH = 100
# Fields every item serves but no client may send: the service keeps them.
READ_ONLY = frozenset({"id", "created_at", "updated_at", "revision"})


def slug(text: str) -> str:
    bare = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", bare).strip("-") or "item"


@dataclass(frozen=True)
class Collection:
    name: str
    path: str
    sql: str  # prefix of its named statements: `events.lock`, `events.delete`
    body: type[msgspec.Struct]
    record: type[msgspec.Struct]
    out: type[msgspec.Struct]
    get: Callable[[Connection, str], Awaitable[Any]]
    base_id: Callable[[Any, CountryResolver], str]

    def url(self, item_id: str) -> str:
        return f"{self.path}/{item_id}"


def _citations(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"source_id": c["source_id"], "attribution": c["attribution"]} for c in items]


def _members(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"role": m["role"], "country": m["country"], "actor_id": m["actor_id"]} for m in items]


def _value(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    keep = {
        k: value[k] for k in ("amount", "currency", "text", "basis", "qualifier", "period", "horizon_years")
    }
    # Only the source's own US-dollar figure is input; a converted one is derived again.
    reported = value["usd_method"] == "reported" and value["currency"] != "USD"
    return {**keep, "usd": value["usd"] if reported else None}


def as_input(collection: Collection, item: msgspec.Struct) -> dict[str, Any]:
    """A served item as the body that would create it: the base a merge patch applies to."""
    served = msgspec.to_builtins(item)
    body = {k: v for k, v in served.items() if k in collection.body.__struct_fields__}
    if "sources" in body:
        body["sources"] = _citations(served["sources"])
    for field in ("participants", "parties"):
        if field in body:
            body[field] = _members(served[field])
    if collection.name == "deals":
        body["value"] = _value(served["value"])
    if collection.name == "relationship-periods":
        body["event_ids"] = [e["id"] for e in served["events"]]
    return body


SOURCES = Collection(
    "sources", "/v1/sources", "sources", SourceBody, SourceIn, SourceOut, sources.get_source,
    lambda b, r: f"src-{b.published_on.isoformat()}-{slug(b.publisher)}-{slug(b.title)}",
)  # fmt: skip
ACTORS = Collection(
    "actors", "/v1/actors", "actors", ActorBody, ActorIn, ActorOut, actors.get_actor,
    lambda b, r: f"actor-{slug(b.name)}",
)  # fmt: skip
EVENTS = Collection(
    "events", "/v1/events", "events", EventBody, EventIn, EventOut, events.get_event,
    lambda b, r: f"ev-{b.start_date.isoformat()}-{slug(b.title)}",
)  # fmt: skip
DEALS = Collection(
    "deals", "/v1/deals", "deals", DealBody, DealIn, DealOut, deals.get_deal,
    lambda b, r: f"deal-{b.signed_on.isoformat()}-{slug(b.title)}",
)  # fmt: skip
PERIODS = Collection(
    "relationship-periods", "/v1/relationship-periods", "relationships", PeriodBody, PeriodIn, PeriodOut,
    relationships.get_period,
    lambda b, r: "rel-" + "-".join(sorted(slug(r.lookup(c) or c) for c in (b.country_a, b.country_b)))
    + f"-{b.valid_from.isoformat()}",
)  # fmt: skip

BY_NAME = {c.name: c for c in (SOURCES, ACTORS, EVENTS, DEALS, PERIODS)}
