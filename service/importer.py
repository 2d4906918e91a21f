"""The one write path: records are staged with COPY, checked as a set, then upserted by id.

POST, PATCH, bulk import and the seed world all go through `apply`. Every record is either
written whole or refused with its line and reason; refused records leave no trace.

A large input is written in batches, all in the caller's transaction: while the database
writes one batch, the next is decoded and staged in a worker thread. A record that points at
something a later batch brings is held back and written with the last batch, so records may
come in any order, as in one batch. Relationship periods always go with the last batch, so
that they are checked against each other and against every event at once.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import TypeVar

import msgspec

from schemas.imports import ImportReport, LineError
from schemas.relationships import PeriodIn
from service import deferred_indexes, revisions
from service.db import Connection
from service.repos import pairs
from service.resolve import CountryResolver
from service.sql import queries
from service.staging import STAGE_COLUMNS, Batch, Input, Refused, collection_paused

# From this many records on, statistics are refreshed mid-transaction (a few hundred ms) so the
# set-based statements that follow get plans for the real row counts.
LARGE_BATCH = 5_000
# Records per batch of a large input. Each batch costs a few fixed statements. The first one is
# smaller: nothing overlaps its decoding, and it is all most inputs hold.
BATCH_SIZE = 100_000
FIRST_BATCH_SIZE = 10_000
# A load that writes at least as many events, deals or revisions as their table held drops the
# secondary indexes of that table (and of its link tables), with the keys no foreign key points
# at, and builds them once: the keys at its end, the plain indexes after its commit (service.
# deferred_indexes); the pair-day rollup of events or deals is counted again once, instead of
# row by row.
RELOADS = {
    "events": ("events", "event_participants", "event_sources"),
    "deals": ("deals", "deal_parties", "deal_sources"),
    "revisions": ("revisions",),
}
ROLLUPS = ("events", "deals")
RELOAD_MIN = 1_000
# The statistics target staging tables are analyzed with (the server's default is 100).
STAGING_STATISTICS = "10"
# How long a reload waits for its tables before it gives up and keeps their indexes instead.
RELOAD_LOCK_WAIT_MS = 1_000
T = TypeVar("T")
# The collection each staged upsert (imports.upsert_<name>) writes.
WRITTEN = {"sources": "sources", "actors": "actors", "periods": "relationship-periods", "events": "events",
           "deals": "deals"}  # fmt: skip


class Staged(msgspec.Struct):
    """A staged batch. `records` maps its lines to their records when a refusal for a missing
    reference may still be lifted by a later batch (None: every refusal is final); `last` when
    the input has nothing after it."""

    batch: Batch
    records: dict[int, Input] | None
    last: bool


class Reload(msgspec.Struct):
    """What a load that outgrows its tables set aside: their tables, the statements that build
    their indexes and keys again."""

    tables: list[str] = msgspec.field(default_factory=list)
    rebuild: list[str] = msgspec.field(default_factory=list)


class Load:
    """One input written batch by batch in the caller's transaction, and its report."""

    def __init__(self, conn: Connection, key_name: str, statement_timeout_ms: int | None) -> None:
        self.conn = conn
        self.key_name = key_name
        self.statement_timeout_ms = statement_timeout_ms
        self.ids: dict[tuple[str, str], int] = {}
        self.countries: dict[str, str] = {}
        self.lines = 0
        self.valid = 0
        self.changed = 0
        self.errors: list[LineError] = []
        # Records a batch refused for a missing reference, retried with the last batch.
        self.held_back: dict[int, Input] = {}
        # Periods, staged with the last batch.
        self.periods: list[tuple[int, PeriodIn]] = []
        self.started = False
        # The collections that held nothing when the load began (imports.fresh_collections).
        self.fresh: list[str] = []
        # Some batch took the bulk path: the pair index is counted again at the end.
        self.bulk = False
        self.analyzed = False
        # A batch has written (and recorded revisions) in this transaction.
        self.wrote = False
        self.reload = Reload()
        # Tables whose readers kept a reload from taking them: written with their indexes.
        self.kept: set[str] = set()
        self.rows_before: dict[str, int] | None = None
        self.written: Counter[str] = Counter()

    def report(self, skipped: int = 0) -> ImportReport:
        self.errors.sort(key=lambda e: e.line)
        return ImportReport(
            lines=self.lines,
            valid=self.valid,
            changed=self.changed,
            unchanged=self.valid - self.changed,
            errors=self.errors,
            skipped=skipped,
        )

    def stage_records(
        self, resolver: CountryResolver | None, items: Iterator[tuple[int, Input | LineError]]
    ) -> Staged:
        """The next input items as a batch (run in a worker thread for all but the first)."""
        batch = Batch(resolver, self.ids, self.countries)
        records: dict[int, Input] = {}
        taken, last = self.next_items(items)
        for line, item in taken:
            if isinstance(item, LineError):
                self.errors.append(item)
                continue
            if isinstance(item, PeriodIn):
                self.periods.append((line, item))
                continue
            try:
                batch.add(line, item)
            except Refused as exc:
                self.errors.append(LineError(line=line, id=item.id, reason=str(exc)))
                continue
            records[line] = item
        self.lines += len(taken)
        return Staged(batch, records, last)

    def next_items(self, items: Iterator[T]) -> tuple[list[T], bool]:
        """The input items of the next batch, and whether the input ends with them."""
        size = BATCH_SIZE if self.started else min(FIRST_BATCH_SIZE, BATCH_SIZE)
        self.started = True
        taken = list(islice(items, size))
        return taken, len(taken) < size

    def complete(self, batch: Batch) -> None:
        """Give the last batch what was held back and the periods."""
        for line, record in sorted(self.held_back.items()):
            batch.again(line, record)
        self.held_back.clear()
        for line, period in self.periods:
            try:
                batch.add(line, period)
            except Refused as exc:
                self.errors.append(LineError(line=line, id=period.id, reason=str(exc)))
        self.periods.clear()

    async def run(self, stage: Callable[[], Staged]) -> None:
        """Stage and write every batch, each next one staged while the database writes this one."""
        with collection_paused():
            await self.begin()
            # The first batch in this thread: most inputs (a POST, a small file) fit in it.
            staged = stage()
            # What earlier batches no longer need: freed by the worker, since freeing a batch
            # here (a few hundred thousand objects) left the database idle for a tenth of a second.
            spent: list[object] = []
            while not staged.last:
                # COPY encodes rows in this thread: the worker starts after it, not against it.
                await self.copy(staged.batch)
                spent.append(staged.batch.rows)
                staged.batch.rows = defaultdict(list)
                upcoming = asyncio.ensure_future(asyncio.to_thread(_freeing_then, spent, stage))
                spent = []
                try:
                    await self.write(staged)
                finally:
                    # The worker reads the caller's input: it must be done before the caller goes on.
                    await asyncio.wait([upcoming])
                spent.append(staged)
                staged = upcoming.result()
            self.complete(staged.batch)
            await self.copy(staged.batch)
            await self.write(msgspec.structs.replace(staged, records=None))
            await self.finish()

    async def begin(self) -> None:
        """Before anything is written: the statement timeout, and what the load finds empty."""
        conn, q = self.conn, queries()
        if self.statement_timeout_ms is not None:
            await conn.execute(q["imports.statement_timeout"], str(self.statement_timeout_ms))
        self.fresh = await conn.fetchval(q["imports.fresh_collections"])

    async def copy(self, batch: Batch) -> None:
        """Fill the staging tables with a batch."""
        conn, q = self.conn, queries()
        if not batch.keys:
            return
        await conn.execute(q["imports.create_staging"])
        for table, rows in batch.rows.items():
            if rows:
                await conn.copy_records_to_table(table, records=rows, columns=STAGE_COLUMNS[table])
        if len(batch.keys) >= LARGE_BATCH:
            # Every batch: one may hold none of a kind the next holds a hundred thousand of, and
            # a check planned for an empty staging table can take minutes on a full one.
            await conn.execute(q["imports.bulk_memory"])
            usual = await conn.fetchval(q["imports.statistics_target"], STAGING_STATISTICS)
            await conn.execute(q["imports.analyze_staging"])
            await conn.execute(q["imports.statistics_target"], usual)

    async def write(self, staged: Staged) -> None:
        """Hold back or refuse the staged records that point nowhere, write the rest."""
        batch = staged.batch
        if not batch.keys:
            return
        dropped = await _drop_broken(self.conn, batch)
        if staged.records is None:
            self.errors += dropped
        else:
            self.held_back.update((e.line, staged.records[e.line]) for e in dropped)
        self.valid += len(batch.keys) - len(dropped)
        self.changed += await self.write_staged(batch)

    async def write_staged(self, batch: Batch) -> int:
        """Upsert the staged records that change anything, refresh what derives from them, record
        revisions. Returns how many of the batch's records got a revision. A bulk write leaves
        the pair index to `finish`."""
        conn, q = self.conn, queries()
        await conn.execute(q["imports.find_relinked"], self.fresh)
        await conn.execute(q["imports.find_changed"], self.fresh)
        counts = {r["collection"]: r["items"] for r in await conn.fetch(q["imports.changed_counts"])}
        if not counts:
            return 0
        # Sized by what changes, not by what was sent: a large file with one edit is a small write.
        bulk = sum(counts.values()) >= LARGE_BATCH
        # A small write refreshes the pairs of everything it reaches, so it needs every id; a bulk
        # one counts the pairs again at the end and needs only the items whose revisions must be
        # compared. Unseen items have nothing to copy, compare or ripple to: nothing stored can
        # point at them.
        reached: dict[str, set[str]] = defaultdict(set)
        compared: dict[str, set[str]] = defaultdict(set)
        for r in await conn.fetch(q["imports.reached"], not bulk):
            reached[r["collection"]].add(r["item_id"])
            if not r["unseen"]:
                compared[r["collection"]].add(r["item_id"])
        touched = tuple(sorted(reached[c]) for c in ("events", "deals", "relationship-periods"))
        before = [] if bulk else await pairs.touched(conn, *touched)
        if bulk:
            self.bulk = True
            await self.extend_reload(counts)
        prepared = await revisions.prepare(conn, compared, again=self.wrote)
        self.wrote = True
        await conn.execute(q["imports.close_open_periods"])
        for name in ("sources", "actors", "periods"):
            await conn.execute(self.upsert(name), self.fresh)
        await conn.execute(q["imports.replace_links"])
        # Every reference was checked as a set above; a bulk batch skips the per-row foreign key
        # triggers that would check each one again, holding the referenced rows locked instead.
        unchecked = bulk and await conn.fetchval(q["imports.may_skip_row_checks"])
        if unchecked:
            await conn.execute(q["imports.lock_references"])
            await conn.execute(q["imports.row_checks"], "replica")
        for name in ("events", "deals"):
            await conn.execute(self.upsert(name), self.fresh)
        await conn.execute(q["imports.insert_links"], self.fresh)
        if unchecked:
            await conn.execute(q["imports.row_checks"], "origin")
        if bulk and not self.analyzed:
            # The tables were empty or small: later batches must be planned for their real size.
            self.analyzed = True
            await conn.execute(q["imports.analyze_written"])
        if not bulk:
            await pairs.refresh(conn, sorted(set(before) | set(await pairs.touched(conn, *touched))))
        unseen = await conn.fetch(q["imports.record_unseen"], self.key_name)
        recorded = await revisions.record(conn, self.key_name, prepared)
        # Every unseen item was staged, and is a record of the batch unless it is a by-product.
        first: int = sum(r["items"] for r in unseen if r["collection"] not in batch.byproducts)
        return first + len({(w.collection, w.item_id) for w in recorded} & batch.keys.keys())

    def upsert(self, name: str) -> str:
        """The statement that writes a staged collection (its parameter: the fresh collections).
        Into a fresh collection it is a plain insert of every staged item: nothing stored can
        conflict, and a load gives each id once, so neither the conflict check every row of an
        upsert pays (a third of an event's insert) nor the lookup of its changes is made. A row
        that another writer added meanwhile still fails the load on the primary key."""
        statement = queries()[f"imports.upsert_{name}"]
        if WRITTEN[name] in self.fresh:
            statement, _ = statement.split("\nON CONFLICT", 1)
        return statement

    async def extend_reload(self, counts: dict[str, int]) -> None:
        """Set aside the secondary indexes (and rollup triggers) of every table this load has
        written at least as many rows to as it held before; `finish` builds the keys again and
        defers the plain indexes."""
        conn, q = self.conn, queries()
        if self.rows_before is None:
            found = await conn.fetch(q["imports.table_rows"], list(RELOADS))
            self.rows_before = {r["name"]: r["rows"] for r in found}
        # Every changed item gets a revision row.
        self.written.update(events=counts.get("events", 0), deals=counts.get("deals", 0))
        self.written["revisions"] += sum(counts.values())
        chosen = [
            table
            for kind, count in self.written.items()
            if count >= max(self.rows_before.get(kind, 0), RELOAD_MIN)
            for table in RELOADS[kind]
            if table not in self.reload.tables and table not in self.kept
        ]
        if not chosen:
            return
        paused = [table for table in chosen if table in ROLLUPS]
        if paused:
            # Before anything of those tables is altered.
            await self.run_deferred_checks()
        indexes = await conn.fetchval(q["imports.drop_secondary_indexes"], chosen, RELOAD_LOCK_WAIT_MS)
        if indexes is None:
            self.kept.update(chosen)  # readers hold the tables: write with the indexes in place
            return
        keys = await conn.fetchval(q["imports.drop_unreferenced_keys"], chosen)
        self.reload.tables += chosen
        self.reload.rebuild += indexes + keys
        for table in paused:
            await conn.execute(q["imports.pause_rollup"], table)

    async def run_deferred_checks(self) -> None:
        """Run the reference checks queued for the commit before a table is altered."""
        await self.conn.execute(queries()["imports.run_deferred_checks"])
        await self.conn.execute(queries()["imports.defer_checks"])

    async def finish(self) -> None:
        """What a bulk load left for its end: the pair index, the rollups, the keys. Plain
        indexes are left for after the commit (deferred_indexes.build)."""
        conn, q = self.conn, queries()
        if self.bulk:
            await conn.execute(q["pairs.rebuild"])
        resumed = [table for table in self.reload.tables if table in ROLLUPS]
        if resumed:
            # A last batch too small for the bulk path wrote with row checks on.
            await self.run_deferred_checks()
        for table in resumed:
            await conn.execute(q["imports.resume_rollup"], table)
        later, now = deferred_indexes.split(self.reload.rebuild)
        if now:
            await conn.execute(q["imports.create_indexes"], now)
        if later:
            await deferred_indexes.defer(conn, later)


