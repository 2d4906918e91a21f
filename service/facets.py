"""Facets on list endpoints: `facet=country` adds how many matching items name each country.

Counts cover every item the list's filters match, not just the page, and come with the JSON
page only. Each facet lists at most MAX_VALUES values, most frequent first (ties by value);
the year facet lists the latest MAX_VALUES years, newest first.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Annotated, Any

import asyncpg
import msgspec
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.params import QueryParameter
from litestar.types import Guard

from schemas.facets import DealFacet, EventFacet, Facets
from service import streams
from service.db import Connection
from service.errors import InvalidParameter
from service.routes.params import example
from service.sql import queries

MAX_VALUES = 50

_COMMON = (
    "Repeat to ask for several. Counts cover every match of the filters, not only this page; "
    f"each facet lists its {MAX_VALUES} most frequent values (`year`: the {MAX_VALUES} latest). "
    "JSON pages only, and not with `known_on`."
)
EventFacets = Annotated[
    list[EventFacet] | None,
    QueryParameter(
        name="facet",
        description=f"Counts per event type, country, start year, sector or status. {_COMMON}",
        examples=example(["type", "country"], "types and countries"),
    ),
]
DealFacets = Annotated[
    list[DealFacet] | None,
    QueryParameter(
        name="facet",
        description=f"Counts per deal kind, country, year signed, sector or status. {_COMMON}",
        examples=example(["kind", "year"], "kinds and years"),
    ),
]

# Runs the facet query of a resource for the names asked and the cap.
Count = Callable[[Connection, list[str], int], Awaitable[Facets]]
# What a client may have meant by a facet name the list does not have.
_MEANT = {"type": "kind", "kind": "type", "date": "year", "countries": "country", "sectors": "sector"}


def only(names: type[StrEnum]) -> Guard:
    """A guard that refuses an unknown facet with the list of known ones, before parameters are parsed."""
    known = [str(n) for n in names]

    async def check(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        for value in connection.query_params.getall("facet", []):
            if value not in known:
                meant = _MEANT.get(value)
                hint = f" (did you mean `{meant}`?)" if meant in known else ""
                raise InvalidParameter(
                    "facet", f"unknown facet {value!r}{hint}; choose from {', '.join(known)}"
                )

    return check


def wanted(
    request: Request[Any, Any, Any], asked: Sequence[str] | None, known_on: dt.datetime | None
) -> list[str]:
    """The facets asked for, each once and in the order given; refused where they cannot be served."""
    names = list(dict.fromkeys(str(name) for name in asked or ()))
    if names and streams.wanted(request) is not None:
        raise InvalidParameter("facet", "facets come with JSON pages only; drop `facet` to stream the list")
    if names and known_on is not None:
        raise InvalidParameter("facet", "facets count the data as it is now; drop `known_on` or `facet`")
    return names


async def page_facets(conn: Connection, names: list[str], count: Count, budget_ms: int) -> dict[str, Any]:
    """The `facets` (and `facets_timed_out`) members of a page; nothing when none was asked for."""
    # Counted one after the other within one time budget per request, so that a broad query on
    # a large table still gets its page in bounded time: a facet the budget cancels, or that
    # has no time left, is named in `facets_timed_out` instead of failing the request.
    if not names:
        return {}
    found: Facets = {}
    late: list[str] = []
    deadline = time.monotonic() + budget_ms / 1000
    for name in names:
        left_ms = int((deadline - time.monotonic()) * 1000)
        if left_ms < 1:
            late.append(name)
            continue
        try:
            async with conn.transaction():
                await conn.fetchval(queries()["facets.budget"], left_ms)
                found.update(await count(conn, [name], MAX_VALUES))
        except asyncpg.QueryCanceledError:
            late.append(name)
    return {"facets": found, "facets_timed_out": late} if late else {"facets": found}


def group_facets(rows: Sequence[asyncpg.Record], names: list[str]) -> Facets:
    """(facet, value, count) rows, ordered by facet then rank, as a mapping with every facet asked."""
    found: dict[str, list[dict[str, Any]]] = {name: [] for name in names}
    for row in rows:
        found[row["facet"]].append({"value": row["value"], "count": row["count"]})
    return msgspec.convert(found, Facets)
