"""HTTP caching on GET: strong ETags, 304 Not Modified, Cache-Control and Vary, around gzip."""

from __future__ import annotations

import hashlib
import re

from litestar.config.compression import CompressionConfig
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import DefineMiddleware
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import ASGIApp, HTTPResponseStartEvent, Message, Receive, Scope, Send

NO_STORE = "no-store"
# Liveness, readiness and metrics must always reach the process, never a cache.
NO_STORE_PATHS = frozenset({"/health", "/ready", "/metrics"})
# Below this a gzip stream saves little and costs a compressor; problem documents stay plain.
GZIP_MIN_BYTES = 1024
_TAG = re.compile(r'(?:W/)?"[^"]*"')
_WITHOUT_BODY = {b"content-length", b"content-type", b"content-encoding"}


def etag_for(body: bytes) -> str:
    """A strong validator: a digest of the representation's bytes before any content coding."""
    return f'"{hashlib.blake2b(body, digest_size=16).hexdigest()}"'


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def none_match(if_none_match: str | None, etag: str) -> bool:
    """False when If-None-Match names this ETag (weak comparison, RFC 9110 13.1.2) or is `*`."""
    if if_none_match is None:
        return True
    if if_none_match.strip() == "*":
        return False
    return _opaque(etag) not in {_opaque(t) for t in _TAG.findall(if_none_match)}


def _not_modified(start: HTTPResponseStartEvent) -> HTTPResponseStartEvent:
    """The 304 keeps the validators and caching headers of the 200 and drops the body's own."""
    headers = [(k, v) for k, v in start["headers"] if k.lower() not in _WITHOUT_BODY]
    return {"type": "http.response.start", "status": 304, "headers": headers}


def _with_accept_encoding(vary: str | None) -> str:
    """The Vary list with Accept-Encoding in it once, whatever the case of what was there."""
    fields: dict[str, str] = {}
    for name in [*(vary or "").split(","), "Accept-Encoding"]:
        if name.strip():
            fields.setdefault(name.strip().lower(), name.strip())
    return ", ".join(fields.values())


def _unhashed(headers: MutableScopeHeaders) -> bool:
    """Answers left without a digest: streams and answers that must not be stored."""
    # A stream has no length (NDJSON and CSV exports of any size): holding it back to hash it
    # would cost its whole size in memory; and what may not be stored needs no validator.
    return "content-length" not in headers or NO_STORE in headers.get("cache-control", "")


def _empty() -> Message:
    # A new message each time: middleware further out may rewrite the one it is handed.
    return {"type": "http.response.body", "body": b"", "more_body": False}


class Validators:
    """ETag on 200 GETs (the handler's own, else a digest of a sized body) and 304 on a match."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        if_none_match = Headers.from_scope(scope).get("if-none-match")
        start: HTTPResponseStartEvent | None = None
        mode = "pass"  # or "buffer" (hashing the body) or "drop" (a 304 has been sent)
        chunks: list[bytes] = []

        async def send_validated(message: Message) -> None:
            nonlocal start, mode
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders(message)
                if message["status"] != 200 or ("etag" not in headers and _unhashed(headers)):
                    await send(message)
                elif "etag" not in headers:
                    start, mode = message, "buffer"
                elif none_match(if_none_match, headers["etag"]):
                    await send(message)
                else:
                    mode = "drop"
                    await send(_not_modified(message))
                return
            if message["type"] != "http.response.body" or mode == "pass":
                await send(message)
                return
            if message.get("more_body", False):
                if mode == "buffer":
                    chunks.append(message["body"])
                return
            if mode == "drop":
                await send(_empty())
                return
            assert start is not None
            body = b"".join([*chunks, message["body"]])
            etag = etag_for(body)
            MutableScopeHeaders(start)["ETag"] = etag
            if none_match(if_none_match, etag):
                await send(start)
                await send({"type": "http.response.body", "body": body, "more_body": False})
            else:
                await send(_not_modified(start))
                await send(_empty())

        await self.app(scope, receive, send_validated)


class CachePolicy:
    """Cache-Control on GET answers that lack one (data, no-store probes and errors), and Vary."""

    def __init__(self, app: ASGIApp, max_age: int) -> None:
        self.app = app
        self.public = f"public, max-age={max_age}"
        self.private = f"private, max-age={max_age}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        # `public` would let a shared cache hand an answer fetched with an API key to anyone.
        keyed = "authorization" in Headers.from_scope(scope)
        fresh = NO_STORE if scope["path"] in NO_STORE_PATHS else self.private if keyed else self.public

        async def send_with_policy(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders(message)
                if "cache-control" not in headers:
                    headers["Cache-Control"] = fresh if message["status"] in (200, 304) else NO_STORE
                # Compressed or not, caches must keep the codings apart; gzip may have added it already.
                headers["Vary"] = _with_accept_encoding(headers.get("vary"))
            await send(message)

        await self.app(scope, receive, send_with_policy)


def middleware(max_age: int) -> list[DefineMiddleware]:
    """Outermost first: the policy sees the final headers, gzip compresses what the validators hashed."""
    gzip = CompressionConfig(backend="gzip", minimum_size=GZIP_MIN_BYTES, gzip_compress_level=6)
    return [
        DefineMiddleware(CachePolicy, max_age=max_age),
        DefineMiddleware(CompressionMiddleware, config=gzip),
        DefineMiddleware(Validators),
    ]
