"""Staging: input records checked one by one and turned into rows for the staging tables.

Everything that can be judged from a record alone is judged here (dates, pairs, duplicate
members, country spellings); what needs the database (references, overlapping periods) is
checked by the importer once the rows are staged.
"""

from __future__ import annotations

import functools
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import msgspec

from schemas.actors import ActorIn
from schemas.common import CitationIn
from schemas.deals import DealIn
from schemas.events import EventIn
from schemas.imports import LineError, Record
from schemas.relationships import PeriodIn
from schemas.sources import SourceIn
from service.errors import InvalidParameter
from service.money import usd_value
from service.resolve import CountryResolver

_DECODER = msgspec.json.Decoder(Record)
Input = SourceIn | ActorIn | EventIn | DealIn | PeriodIn

STAGE_COLUMNS: dict[str, tuple[str, ...]] = {
    "stage_sources": ("line", "id", "url", "title", "publisher", "original_publisher", "published_on",
                      "language", "disclosures", "notes"),
    "stage_actors": ("line", "id", "kind", "name", "aliases", "country", "role", "description", "parent_id",
                     "external_ids"),
    "stage_events": ("line", "id", "type", "cameo_code", "title", "summary", "status", "start_date",
                     "start_precision", "end_date", "end_precision", "date_inferred", "date_note",
                     "location_name", "location_country", "related_event_id", "relation", "sectors",
                     "quantities", "external_ids", "num_mentions", "num_sources", "num_articles", "avg_tone",
                     "location_lat", "location_lon", "countries", "pairs", "initiators", "targets",
                     "actor_ids"),
    "stage_deals": ("line", "id", "kind", "title", "summary", "status", "signed_on", "date_precision",
                    "date_inferred", "date_note", "count", "amount", "currency", "value_text", "value_basis",
                    "value_qualifier", "value_period", "horizon_years", "value_usd", "usd_method", "usd_rate",
                    "usd_rate_date", "usd_note", "event_id", "part_of", "sectors", "countries", "pairs",
                    "actor_ids"),
    "stage_periods": ("line", "id", "country_a", "country_b", "valid_from", "valid_from_precision",
                      "valid_to", "status", "trend", "summary"),
    "stage_members": ("line", "collection", "item_id", "ordinal", "role", "country", "actor_id"),
    "stage_citations": ("line", "collection", "item_id", "ordinal", "source_id", "attribution"),
    "stage_drivers": ("line", "period_id", "ordinal", "event_id"),
}  # fmt: skip


_ENCODER = msgspec.json.Encoder()
# Most records carry no quantities and no external ids: stage their JSON without encoding it.
_EMPTY_LIST_JSON = "[]"
_EMPTY_OBJECT_JSON = "{}"


def _json(value: Any) -> str:
    return _ENCODER.encode(value).decode()


class Refused(Exception):
    """A record that cannot be written, and why."""


class Batch:
    """Rows for the staging tables, built from validated records.

    A stager checks the whole record before it appends anything, so a refused record leaves no
    rows behind. Enum values are staged as they are: a StrEnum member is a str, and asyncpg
    writes its value. A load may stage its records in several batches: they share `ids` (every
    record of the load so far, by collection and id, with its line) and the country spellings
    resolved so far, while `keys` holds this batch's own records.
    """

    def __init__(
        self,
        resolver: CountryResolver | None,
        ids: dict[tuple[str, str], int] | None = None,
        countries: dict[str, str] | None = None,
    ) -> None:
        self.resolver = resolver
        self.rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        self.ids: dict[tuple[str, str], int] = {} if ids is None else ids
        self.keys: dict[tuple[str, str], int] = {}
        # A load names the same few hundred countries over and over: resolve each spelling once.
        self.countries: dict[str, str] = {} if countries is None else countries
        # Collections staged only to serve the records (the sources a GDELT file cites), whose
        # writes are not counted as records changed.
        self.byproducts: set[str] = set()

    def country(self, text: str | None, field: str) -> str | None:
        if text is None:
            return None
        found = self.countries.get(text)
        if found is not None:
            return found
        if self.resolver is None:
            raise Refused(f"{field}: countries are not read here")
        try:
            found = self.countries[text] = self.resolver.country(text, field)
        except InvalidParameter as exc:
            raise Refused(exc.detail) from None
        return found

    def add(self, line: int, record: Input) -> None:
        collection, stage = _stager(type(record))
        key = (collection, record.id)
        if key in self.ids:
            raise Refused(f"id: {record.id!r} was already given on line {self.ids[key]}")
        stage(self, line, record)
        self.take(key, line)

    def again(self, line: int, record: Input) -> None:
        """Stage a record that an earlier batch of the load took but could not write yet."""
        collection, stage = _stager(type(record))
        stage(self, line, record)
        self.keys[(collection, record.id)] = line

    def take(self, key: tuple[str, str], line: int) -> None:
        """Count a staged record as this batch's, and its id as given."""
        self.ids[key] = self.keys[key] = line


