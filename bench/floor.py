"""The floor: the service's read queries behind a bare ASGI app, asyncpg and hand-written JSON.

    DATABASE_URL=postgresql://.../detente_bench_1m uvicorn bench.floor:create_app --factory

No framework, no validation, no alias resolution (pairs and ids arrive canonical), no Structs:
rows go straight to bytes, json/jsonb columns as PostgreSQL printed them. It runs the same named
statements (sql/queries) with the same session settings as the service, so the gap between the
two is what the service's own layers cost. Routes:

    GET /v1/deals?pair=CN-JP[&cursor=...]    deals.list, 50 rows and a next link
    GET /v1/events?pair=CN-JP[&cursor=...]   events.list, likewise
    GET /v1/events/{id}                      events.get
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import os
from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import parse_qs, quote

import asyncpg

from service.sql import queries

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]

LIMIT = 50
SECRET = b"floor-cursor"
# json and jsonb columns: asyncpg hands them over as the server's text, which is JSON already.
JSON_COLUMNS = frozenset({"participants", "parties", "sources", "quantities", "value"})
# The service's session settings (service.db.server_settings), so both get the same plans.
SERVER_SETTINGS = {
    "application_name": "detente-floor",
    "plan_cache_mode": "force_custom_plan",
    "jit": "off",
    "statement_timeout": "5000",
    "timezone": "UTC",
}
_dumps = json.JSONEncoder(ensure_ascii=False).encode


def _value(v: Any) -> str:
    t = type(v)
    if v is None:
        return "null"
    if t is str:
        return _dumps(v)
    if t is bool:
        return "true" if v else "false"
    if t is int or t is float:
        return repr(v)
    if t is dt.date:
        return f'"{v.isoformat()}"'
    if t is dt.datetime:
        return f'"{v.isoformat().replace("+00:00", "Z")}"'
    if t is list:
        return "[" + ",".join(_value(x) for x in v) + "]"
    return _dumps(str(v))


def encode_row(row: asyncpg.Record) -> str:
    parts = []
    for name, v in row.items():
        if name in JSON_COLUMNS and v is not None:
            parts.append(f'"{name}":{v}')
        else:
            parts.append(f'"{name}":{_value(v)}')
    return "{" + ",".join(parts) + "}"


def encode_cursor(key: Sequence[str]) -> str:
    """An HMAC-signed position (date, id), as the service signs its own."""
    payload = "\x1f".join(key).encode()
    mac = hmac.new(SECRET, payload, hashlib.sha256).digest()[:12]
    return base64.urlsafe_b64encode(payload + mac).rstrip(b"=").decode()


def decode_cursor(token: str) -> tuple[dt.date, str] | None:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except ValueError:
        return None
    payload, mac = raw[:-12], raw[-12:]
    if not hmac.compare_digest(mac, hmac.new(SECRET, payload, hashlib.sha256).digest()[:12]):
        return None
    day, _, item_id = payload.decode().partition("\x1f")
    return dt.date.fromisoformat(day), item_id


class Floor:
    def __init__(self, url: str, pool_size: int) -> None:
        self.url = url
        self.pool_size = pool_size
        self.pool: asyncpg.Pool | None = None
        q = queries()
        self.sql = {name: q[name] for name in ("deals.list", "events.list", "events.get")}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        path: str = scope["path"]
        query = parse_qs(scope["query_string"].decode())
        if path == "/v1/deals":
            status, body, headers = await self._list(scope, query, "deals.list", "signed_on")
        elif path == "/v1/events":
            status, body, headers = await self._list(scope, query, "events.list", "start_date")
        elif path.startswith("/v1/events/"):
            status, body, headers = await self._get(path.removeprefix("/v1/events/"))
        else:
            status, body, headers = 404, b'{"status":404}', []
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    *headers,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _list(
        self, scope: Scope, query: dict[str, list[str]], statement: str, date_column: str
    ) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        pair = query.get("pair", [None])[0]
        after: tuple[dt.date, str] | None = None
        if "cursor" in query:
            after = decode_cursor(query["cursor"][0])
            if after is None:
                return 400, b'{"status":400}', []
        day, item_id = after or (None, None)
        # The same 14 parameters the service passes: only pair and the keyset are set.
        args: list[Any] = [None, pair] + [None] * 9 + [day, item_id, LIMIT + 1]
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            rows = await conn.fetch(self.sql[statement], *args)
        items = rows[:LIMIT]
        link = "null"
        headers: list[tuple[bytes, bytes]] = []
        if len(rows) > LIMIT:
            last = items[-1]
            token = encode_cursor((last[date_column].isoformat(), last["id"]))
            host = next((v for k, v in scope["headers"] if k == b"host"), b"localhost").decode()
            url = f"http://{host}{scope['path']}?pair={quote(pair or '', safe='')}&cursor={token}"
            link = f'"{url}"'
            headers.append((b"link", f'<{url}>; rel="next"'.encode()))
        body = '{"items":[' + ",".join(encode_row(r) for r in items) + '],"next":' + link + "}"
        return 200, body.encode(), headers

    async def _get(self, item_id: str) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        assert self.pool is not None
        async with self.pool.acquire() as conn:
            row = await conn.fetchrow(self.sql["events.get"], item_id)
        if row is None:
            return 404, b'{"status":404}', []
        return 200, encode_row(row).encode(), []

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.pool = await asyncpg.create_pool(
                    self.url, min_size=2, max_size=self.pool_size, server_settings=SERVER_SETTINGS
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


def create_app() -> Floor:
    """The app for `uvicorn --factory`: DATABASE_URL, and POOL_MAX_SIZE as the service reads it."""
    return Floor(os.environ["DATABASE_URL"], int(os.environ.get("POOL_MAX_SIZE", "10")))
