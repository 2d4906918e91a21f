"""Sources: where each fact comes from."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from msgspec import Meta

from schemas.common import Id, check_dates


class SourceOut(msgspec.Struct, kw_only=True):
    id: str
    url: str | None
    title: str
    publisher: str
    original_publisher: str | None
    published_on: dt.date
    language: str
    disclosures: list[str]
    notes: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    revision: int


class SourcePage(msgspec.Struct, kw_only=True):
    items: list[SourceOut]
    next: str | None = None


class SourceBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What a client sends to create one; the service assigns the id."""

    url: Annotated[str, Meta(pattern=r"^https?://", max_length=2000)] | None = None
    title: Annotated[str, Meta(min_length=1, max_length=500)]
    publisher: Annotated[str, Meta(min_length=1, max_length=200)]
    original_publisher: Annotated[str, Meta(max_length=200)] | None = None
    published_on: dt.date
    language: Annotated[str, Meta(pattern=r"^[a-z]{2,3}$")] = "en"
    disclosures: list[Annotated[str, Meta(max_length=1000)]] = []
    notes: Annotated[str, Meta(max_length=2000)] | None = None

    def __post_init__(self) -> None:
        check_dates(self, "published_on")


class SourceIn(SourceBody, kw_only=True):
    """A full record with its id, as imported, exported and seeded."""

    id: Id
