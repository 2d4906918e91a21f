"""The derived relationship index: a decayed mean of Goldstein scores, shrunk towards neutral.

For a stream of events (one direction of a pair, or all of the pair's events) and a day t:

    S(t) = sum of g_e * exp(-(t - d_e) / TAU_DAYS)   over counted events with d_e <= t
    W(t) = sum of       exp(-(t - d_e) / TAU_DAYS)
    index(t) = S(t) / (W(t) + PRIOR_WEIGHT)

g_e is the Goldstein score of the event's CAMEO code and d_e its first day. PRIOR_WEIGHT acts as
one neutral (0) event that never fades: a fresh run of events dominates it, while an old or thin
record drifts back towards 0 instead of repeating its last mean forever. |index| < 10 because
every |g_e| <= 10.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from schemas.relationships import IndexValue, RelationshipIndex
from schemas.timeline import IndexMethod
from service.db import Connection
from service.resolve import Pair
from service.sql import queries

METHOD = "decayed-mean-goldstein"
TAU_DAYS = 180.0
PRIOR_WEIGHT = 1.0
DIGITS = 4


def method() -> IndexMethod:
    return IndexMethod(method=METHOD, tau_days=TAU_DAYS, prior_weight=PRIOR_WEIGHT)


STREAMS = ("undirected", "a_to_b", "b_to_a")
# Column suffixes of the three streams' sums in the timeline queries.
_SUFFIXES = ("", "_a_to_b", "_b_to_a")


def value(total: float, weight: float) -> tuple[float, float]:
    """(index, W) from S and W, rounded; `+ 0.0` turns a rounded -0.0 into 0.0."""
    return round(total / (weight + PRIOR_WEIGHT), DIGITS) + 0.0, round(weight, DIGITS) + 0.0


class Decayed:
    """S and W of the three streams, carried forward through sums anchored on later and later days."""

    def __init__(self) -> None:
        self.day: dt.date | None = None  # the day S and W are taken on
        self.total = [0.0, 0.0, 0.0]
        self.weight = [0.0, 0.0, 0.0]

    def _factor(self, day: dt.date) -> float:
        if self.day is None:
            return 1.0
        if day < self.day:
            raise ValueError(f"days must come in order: {day} after {self.day}")
        return math.exp((self.day - day).days / TAU_DAYS)

    def absorb(self, row: Any) -> None:
        """Add a row of sums already weighted to its `anchor` day (timeline.buckets)."""
        factor = self._factor(row["anchor"])
        for i, suffix in enumerate(_SUFFIXES):
            self.total[i] = self.total[i] * factor + row["total" + suffix]
            self.weight[i] = self.weight[i] * factor + row["weight" + suffix]
        self.day = row["anchor"]

    def on(self, day: dt.date) -> list[tuple[float, float]]:
        """(index, W) of each stream on `day`, which must not precede the last anchor absorbed."""
        factor = self._factor(day)
        return [value(t * factor, w * factor) for t, w in zip(self.total, self.weight, strict=True)]


async def on_day(conn: Connection, pair: Pair, day: dt.date) -> RelationshipIndex:
    """The pair's index on `day`, from every counted event up to that day."""
    row = await conn.fetchrow(queries()["timeline.index_on"], pair.key, day, TAU_DAYS)
    assert row is not None  # an aggregate always answers
    values = {}
    for stream, suffix in zip(STREAMS, _SUFFIXES, strict=True):
        index, weight = value(row["total" + suffix], row["weight" + suffix])
        values[stream] = IndexValue(value=index, weight=weight, events=row["events" + suffix])
    return RelationshipIndex(
        as_of=day, method=METHOD, tau_days=TAU_DAYS, prior_weight=PRIOR_WEIGHT, a=pair.a, b=pair.b, **values
    )
