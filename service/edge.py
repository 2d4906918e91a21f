"""The outermost layer: request ids, HEAD answered as GET, access log, CORS, proxies and allowed hosts."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any, cast

from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.cors import CORSConfig
from litestar.datastructures import Headers, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.middleware.allowed_hosts import AllowedHostsMiddleware
from litestar.status_codes import HTTP_400_BAD_REQUEST
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from service import logs
from service.settings import Settings, split_list

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
    origins = split_list(settings.cors_allow_origins)
    if not origins:
        return None
    return CORSConfig(
        allow_origins=origins,
        # Without these, browser code could not read the pagination link, validators or request id.
        expose_headers=[
            "ETag",
            "Link",
            "Retry-After",
            REQUEST_ID,
            "Detente-Country-Read-As",
            "RateLimit-Limit",
            "RateLimit-Remaining",
            "RateLimit-Reset",
            "RateLimit-Policy",
        ],
        max_age=600,
    )


def behind_proxies(app: ASGIApp, settings: Settings) -> ASGIApp:
    """The client a TRUSTED_PROXIES peer forwarded (X-Forwarded-For, -Proto) becomes the request's client.

    Unset, the socket peer is the client whatever the headers say, so no one can pick their identity.
    """
    trusted = split_list(settings.trusted_proxies)
    if not trusted:
        return app
    # uvicorn's middleware: walks X-Forwarded-For from the right, past trusted hops (addresses or CIDRs).
    return cast(ASGIApp, ProxyHeadersMiddleware(cast("Any", app), trusted_hosts=trusted))


def _hostname(host: str) -> str:
    """The Host header without its port (`[::1]:8000` → `[::1]`, `api.example:8000` → `api.example`)."""
    if host.startswith("["):
        return host[: host.find("]") + 1] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class AllowedHosts(AllowedHostsMiddleware):
    """Litestar's host check, answering with our problem document (not its bare JSON), any port."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        pattern = self.allowed_hosts_regex
        if pattern is not None and not pattern.fullmatch(
            _hostname(Headers.from_scope(scope).get("host", ""))
        ):
            raise HTTPException(
                status_code=HTTP_400_BAD_REQUEST, detail="the Host header names a host not served here"
            )
        await self.app(scope, receive, send)


def allowed_hosts(settings: Settings) -> list[DefineMiddleware]:
    """The host check for ALLOWED_HOSTS (comma-separated, `*.example.org` for subdomains); none when unset."""
    hosts = split_list(settings.allowed_hosts)
    if not hosts:
        return []
    return [
        DefineMiddleware(AllowedHosts, config=AllowedHostsConfig(allowed_hosts=hosts, www_redirect=False))
    ]