def _check_sources(sources: list[CitationIn]) -> None:
    """Refuse a record that cites one source twice; `_cite` stages the citations afterwards."""
    if len(sources) > 1 and len({c.source_id for c in sources}) < len(sources):
        seen: set[str] = set()
        for n, c in enumerate(sources):
            if c.source_id in seen:
                raise Refused(f"sources[{n}].source_id: {c.source_id!r} is cited twice")
            seen.add(c.source_id)


def _cite(batch: Batch, line: int, collection: str, item_id: str, sources: list[CitationIn]) -> None:
    """Stage the citations of a record that passed every check."""
    table = batch.rows["stage_citations"]
    for n, c in enumerate(sources):
        table.append((line, collection, item_id, n, c.source_id, c.attribution))


def _members(
    batch: Batch, line: int, collection: str, item_id: str, members: list[Any], field: str
) -> list[tuple[Any, ...]]:
    """Rows for the participants of an event or the parties of a deal.

    The usual case takes one quick pass: every country spelling was resolved before and nothing
    is wrong. Anything else goes through `_checked_members`, which resolves new spellings and
    reports the first problem in list order.
    """
    known = batch.countries
    rows = []
    for n, m in enumerate(members):
        text, actor_id = m.country, m.actor_id
        if text is None:
            if actor_id is None:
                return _checked_members(batch, line, collection, item_id, members, field)
            country = None
        else:
            country = known.get(text)
            if country is None:
                return _checked_members(batch, line, collection, item_id, members, field)
        rows.append((line, collection, item_id, n, m.role, country, actor_id))
    # A member is listed twice when two rows end in the same (role, country, actor_id).
    if len(rows) > 1 and len({row[4:] for row in rows}) < len(rows):
        return _checked_members(batch, line, collection, item_id, members, field)
    return rows


def _checked_members(
    batch: Batch, line: int, collection: str, item_id: str, members: list[Any], field: str
) -> list[tuple[Any, ...]]:
    rows, seen = [], set()
    for n, m in enumerate(members):
        if m.country is None and m.actor_id is None:
            raise Refused(f"{field}[{n}]: give a country, an actor_id or both")
        country = batch.country(m.country, f"{field}[{n}].country")
        if (m.role, country, m.actor_id) in seen:
            raise Refused(f"{field}[{n}]: listed twice")
        seen.add((m.role, country, m.actor_id))
        rows.append((line, collection, item_id, n, m.role, country, m.actor_id))
    return rows


def _stage_source(batch: Batch, line: int, r: SourceIn) -> None:
    row = (line, r.id, r.url, r.title, r.publisher, r.original_publisher, r.published_on, r.language,
           r.disclosures, r.notes)  # fmt: skip
    batch.rows["stage_sources"].append(row)


