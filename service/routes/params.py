"""Query and path parameters shared by several routes, each documented once."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar.openapi.spec import Example
from litestar.params import Parameter

from service.pagination import DEFAULT_LIMIT, MAX_LIMIT


def example(value: object, summary: str = "") -> list[Example]:
    return [Example(summary=summary or str(value), value=value)]


Limit = Annotated[
    int,
    Parameter(
        ge=1,
        le=MAX_LIMIT,
        description=f"Items per page (at most {MAX_LIMIT}).",
        examples=example(DEFAULT_LIMIT),
    ),
]
Cursor = Annotated[
    str | None,
    Parameter(
        max_length=512,
        description="Opaque position from a previous page's `next` link; only valid with the same filters.",
        examples=example("", "first page"),
    ),
]
Country = Annotated[
    str | None,
    Parameter(
        max_length=100,
        description="A country taking part, as an ISO code, a name or its capital (`KR`, `South Korea`, `Seoul`).",
        examples=example("Seoul"),
    ),
]
PairParam = Annotated[
    str | None,
    Parameter(
        query="pair",
        max_length=200,
        description="Two countries, comma-separated, in any order and any accepted spelling.",
        examples=example("Tokyo,Beijing"),
    ),
]
Initiator = Annotated[
    str | None,
    Parameter(max_length=100, description="The country that acted.", examples=example("China")),
]
Target = Annotated[
    str | None,
    Parameter(max_length=100, description="The country acted upon.", examples=example("Japan")),
]
ActorParam = Annotated[
    str | None,
    Parameter(
        query="actor",
        max_length=128,
        description="Id of an actor taking part.",
        examples=example("actor-alibaba"),
    ),
]
DateFrom = Annotated[
    dt.date | None,
    Parameter(
        query="from",
        description="Earliest day (inclusive); items whose dates overlap the range match.",
        examples=example("2025-11-01"),
    ),
]
DateTo = Annotated[
    dt.date | None,
    Parameter(query="to", description="Latest day (inclusive).", examples=example("2026-01-31")),
]
Text = Annotated[
    str | None,
    Parameter(
        query="q",
        max_length=200,
        description="Full-text search over titles and summaries (web-search syntax: words, \"phrases\", -not).",
        examples=example("export"),
    ),
]
AsOf = Annotated[
    dt.date | None,
    Parameter(
        query="as_of",
        description="The day the answer is about; defaults to today (UTC).",
        examples=example("2026-01-07"),
    ),
]
PathCountryA = Annotated[
    str,
    Parameter(description="First country of the pair: code, name or capital.", examples=example("KR")),
]
PathCountryB = Annotated[
    str,
    Parameter(description="Second country of the pair: code, name or capital.", examples=example("CN")),
]
