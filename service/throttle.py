"""Rate limits per client, stricter for writes, in a store several instances can share."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request
from litestar.exceptions import TooManyRequestsException
from litestar.middleware import DefineMiddleware
from litestar.middleware.rate_limit import CacheObject, RateLimitConfig, RateLimitMiddleware
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore
from litestar.types import Receive, Scope, Send
from redis.exceptions import RedisError

from service.settings import Settings

log = logging.getLogger(__name__)

READS = frozenset({"GET", "HEAD"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Probes and scrapes must always reach the process, whoever sends them.
EXEMPT = ["^/health$", "^/ready$", "^/metrics$"]
READ_STORE = "rate_limit_reads"
WRITE_STORE = "rate_limit_writes"


class Limiter(RateLimitMiddleware):
    """Litestar's limiter, plus `Retry-After` on a 429, and open (with a warning) when the store fails."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except TooManyRequestsException as exc:
            # RateLimit-Reset is the seconds left in the window: exactly when a retry can succeed.
            headers = exc.headers or {}
            reset = headers.get(self.config.rate_limit_reset_header_key, "1")
            exc.headers = {**headers, "Retry-After": str(max(1, int(reset)))}
            raise

    async def retrieve_cached_history(self, key: str, store: Store) -> CacheObject:
        try:
            return await super().retrieve_cached_history(key, store)
        except (RedisError, OSError) as exc:
            # A shared store that is down must not take the API down with it.
            log.warning("rate limit store unavailable, not limiting: %s", type(exc).__name__)
            return CacheObject(history=[], reset=0)

    async def set_cached_history(self, key: str, cache_object: CacheObject, store: Store) -> None:
        try:
            await super().set_cached_history(key, cache_object, store)
        except (RedisError, OSError) as exc:
            log.warning("rate limit store unavailable, not counting: %s", type(exc).__name__)


def client_of(request: Request[Any, Any, Any]) -> str:
    """The socket peer; behind a TRUSTED_PROXIES proxy, the client it forwarded (see edge.Proxies)."""
    return request.client.host if request.client else "unknown"


def _is_read(request: Request[Any, Any, Any]) -> bool:
    return request.method in READS


def _is_write(request: Request[Any, Any, Any]) -> bool:
    return request.method in WRITES


def stores(settings: Settings) -> dict[str, Store]:
    """Counters in Redis when REDIS_URL is set, so every instance spends one budget; else in memory."""
    if settings.redis_url:
        root = RedisStore.with_client(url=settings.redis_url, namespace="detente:rate")
        return {READ_STORE: root.with_namespace("reads"), WRITE_STORE: root.with_namespace("writes")}
    return {READ_STORE: MemoryStore(), WRITE_STORE: MemoryStore()}


def middleware(settings: Settings) -> list[DefineMiddleware]:
    """A limiter for reads and one for writes, each per client per minute; a limit of 0 turns one off."""
    found = []
    for limit, store, check in (
        (settings.rate_limit_reads, READ_STORE, _is_read),
        (settings.rate_limit_writes, WRITE_STORE, _is_write),
    ):
        if limit > 0:
            config = RateLimitConfig(
                rate_limit=("minute", limit),
                exclude=EXEMPT,
                identifier_for_request=client_of,
                check_throttle_handler=check,
                middleware_class=Limiter,
                store=store,
            )
            found.append(config.middleware)
    return found