def _stage_actor(batch: Batch, line: int, r: ActorIn) -> None:
    if r.parent_id == r.id:
        raise Refused("parent_id: an actor cannot be its own parent")
    external_ids = _json(r.external_ids) if r.external_ids else _EMPTY_OBJECT_JSON
    row = (line, r.id, r.kind, r.name, r.aliases, batch.country(r.country, "country"), r.role,
           r.description, r.parent_id, external_ids)  # fmt: skip
    _check_sources(r.sources)
    batch.rows["stage_actors"].append(row)
    _cite(batch, line, "actors", r.id, r.sources)


def _stage_event(batch: Batch, line: int, r: EventIn) -> None:
    if r.related_event_id == r.id:
        raise Refused("related_event_id: an event cannot relate to itself")
    # The table's CHECKs would abort the whole transaction; refuse the one record instead.
    if r.end_date is not None and r.end_date < r.start_date:
        raise Refused("end_date: must not be before start_date")
    if (r.end_date is None) != (r.end_precision is None):
        raise Refused("end_precision: give it together with end_date, or neither")
    if (r.related_event_id is None) != (r.relation is None):
        raise Refused("relation: give it together with related_event_id, or neither")
    if (r.location_lat is None) != (r.location_lon is None):
        raise Refused("location_lon: give it together with location_lat, or neither")
    c = r.coverage
    quantities = _json(r.quantities) if r.quantities else _EMPTY_LIST_JSON
    external_ids = _json(r.external_ids) if r.external_ids else _EMPTY_OBJECT_JSON
    location_country = batch.country(r.location_country, "location_country")
    members = _members(batch, line, "events", r.id, r.participants, "participants")
    countries, pairs, actor_ids = _filters(members)
    row = (line, r.id, r.type, r.cameo_code, r.title, r.summary, r.status, r.start_date,
           r.start_precision, r.end_date, r.end_precision, r.date_inferred, r.date_note, r.location_name,
           location_country, r.related_event_id, r.relation, array_literal(r.sectors), quantities,
           external_ids, c and c.mentions, c and c.sources, c and c.articles, c and c.avg_tone,
           r.location_lat, r.location_lon, countries, pairs, _countries_as(members, "initiator"),
           _countries_as(members, "target"), actor_ids)  # fmt: skip
    _stage_with_members(batch, line, "events", row, members, r.sources)


def _stage_deal(batch: Batch, line: int, r: DealIn) -> None:
    if r.part_of == r.id:
        raise Refused("part_of: a deal cannot be part of itself")
    v = r.value
    usd = usd_value(v.amount, v.currency, r.signed_on, v.usd) if v else None
    members = _members(batch, line, "deals", r.id, r.parties, "parties")
    countries, pairs, actor_ids = _filters(members)
    row = (line, r.id, r.kind, r.title, r.summary, r.status, r.signed_on, r.date_precision,
           r.date_inferred, r.date_note, r.count, v and v.amount, v and v.currency, v and v.text,
           v and v.basis, v and v.qualifier, v and v.period, v and v.horizon_years,
           usd and usd.usd, usd and usd.method, usd and usd.rate, usd and usd.rate_date, usd and usd.note,
           r.event_id, r.part_of, array_literal(r.sectors), countries, pairs, actor_ids)  # fmt: skip
    _stage_with_members(batch, line, "deals", row, members, r.sources)


def _filters(members: list[tuple[Any, ...]]) -> tuple[str, str, str]:
    """The filter arrays of an event or deal from its member rows, as array literals: its
    countries, every two of them as a pair key (`A-B`, in order), its actors; each sorted and
    without repeats."""
    if len(members) == 2:  # the usual case: two countries, no actors
        a, b = members[0][5], members[1][5]
        if a is not None and b is not None and a != b and members[0][6] is None and members[1][6] is None:
            a, b = (a, b) if a < b else (b, a)
            return f"{{{a},{b}}}", f"{{{a}-{b}}}", "{}"
    countries = sorted({m[5] for m in members if m[5] is not None})
    pairs = [f"{a}-{b}" for n, a in enumerate(countries) for b in countries[n + 1 :]]
    return (
        array_literal(countries),
        array_literal(pairs),
        array_literal(sorted({m[6] for m in members if m[6] is not None})),
    )


