"""Bulk import and export: one typed record per NDJSON line, and the report an import returns."""

from __future__ import annotations

import msgspec

from schemas.actors import ActorIn
from schemas.deals import DealIn
from schemas.events import EventIn
from schemas.relationships import PeriodIn
from schemas.sources import SourceIn


# A record holds lists, but nothing in them can point back at it, so it never closes a reference
# cycle: gc=False keeps the collector from tracking the million records of a bulk import.
class SourceRecord(SourceIn, kw_only=True, gc=False, tag_field="collection", tag="sources"):
    """A source line: `{"collection": "sources", "id": ..., ...}`."""


class ActorRecord(ActorIn, kw_only=True, gc=False, tag_field="collection", tag="actors"):
    """An actor line."""


class EventRecord(EventIn, kw_only=True, gc=False, tag_field="collection", tag="events"):
    """An event line."""


class DealRecord(DealIn, kw_only=True, gc=False, tag_field="collection", tag="deals"):
    """A deal line."""


class PeriodRecord(PeriodIn, kw_only=True, gc=False, tag_field="collection", tag="relationship-periods"):
    """A relationship-period line."""


Record = SourceRecord | ActorRecord | EventRecord | DealRecord | PeriodRecord


class LineError(msgspec.Struct, kw_only=True):
    """Why one input line was not written."""

    line: int
    id: str | None
    reason: str


class ImportReport(msgspec.Struct, kw_only=True):
    """What an import did: lines read, records written (new revisions), lines refused and why."""

    lines: int
    valid: int
    changed: int
    unchanged: int
    errors: list[LineError]
    # GDELT rows read but not written because they are not between two different countries.
    skipped: int = 0
