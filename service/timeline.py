"""A pair's timeline: calendar buckets of events, deals, curated status and the derived index."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import msgspec

from schemas.relationships import PeriodOut
from schemas.timeline import Bucket, Interval, TimelineOut
from service import relationship_index as ri
from service.db import Connection
from service.errors import InvalidParameter
from service.repos import relationships
from service.resolve import Pair
from service.sql import queries

MAX_BUCKETS = 5000
_MONTHS = {Interval.MONTH: 1, Interval.YEAR: 12}
# Per-bucket sums of timeline.buckets, as the bucket's fields (goldstein becomes goldstein_sum).
COUNTS = ("events", "verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict",
          "a_to_b", "b_to_a", "goldstein")  # fmt: skip


def bucket_start(day: dt.date, interval: Interval) -> dt.date:
    """The first day of the calendar interval holding `day` (weeks start on Monday)."""
    if interval is Interval.DAY:
        return day
    if interval is Interval.WEEK:
        return day - dt.timedelta(days=day.weekday())
    if interval is Interval.MONTH:
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def next_start(start: dt.date, interval: Interval, steps: int = 1) -> dt.date:
    """The start of the bucket `steps` after the one beginning on `start` (negative: before)."""
    if interval is Interval.DAY:
        return start + dt.timedelta(days=steps)
    if interval is Interval.WEEK:
        return start + dt.timedelta(weeks=steps)
    months = start.year * 12 + start.month - 1 + steps * _MONTHS[interval]
    return dt.date(months // 12, months % 12 + 1, 1)


def bucket_count(first: dt.date, last: dt.date, interval: Interval) -> int:
    """How many buckets cover `first`..`last`, both already bucket starts."""
    if interval is Interval.DAY:
        return (last - first).days + 1
    if interval is Interval.WEEK:
        return (last - first).days // 7 + 1
    months = (last.year - first.year) * 12 + last.month - first.month
    return months // _MONTHS[interval] + 1


def _earliest(interval: Interval, last: dt.date) -> dt.date:
    """The first bucket start of the longest range allowed that ends with the bucket `last`."""
    try:
        return next_start(last, interval, 1 - MAX_BUCKETS)
    except (OverflowError, ValueError):
        return bucket_start(dt.date.min, interval)


async def _range(
    conn: Connection, pair: Pair, interval: Interval, start: dt.date | None, end: dt.date
) -> tuple[dt.date, dt.date]:
    """First and last bucket starts. Without `from`: the pair's first fact, within MAX_BUCKETS."""
    last = bucket_start(end, interval)
    try:
        next_start(last, interval)
    except (OverflowError, ValueError):
        raise InvalidParameter("to", "the calendar ends too soon after this day") from None
    if start is not None:
        first = bucket_start(start, interval)
        count = bucket_count(first, last, interval)
        if count > MAX_BUCKETS:
            raise InvalidParameter(
                "from",
                f"{count} {interval.value} buckets from {start} to {end}; at most {MAX_BUCKETS}:"
                " narrow the range or use a longer interval",
            )
        return first, last
    known: dt.date | None = await conn.fetchval(queries()["timeline.first_day"], pair.key)
    first = bucket_start(min(known, end) if known else end, interval)
    return max(first, _earliest(interval, last)), last


def _counts(rows: list[Any]) -> dict[dt.date, dict[str, Any]]:
    """Event counts and Goldstein sums by bucket; a bucket may come in two rows (see the query)."""
    counted: dict[dt.date, dict[str, Any]] = {}
    for row in rows:
        if row["bucket"] is not None:
            into = counted.setdefault(row["bucket"], dict.fromkeys(COUNTS, 0))
            for name in COUNTS:
                into[name] += row[name]
    return counted


def _deal_fields(signed: Any) -> dict[str, Any]:
    if signed is None:
        return {"deals": 0, "deal_usd": Decimal(0), "deal_usd_targets": Decimal(0)}
    # Sums come as text: asyncpg's binary numeric would give Decimal('4.411E+7').
    return {
        "deals": signed["deals"],
        "deal_usd": Decimal(signed["deal_usd"]),
        "deal_usd_targets": Decimal(signed["deal_usd_targets"]),
    }


def _status(periods: list[PeriodOut], day: dt.date) -> dict[str, Any]:
    held = relationships.holding_on(periods, day)
    if held is None:
        return {"status": None, "trend": None, "period_id": None}
    return {"status": held.status, "trend": held.trend, "period_id": held.id}


async def build(
    conn: Connection,
    pair: Pair,
    interval: Interval,
    start: dt.date | None,
    end: dt.date | None,
    today: dt.date,
) -> TimelineOut:
    """Every bucket from `start` to `end` (default: the pair's first fact to today)."""
    end = end or today
    first, last = await _range(conn, pair, interval, start, end)
    stop = next_start(last, interval) - dt.timedelta(days=1)
    rows = await conn.fetch(
        queries()["timeline.buckets"], pair.key, first, stop, interval.value, today, ri.TAU_DAYS
    )
    deals = {
        r["bucket"]: r
        for r in await conn.fetch(queries()["timeline.deals"], pair.key, first, stop, interval.value)
    }
    periods = await relationships.history(conn, pair)
    counted = _counts(rows)
    decayed, row_at = ri.Decayed(), 0
    buckets: list[Bucket] = []
    bucket = first
    while bucket <= last:
        following = next_start(bucket, interval)
        bucket_end = following - dt.timedelta(days=1)
        # The bucket in progress is read on today; past and future ones on their last day.
        as_of = today if bucket <= today < bucket_end else bucket_end
        while row_at < len(rows) and rows[row_at]["anchor"] <= as_of:
            decayed.absorb(rows[row_at])
            row_at += 1
        (index, weight), (a_to_b, _), (b_to_a, _) = decayed.on(as_of)
        counts = counted.get(bucket) or dict.fromkeys(COUNTS, 0)
        n, goldstein = counts["events"], counts.pop("goldstein")
        buckets.append(
            Bucket(
                start=bucket, end=bucket_end, as_of=as_of, **counts,
                goldstein_sum=round(goldstein, ri.DIGITS) + 0.0,
                goldstein_mean=round(goldstein / n, ri.DIGITS) if n else None,
                **_deal_fields(deals.get(bucket)), **_status(periods, as_of),
                index=index, index_weight=weight, index_a_to_b=a_to_b, index_b_to_a=b_to_a,
            )
        )  # fmt: skip
        bucket = following
    return TimelineOut(
        pair=pair.key, a=pair.a, b=pair.b, interval=interval, start=first, end=stop,
        index=ri.method(), buckets=buckets,
    )  # fmt: skip


def to_csv(timeline: TimelineOut) -> bytes:
    """The buckets as CSV: a header of field names, then one line per bucket."""
    names = [f.encode_name for f in msgspec.structs.fields(Bucket)]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(names)
    for row in msgspec.to_builtins(timeline.buckets):
        writer.writerow(["" if row[name] is None else row[name] for name in names])
    return buffer.getvalue().encode()
