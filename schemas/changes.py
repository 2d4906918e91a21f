"""Revisions of one item, and the change feed across all of them."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

import msgspec


class Op(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


class RevisionOut(msgspec.Struct, kw_only=True):
    """One change to an item: when, by which key, and the JSON merge patch it made."""

    revision: int
    op: Op
    recorded_at: dt.datetime
    key_name: str
    diff: dict[str, Any] | None


class RevisionPage(msgspec.Struct, kw_only=True):
    items: list[RevisionOut]
    next: str | None = None


class Change(msgspec.Struct, kw_only=True):
    """A change in the feed; `item` is the item as served after it (null once deleted)."""

    collection: str
    id: str
    revision: int
    op: Op
    recorded_at: dt.datetime
    key_name: str
    diff: dict[str, Any] | None
    item: dict[str, Any] | None


class ChangePage(msgspec.Struct, kw_only=True):
    """Changes in commit order. `cursor` resumes after the last one, even when `items` is empty."""

    items: list[Change]
    cursor: str
    more: bool
