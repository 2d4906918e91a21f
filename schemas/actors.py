"""Actors: people, companies, ministries, business groups, provinces and other organisations."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import msgspec
from msgspec import Meta

from schemas.common import Citation, CitationIn, Id


class ActorKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"
    GOVERNMENT_BODY = "government_body"
    BUSINESS_ASSOCIATION = "business_association"
    PROVINCE = "province"
    MILITARY = "military"
    MEDIA = "media"
    ORGANISATION = "organisation"


class ActorOut(msgspec.Struct, kw_only=True):
    id: str
    kind: ActorKind
    name: str
    aliases: list[str]
    country: str | None
    role: str | None
    description: str
    parent_id: str | None
    external_ids: dict[str, str]
    sources: list[Citation]
    created_at: dt.datetime
    updated_at: dt.datetime
    revision: int


class ActorPage(msgspec.Struct, kw_only=True):
    items: list[ActorOut]
    next: str | None = None


class ActorBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What a client sends to create one; the service assigns the id."""

    kind: ActorKind
    name: Annotated[str, Meta(min_length=1, max_length=300)]
    aliases: list[Annotated[str, Meta(min_length=1, max_length=300)]] = []
    country: str | None = None
    role: Annotated[str, Meta(max_length=300)] | None = None
    description: Annotated[str, Meta(max_length=5000)] = ""
    parent_id: Id | None = None
    external_ids: dict[str, str] = {}
    sources: list[CitationIn] = []


class ActorIn(ActorBody, kw_only=True):
    """A full record with its id, as imported, exported and seeded."""

    id: Id
