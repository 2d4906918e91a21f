"""GDELT event files read as events between two countries, through the one write path.

GDELT 2.0 exports have 61 tab-separated columns; GDELT 1.0 daily files 58 (57 before SOURCEURL
was added). The layout is told apart line by line. A row becomes an event when its two actors
belong to two different countries: Actor1 is the initiator, Actor2 the target. Other rows are
skipped and counted; malformed ones are reported with their line number and never stop the load.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator
from typing import IO
from urllib.parse import urlsplit

import msgspec

from schemas.imports import ImportReport, LineError
from service import importer
from service.db import Connection
from service.sql import queries
from service.staging import Batch, array_literal, blank


class Layout(msgspec.Struct, frozen=True):
    """Where the fields this reader takes sit in one version's row."""

    version: str
    geo_type: int
    geo_name: int
    geo_country: int
    geo_lat: int
    geo_lon: int
    date_added: int
    url: int | None


# Columns 0-34 are the same in every version; the geography blocks differ (2.0 added ADM2 codes).
LAYOUTS = {
    61: Layout("2.0", 51, 52, 53, 56, 57, 59, 60),
    58: Layout("1.0", 49, 50, 51, 53, 54, 56, 57),
    57: Layout("1.0", 49, 50, 51, 53, 54, 56, None),
}
EVENT_ID, SQLDATE, ACTOR1_NAME, ACTOR1_COUNTRY, ACTOR2_NAME, ACTOR2_COUNTRY = 0, 1, 6, 7, 16, 17
EVENT_CODE, NUM_MENTIONS, NUM_SOURCES, NUM_ARTICLES, AVG_TONE = 26, 31, 32, 33, 34
# Codes with a curated type of their own; every other code takes its root's type.
SPECIFIC_TYPES = {
    "010": "statement", "042": "visit", "043": "visit", "046": "negotiation", "057": "agreement_signed",
    "061": "economic_cooperation", "111": "opposition", "141": "protest", "154": "military_deployment",
    "163": "sanction",
}  # fmt: skip
ROOT_TYPES = {
    "01": "statement", "02": "appeal", "03": "intent_to_cooperate", "04": "consultation",
    "05": "diplomatic_cooperation", "06": "material_cooperation", "07": "aid", "08": "concession",
    "09": "investigation", "10": "demand", "11": "disapproval", "12": "rejection", "13": "threat",
    "14": "protest", "15": "force_posture", "16": "reduced_relations", "17": "coercion", "18": "assault",
    "19": "fighting", "20": "mass_violence",
}  # fmt: skip


class Bad(Exception):
    """A malformed row, and what is wrong with it."""


class Codebook(msgspec.Struct, frozen=True):
    """The reference data a row is read against, loaded once per import."""

    cameo_labels: dict[str, str]
    actor_countries: dict[str, str]  # CAMEO actor country code -> ISO alpha-2
    geo_countries: dict[str, str]  # FIPS 10-4 -> ISO alpha-2
    country_names: dict[str, str]

    @classmethod
    async def load(cls, conn: Connection) -> Codebook:
        q = queries()
        actor: dict[str, str] = {}
        geo: dict[str, str] = {}
        for r in await conn.fetch(q["gdelt.country_codes"]):
            (geo if r["scheme"] == "fips" else actor)[r["code"]] = r["alpha2"]
        return cls(
            cameo_labels={r["code"]: r["label"] for r in await conn.fetch(q["gdelt.cameo_codes"])},
            actor_countries=actor,
            geo_countries=geo,
            country_names={r["code"]: r["name"] for r in await conn.fetch(q["gdelt.country_names"])},
        )


def event_type(code: str) -> str:
    return SPECIFIC_TYPES.get(code) or ROOT_TYPES[code[:2]]


def _int(cols: list[str], i: int, name: str) -> int:
    try:
        value = int(cols[i])
    except ValueError:
        raise Bad(f"{name}: {cols[i]!r} is not a whole number") from None
    if value < 0:
        raise Bad(f"{name}: must not be negative")
    return value


def _float(text: str, name: str, low: float, high: float) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise Bad(f"{name}: {text!r} is not a number") from None
    if not low <= value <= high:
        raise Bad(f"{name}: {text} is outside {low:g}..{high:g}")
    return value


def _date(text: str, name: str) -> dt.date:
    if len(text) < 8 or not text[:8].isdigit():
        raise Bad(f"{name}: {text!r} is not a YYYYMMDD date")
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        raise Bad(f"{name}: {text!r} is not a valid date") from None


def _source(url: str | None, added: dt.date) -> tuple[str, tuple[object, ...]]:
    """The source a row cites: its article, or (1.0 rows without one) the day's GDELT file."""
    if url and url.startswith(("http://", "https://")) and len(url) <= 2000:
        source_id = "url-" + hashlib.blake2b(url.encode(), digest_size=10).hexdigest()
        host = urlsplit(url).hostname or "unknown"
        note = "Cited by GDELT event records."
        return source_id, (0, source_id, url, url[:300], host, None, added, "en", [], note)
    day = added.strftime("%Y%m%d")
    source_id = f"gdelt-1-{day}"
    url = f"http://data.gdeltproject.org/events/{day}.export.CSV.zip"
    title = f"GDELT 1.0 events file of {added.isoformat()}"
    return source_id, (0, source_id, url, title, "The GDELT Project", None, added, "en", [], None)


