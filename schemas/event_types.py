"""Event types: the verb vocabulary and how each maps onto CAMEO, Goldstein, QuadClass and PLOVER."""

from __future__ import annotations

import msgspec

from schemas.events import EventType


class EventTypeOut(msgspec.Struct, kw_only=True):
    id: EventType
    name: str
    description: str
    cameo_code: str
    cameo_label: str
    goldstein: float | None
    quad_class: int
    plover_type: str | None


class EventTypeList(msgspec.Struct, kw_only=True):
    items: list[EventTypeOut]