def _freeing_then(spent: list[object], stage: Callable[[], Staged]) -> Staged:
    """Drop the last references to what earlier batches left, then stage the next batch."""
    spent.clear()
    return stage()


async def apply(
    conn: Connection,
    resolver: CountryResolver,
    items: Iterable[tuple[int, Input | LineError]],
    key_name: str,
    statement_timeout_ms: int | None = None,
) -> ImportReport:
    """Write every valid record in the caller's transaction; report the refused ones.

    Bulk callers lift the per-statement timeout for this transaction (0 means none).
    """
    load = Load(conn, key_name, statement_timeout_ms)
    source = iter(items)
    await load.run(lambda: load.stage_records(resolver, source))
    return load.report()


async def _drop_broken(conn: Connection, batch: Batch) -> list[LineError]:
    """Refuse records that point at missing items, until no refusal uncovers another."""
    q = queries()
    line_ids: dict[int, str] = {}
    refused: list[LineError] = []
    while True:
        rows = [
            *await conn.fetch(q["imports.broken_references"]),
            *await conn.fetch(q["imports.overlapping_periods"]),
        ]
        if not rows:
            return refused
        first: dict[int, str] = {}
        for r in rows:
            first.setdefault(r["line"], r["reason"])
        # Only when something is refused: the batch may hold a hundred thousand records.
        line_ids = line_ids or {line: item_id for (_, item_id), line in batch.keys.items()}
        refused += [LineError(line=n, id=line_ids.get(n), reason=reason) for n, reason in first.items()]
        await conn.execute(q["imports.drop_lines"], list(first))
