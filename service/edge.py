"""The outermost layer: request ids, HEAD answered as GET, one access log line per request, CORS."""

from __future__ import annotations

import logging
import re
import time
import uuid

from litestar.config.cors import CORSConfig
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from service import logs
from service.settings import Settings

REQUEST_ID = "X-Request-ID"
# A client's id is kept when it is a short token that is safe to echo and to log.
_SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,127}", re.ASCII)
# Probes and scrapes would drown the access log at INFO; they are logged at DEBUG.
_PROBES = frozenset({"/health", "/ready", "/metrics"})

access_log = logging.getLogger("detente.access")


def request_id_of(scope: Scope) -> str:
    """The client's X-Request-ID when it is sane, otherwise a new random one."""
    given = Headers.from_scope(scope).get(REQUEST_ID)
    if given and _SANE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


class Edge:
    """Wraps the whole app, routing included, so that 404s and 405s get the same treatment."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        rid = request_id_of(scope)
        method = scope["method"]
        head = method == "HEAD"
        # Litestar answers HEAD on a GET route with 405; run the GET and drop its body instead.
        # A copy, because the server reads the original scope to know no body must follow.
        inner = scope
        if head:
            inner = scope.copy()
            inner["method"] = "GET"
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders(message)[REQUEST_ID] = rid
            elif message["type"] == "http.response.body" and head:
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        token = logs.request_id.set(rid)
        try:
            await self.app(inner, receive, send_with_id)
        finally:
            path = scope["path"]
            access_log.log(
                logging.DEBUG if path in _PROBES else logging.INFO,
                "request",
                extra={
                    "request_id": rid,
                    "method": method,
                    "route": inner.get("path_template"),
                    "path": path,
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                },
            )
            logs.request_id.reset(token)


def cors_config(settings: Settings) -> CORSConfig | None:
    """CORS for the origins in CORS_ALLOW_ORIGINS (comma-separated, `*` for any); none when unset."""
    origins = [o.strip() for o in (settings.cors_allow_origins or "").split(",") if o.strip()]
    if not origins:
        return None
    return CORSConfig(
        allow_origins=origins,
        # Without these, browser code could not read the pagination link, validators or request id.
        expose_headers=["ETag", "Link", "Retry-After", REQUEST_ID],
        max_age=600,
    )