class Reader:
    """Turns GDELT rows into staged events, members, citations and sources."""

    def __init__(self, book: Codebook) -> None:
        self.book = book
        self.batch = Batch(resolver=None)
        self.sources: set[str] = set()
        self.skipped = 0

    def add(self, line: int, raw: bytes) -> None:
        cols = raw.decode("utf-8", "replace").rstrip("\r\n").split("\t")
        layout = LAYOUTS.get(len(cols))
        if layout is None:
            raise Bad(f"expected 57, 58 or 61 tab-separated columns, found {len(cols)}")
        gdelt_id = cols[EVENT_ID]
        if not gdelt_id.isdigit():
            raise Bad(f"GLOBALEVENTID: {gdelt_id!r} is not a number")
        code = cols[EVENT_CODE]
        label = self.book.cameo_labels.get(code)
        if label is None:
            raise Bad(f"EventCode: {code!r} is not a CAMEO event code")
        day = _date(cols[SQLDATE], "SQLDATE")
        initiator = self.book.actor_countries.get(cols[ACTOR1_COUNTRY])
        target = self.book.actor_countries.get(cols[ACTOR2_COUNTRY])
        coverage = (
            _int(cols, NUM_MENTIONS, "NumMentions"),
            _int(cols, NUM_SOURCES, "NumSources"),
            _int(cols, NUM_ARTICLES, "NumArticles"),
            _float(cols[AVG_TONE], "AvgTone", -100, 100),
        )
        if coverage[3] is None:
            raise Bad("AvgTone: missing")
        lat = _float(cols[layout.geo_lat], "ActionGeo_Lat", -90, 90)
        lon = _float(cols[layout.geo_lon], "ActionGeo_Long", -180, 180)
        added = _date(cols[layout.date_added], "DATEADDED")
        if initiator is None or target is None or initiator == target:
            self.skipped += 1
            return
        event_id = f"gdelt-{gdelt_id}"
        key = ("events", event_id)
        if key in self.batch.ids:
            raise Bad(f"GLOBALEVENTID: {gdelt_id} was already given on line {self.batch.ids[key]}")
        source_id, source_row = _source(cols[layout.url] if layout.url is not None else None, added)
        names = (cols[ACTOR1_NAME] or self.book.country_names[initiator],
                 cols[ACTOR2_NAME] or self.book.country_names[target])  # fmt: skip
        title = f"{names[0]} → {names[1]}: {label}"[:300]
        place = cols[layout.geo_name][:300] or None
        rows = self.batch.rows
        located = lat is not None and lon is not None
        a, b = sorted((initiator, target))
        rows["stage_events"].append((
            line, event_id, event_type(code), code, title, "", "occurred", day, "day", None, None, False,
            None, place, self.book.geo_countries.get(cols[layout.geo_country]), None, None, "{}", "[]",
            f'{{"gdelt": "{gdelt_id}"}}', *coverage, lat if located else None, lon if located else None,
            array_literal([a, b]), array_literal([f"{a}-{b}"]), array_literal([initiator]),
            array_literal([target]), "{}",
        ))  # fmt: skip
        rows["stage_members"].append((line, "events", event_id, 0, "initiator", initiator, None))
        rows["stage_members"].append((line, "events", event_id, 1, "target", target, None))
        rows["stage_citations"].append((line, "events", event_id, 0, source_id, None))
        if source_id not in self.sources:
            self.sources.add(source_id)
            rows["stage_sources"].append(source_row)
        self.batch.take(key, line)


def lines_of(stream: IO[bytes], name: str) -> Iterator[bytes]:
    """The rows of a plain or zipped (GDELT's own packaging) file."""
    if name.lower().endswith(".zip") or zipfile.is_zipfile(stream):
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            for member in archive.namelist():
                with archive.open(member) as inner:
                    yield from inner
        return
    stream.seek(0)
    yield from stream


def lines_of_bytes(body: bytes) -> Iterator[bytes]:
    if body[:4] == b"PK\x03\x04":
        yield from lines_of(io.BytesIO(body), "body.zip")
    else:
        yield from body.splitlines()


async def apply(
    conn: Connection, rows: Iterable[bytes], key_name: str, statement_timeout_ms: int | None = None
) -> ImportReport:
    """Import GDELT rows in the caller's transaction; refused rows are listed, the rest written."""
    load = importer.Load(conn, key_name, statement_timeout_ms)
    reader = Reader(await Codebook.load(conn))
    numbered = enumerate(rows, start=1)

    def stage() -> importer.Staged:
        # A row refers to nothing a later row brings (a cited source is staged with its first
        # citing row), so every refusal is final.
        reader.batch = batch = Batch(resolver=None, ids=load.ids)
        batch.byproducts.add("sources")
        taken, last = load.next_items(numbered)
        for number, raw in taken:
            if blank(raw):
                continue
            load.lines += 1
            try:
                reader.add(number, raw)
            except Bad as exc:
                load.errors.append(LineError(line=number, id=_guess_id(raw), reason=str(exc)))
        return importer.Staged(batch, None, last)

    await load.run(stage)
    return load.report(skipped=reader.skipped)


def _guess_id(raw: bytes) -> str | None:
    first = raw.split(b"\t", 1)[0]
    return f"gdelt-{first.decode()}" if first.isdigit() else None
