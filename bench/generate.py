"""A deterministic synthetic world, as import-format NDJSON, for benchmarks.

Activity is skewed the way real event data is: country weights follow a Zipf law, so a few
pairs hold most events and deals. The same seed and size always give the same bytes.

    python -m bench.generate --events 1000000 --deals 200000 --out world.ndjson
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import msgspec
import pycountry

EVENT_TYPES = {
    "statement": 30, "visit": 12, "summit": 4, "negotiation": 6, "agreement_signed": 8, "trade_mission": 5,
    "economic_cooperation": 6, "opposition": 8, "protest": 3, "threat": 3, "postponement": 2,
    "cancellation": 1, "sanction": 4, "export_control": 2, "boycott": 1, "military_deployment": 2,
}  # fmt: skip
DEAL_KINDS = {"export_contract": 40, "mou": 25, "investment": 15, "joint_venture": 5, "trade_agreement": 3,
              "loan": 5, "procurement": 5, "licence": 2}  # fmt: skip
CURRENCIES = {"USD": 40, "EUR": 20, "JPY": 8, "KRW": 6, "CNY": 8, "GBP": 6, "INR": 4, "BRL": 3, "TWD": 1,
              "CHF": 2, "AUD": 2}  # fmt: skip
SECTORS = [
    "agriculture", "automotive", "consumer_goods", "content", "cosmetics", "culture", "defence", "diplomacy",
    "dual_use", "e_commerce", "energy", "finance", "food", "health", "manufacturing", "minerals", "mobility",
    "robotics", "semiconductors", "technology", "tourism", "trade",
]  # fmt: skip
ACTOR_KINDS = ["person", "company", "government_body", "business_association", "province", "organisation"]
PUBLISHERS = ["Wire Service A", "Daily Herald", "Economic Times", "Global Monitor", "Regional Post"]
STATUSES = ["hostile", "frozen", "strained", "normal", "cordial", "close"]
TRENDS = ["deteriorating", "steady", "improving"]
START = dt.date(2000, 1, 1)
DAYS = (dt.date(2026, 6, 30) - START).days


class World:
    """Draws records from one random stream, so output depends only on seed and sizes."""

    def __init__(self, seed: int, countries: int) -> None:
        self.rng = random.Random(seed)
        codes = sorted(c.alpha_2 for c in pycountry.countries)
        self.rng.shuffle(codes)
        self.countries = codes[:countries]
        # Zipf weights: the k-th country is 1/k as active as the first.
        self.weights = [1 / (k + 1) for k in range(len(self.countries))]

    def pick(self, table: dict[str, int]) -> str:
        return self.rng.choices(list(table), weights=list(table.values()))[0]

    def pair(self) -> tuple[str, str]:
        a, b = self.rng.choices(self.countries, weights=self.weights, k=2)
        while a == b:
            b = self.rng.choices(self.countries, weights=self.weights)[0]
        return a, b

    def day(self) -> dt.date:
        # Skewed towards recent years, as coverage is.
        return START + dt.timedelta(days=int(DAYS * self.rng.random() ** 0.5))

    def citations(self, sources: int) -> list[dict[str, Any]]:
        chosen = {self.rng.randrange(sources) for _ in range(self.rng.choice((1, 1, 2)))}
        return [{"source_id": f"src-gen-{n:07d}", "attribution": None} for n in sorted(chosen)]


def sources(w: World, n: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        yield {"collection": "sources", "id": f"src-gen-{i:07d}", "title": f"Report {i}",
               "publisher": w.rng.choice(PUBLISHERS), "published_on": w.day().isoformat(),
               "url": f"https://news.example/{i}"}  # fmt: skip


def actors(w: World, n: int, n_sources: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        country = w.rng.choices(w.countries, weights=w.weights)[0]
        yield {"collection": "actors", "id": f"actor-gen-{i:07d}", "kind": w.rng.choice(ACTOR_KINDS),
               "name": f"Actor {i}", "country": country, "sources": w.citations(n_sources)}  # fmt: skip


def events(w: World, n: int, n_actors: int, n_sources: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        a, b = w.pair()
        participants: list[dict[str, Any]] = [
            {"role": "initiator", "country": a},
            {"role": "target", "country": b},
        ]
        if n_actors and w.rng.random() < 0.3:
            participants.append(
                {"role": "participant", "actor_id": f"actor-gen-{w.rng.randrange(n_actors):07d}"}
            )
        yield {"collection": "events", "id": f"ev-gen-{i:08d}", "type": w.pick(EVENT_TYPES),
               "title": f"Event {i} between {a} and {b}", "start_date": w.day().isoformat(),
               "sectors": w.rng.sample(SECTORS, w.rng.choice((0, 1, 1, 2))), "participants": participants,
               "sources": w.citations(n_sources)}  # fmt: skip


def deals(w: World, n: int, n_sources: int) -> Iterator[dict[str, Any]]:
    for i in range(n):
        a, b = w.pair()
        record: dict[str, Any] = {
            "collection": "deals", "id": f"deal-gen-{i:08d}", "kind": w.pick(DEAL_KINDS),
            "title": f"Deal {i} between {a} and {b}", "signed_on": w.day().isoformat(),
            "parties": [{"role": "exporter", "country": a}, {"role": "importer", "country": b}],
            "sectors": w.rng.sample(SECTORS, w.rng.choice((1, 1, 2))), "sources": w.citations(n_sources),
        }  # fmt: skip
        if w.rng.random() < 0.8:
            currency = w.pick(CURRENCIES)
            amount = round(10 ** w.rng.uniform(4, 10), 2)
            basis = w.rng.choice(("actual_total", "actual_total", "target", "estimate"))
            record["value"] = {"amount": f"{amount:.2f}", "currency": currency, "basis": basis}
        yield record


def periods(w: World, pairs: int, n_sources: int) -> Iterator[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    while len(seen) < pairs:
        a, b = sorted(w.pair())
        if (a, b) in seen:
            continue
        seen.add((a, b))
        day = START
        for k in range(w.rng.randint(2, 6)):
            last = k == 5 or w.rng.random() < 0.3
            end = None if last else day + dt.timedelta(days=w.rng.randint(200, 1500))
            if end is not None and end >= dt.date(2026, 1, 1):
                end = None
            yield {"collection": "relationship-periods", "id": f"rel-gen-{a}-{b}-{day.isoformat()}".lower(),
                   "country_a": a, "country_b": b, "valid_from": day.isoformat(),
                   "valid_to": end and end.isoformat(), "status": w.rng.choice(STATUSES),
                   "trend": w.rng.choice(TRENDS), "summary": f"Period {k} of {a}-{b}",
                   "sources": w.citations(n_sources)}  # fmt: skip
            if end is None:
                break
            day = end


def write(out: IO[bytes], seed: int, n_events: int, n_deals: int, n_periods: int, countries: int) -> int:
    """Write the world in dependency order; returns the number of records."""
    w = World(seed, countries)
    n_sources = max(50, (n_events + n_deals) // 1000)
    n_actors = max(20, n_events // 200)
    encoder = msgspec.json.Encoder()
    count = 0
    streams = (
        sources(w, n_sources),
        actors(w, n_actors, n_sources),
        events(w, n_events, n_actors, n_sources),
        deals(w, n_deals, n_sources),
        periods(w, n_periods, n_sources),
    )
    for stream in streams:
        for record in stream:
            out.write(encoder.encode(record) + b"\n")
            count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--deals", type=int, default=2_000)
    parser.add_argument("--periods", type=int, default=50, help="pairs that get a status history")
    parser.add_argument("--countries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="file to write (default stdout)")
    args = parser.parse_args(argv)
    with args.out.open("wb") if args.out else sys.stdout.buffer as out:
        count = write(out, args.seed, args.events, args.deals, args.periods, args.countries)
    print(f"wrote {count} records", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