def _countries_as(members: list[tuple[Any, ...]], role: str) -> str:
    """The countries of the members in one role, sorted and without repeats, as an array literal."""
    return array_literal(sorted({m[5] for m in members if m[4] == role and m[5] is not None}))


def array_literal(items: Sequence[str]) -> str:
    """A text[] literal of country codes, pair keys, ids or sectors: letters, digits, hyphens and
    underscores, which need no quoting, except an id spelled `null`, which unquoted would be a
    NULL element. COPY sends it as text, in a fraction of the time an array takes to encode."""
    if "null" in items:
        return "{" + ",".join(f'"{item}"' if item == "null" else item for item in items) + "}"
    return "{" + ",".join(items) + "}"


def _stage_with_members(
    batch: Batch,
    line: int,
    collection: str,
    row: tuple[Any, ...],
    members: list[tuple[Any, ...]],
    sources: list[CitationIn],
) -> None:
    """Check the citations of an event or deal, then stage it with its members and citations."""
    _check_sources(sources)
    rows = batch.rows
    rows[f"stage_{collection}"].append(row)
    rows["stage_members"].extend(members)
    _cite(batch, line, collection, row[1], sources)


def _stage_period(batch: Batch, line: int, r: PeriodIn) -> None:
    a = batch.country(r.country_a, "country_a")
    b = batch.country(r.country_b, "country_b")
    if a == b:
        raise Refused(f"country_b: a pair needs two different countries, got {a} twice")
    a, b = sorted((str(a), str(b)))
    if r.valid_to is not None and r.valid_to <= r.valid_from:
        raise Refused("valid_to: must be after valid_from")
    if len(set(r.event_ids)) != len(r.event_ids):
        raise Refused("event_ids: an event is listed twice")
    row = (line, r.id, a, b, r.valid_from, r.valid_from_precision, r.valid_to, r.status, r.trend,
           r.summary)  # fmt: skip
    _check_sources(r.sources)
    rows = batch.rows
    rows["stage_periods"].append(row)
    rows["stage_drivers"].extend((line, r.id, n, e) for n, e in enumerate(r.event_ids))
    _cite(batch, line, "relationship-periods", r.id, r.sources)


# Plain In structs (the seed world, tests) stage like their tagged Record subclasses.
_STAGERS: tuple[tuple[type, str, Any], ...] = (
    (SourceIn, "sources", _stage_source),
    (ActorIn, "actors", _stage_actor),
    (EventIn, "events", _stage_event),
    (DealIn, "deals", _stage_deal),
    (PeriodIn, "relationship-periods", _stage_period),
)


@functools.cache
def _stager(kind: type) -> tuple[str, Any]:
    return next((name, stage) for base, name, stage in _STAGERS if issubclass(kind, base))


def blank(raw: bytes) -> bool:
    """Whether an input line holds nothing but whitespace (tested without copying it)."""
    return not raw or raw.isspace()


def parse_lines(lines: Iterable[bytes]) -> Iterator[tuple[int, Record | LineError]]:
    """Decode NDJSON; blank lines are skipped, a line that does not decode becomes its error."""
    for number, raw in enumerate(lines, start=1):
        if blank(raw):
            continue
        try:
            yield number, _DECODER.decode(raw)
        except msgspec.DecodeError as exc:
            yield number, LineError(line=number, id=_guess_id(raw), reason=str(exc))


def _guess_id(raw: bytes) -> str | None:
    try:
        value = msgspec.json.decode(raw)
    except msgspec.DecodeError:
        return None
    found = value.get("id") if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for a load. Its batches make millions of objects that
    live until they are written, and each collection pass would walk them again (it took four
    fifths of the decoding time); the ids of the whole load live until its end. Other requests
    may run meanwhile: reference counting still frees what they drop."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
