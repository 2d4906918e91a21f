"""Query and path parameters shared by several routes, each documented once."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.openapi.spec import Example
from litestar.params import Body, HeaderParameter, PathParameter, QueryParameter

from schemas.actors import ActorKind
from schemas.common import Sector
from schemas.deals import DealKind, DealStatus
from schemas.events import EventStatus, EventType
from schemas.relationships import Status, Trend
from service.errors import InvalidParameter
from service.pagination import DEFAULT_LIMIT, MAX_LIMIT


def example(value: object, summary: str = "") -> list[Example]:
    return [Example(summary=summary or str(value), value=value)]


Limit = Annotated[
    int,
    QueryParameter(
        ge=1,
        le=MAX_LIMIT,
        description=f"Items per page (at most {MAX_LIMIT}).",
        examples=example(DEFAULT_LIMIT),
    ),
]
Cursor = Annotated[
    str | None,
    QueryParameter(
        max_length=512,
        description="Opaque position from a previous page's `next` link; only valid with the same filters.",
        examples=example("", "first page"),
    ),
]
Country = Annotated[
    str | None,
    QueryParameter(
        max_length=100,
        description=(
            "A country taking part: ISO code, name or capital (`KR`, `South Korea`, `Seoul`), M49 number,"
            " or a code with its scheme (`m49:410`, `fips:KS`, `cameo:KOR`)."
        ),
        examples=example("Seoul"),
    ),
]
PairParam = Annotated[
    str | None,
    QueryParameter(
        name="pair",
        max_length=200,
        description="Two countries, comma-separated, in any order and any accepted spelling.",
        examples=example("Tokyo,Beijing"),
    ),
]
Initiator = Annotated[
    str | None,
    QueryParameter(max_length=100, description="The country that acted.", examples=example("China")),
]
Target = Annotated[
    str | None,
    QueryParameter(max_length=100, description="The country acted upon.", examples=example("Japan")),
]
ActorParam = Annotated[
    str | None,
    QueryParameter(
        name="actor",
        max_length=128,
        description="Id of an actor taking part.",
        examples=example("actor-alibaba"),
    ),
]
DateFrom = Annotated[
    dt.date | None,
    QueryParameter(
        name="from",
        description="Earliest day (inclusive); items whose dates overlap the range match.",
        examples=example("2025-11-01"),
    ),
]
DateTo = Annotated[
    dt.date | None,
    QueryParameter(name="to", description="Latest day (inclusive).", examples=example("2026-01-31")),
]
Text = Annotated[
    str | None,
    QueryParameter(
        name="q",
        max_length=200,
        description='Full-text search over titles and summaries (web-search syntax: words, "phrases", -not).',
        examples=example("export"),
    ),
]
AsOf = Annotated[
    dt.date | None,
    QueryParameter(
        name="as_of",
        description="The day the answer is about; defaults to today (UTC).",
        examples=example("2026-01-07"),
    ),
]
PathCountry = Annotated[
    str,
    PathParameter(
        description="An ISO code, name, common variant or capital, or a code with its scheme (`fips:KS`).",
        examples=example("Seoul"),
    ),
]
PathCountryA = Annotated[
    str,
    PathParameter(description="First country of the pair: code, name or capital.", examples=example("KR")),
]
PathCountryB = Annotated[
    str,
    PathParameter(description="Second country of the pair: code, name or capital.", examples=example("CN")),
]


def _path_id(kind: str, sample: str) -> Any:
    return Annotated[
        str, PathParameter(description=f"The {kind}'s id.", max_length=128, examples=example(sample))
    ]


EventId = _path_id("event", "ev-2026-01-06-cn-dual-use-export-ban-japan-military")
DealId = _path_id("deal", "deal-2026-01-06-kr-cn-export-contracts-beijing")
ActorId = _path_id("actor", "actor-alibaba")
SourceId = _path_id("source", "src-2026-01-07-thestar-scmp-china-south-korea-trade-deals")
PeriodId = _path_id("period", "rel-cn-jp-2025-12-29")

EventTypeFilter = Annotated[
    EventType | None,
    QueryParameter(
        name="type", description="Event verb from the controlled vocabulary.", examples=example("summit")
    ),
]
EventStatusFilter = Annotated[
    EventStatus | None,
    QueryParameter(name="status", description="Lifecycle status of the event.", examples=example("ongoing")),
]
SectorFilter = Annotated[
    Sector | None,
    QueryParameter(
        name="sector", description="Economic sector the item concerns.", examples=example("robotics")
    ),
]
DealKindFilter = Annotated[
    DealKind | None,
    QueryParameter(name="kind", description="Kind of deal.", examples=example("export_contract")),
]
DealStatusFilter = Annotated[
    DealStatus | None,
    QueryParameter(name="status", description="Status of the deal.", examples=example("signed")),
]
ActorKindFilter = Annotated[
    ActorKind | None,
    QueryParameter(name="kind", description="Kind of actor.", examples=example("company")),
]
StatusFilter = Annotated[
    Status | None,
    QueryParameter(name="status", description="Relationship status on `as_of`.", examples=example("frozen")),
]
TrendFilter = Annotated[
    Trend | None,
    QueryParameter(name="trend", description="Relationship trend on `as_of`.", examples=example("improving")),
]

KnownOn = Annotated[
    dt.datetime | None,
    QueryParameter(
        name="known_on",
        description="Answer as the service would have at this moment (ISO 8601 timestamp with offset).",
        examples=example("2026-12-01T00:00:00Z"),
    ),
]
IfMatch = Annotated[
    str | None,
    HeaderParameter(
        name="If-Match",
        description="The item's ETag as last read; the write is refused (412) if the item changed since.",
        examples=example('"3"'),
    ),
]
IdempotencyKey = Annotated[
    str | None,
    HeaderParameter(
        name="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Unique per create; a retry with the same key and body replays the first answer.",
        examples=example("6f1c2e9a-create-event"),
    ),
]
MergePatch = Annotated[
    dict[str, Any],
    Body(
        title="JSON merge patch",
        description="Fields to change (RFC 7396): a value replaces, null removes, absent keeps.",
        media_type="application/merge-patch+json",
    ),
]
AfterRevision = Annotated[
    int | None,
    QueryParameter(
        name="after",
        ge=0,
        le=2**31 - 1,
        description="Only revisions after this number.",
        examples=example(0),
    ),
]

# `known_on` must be an ISO 8601 timestamp, as documented: Litestar's lenient parsing would
# otherwise read a bare number ("0.5", "1700000000") as seconds since 1970.
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]")


async def strict_timestamps(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard (guards add up across layers): refuse a `known_on` not spelled as ISO 8601."""
    value = connection.query_params.get("known_on")
    if value is not None and not _TIMESTAMP.match(value):
        raise InvalidParameter("known_on", "must be an ISO 8601 timestamp, e.g. 2026-12-01T00:00:00Z")
