"""What every handler needs besides its connection: the resolver, cursors and paging."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar, cast

from litestar import Request, Response
from litestar.datastructures import State
from litestar.di import NamedDependency

from service import streams
from service.db import Connection, request_pool
from service.errors import DatabaseUnavailable
from service.pagination import Cursors, Key, link_header, next_url
from service.resolve import CountryResolver
from service.settings import Settings
from service.streams import Fetch

T = TypeVar("T")
P = TypeVar("P")

__all__ = ["Context", "Ctx", "Fetch", "Page", "provide_context"]


class Page(Generic[T]):
    """One page of a list: its items, the next link (or None) and its headers; or a whole-list stream."""

    def __init__(self, items: list[T], next_link: str | None, feed: streams.Feed[T] | None = None) -> None:
        self.items = items
        self.next = next_link
        # Vary: the same URL also answers NDJSON and CSV (see `streams`), chosen by Accept.
        self.headers = {**link_header(next_link), "Vary": "Accept"}
        self.feed = feed

    def response(self, shape: Callable[..., P], **extra: Any) -> Response[P]:
        """The page as its wire Struct with the Link header, or the whole list streamed as NDJSON or CSV."""
        if self.feed is not None:
            # Litestar sends any Response as it is; handlers keep annotating the JSON page for OpenAPI.
            return cast("Response[P]", self.feed.response(cast(type, shape)))
        return Response(shape(items=self.items, next=self.next, **extra), headers=self.headers)


class Context:
    def __init__(self, settings: Settings, resolver: CountryResolver, cursors: Cursors) -> None:
        self.settings = settings
        self.resolver = resolver
        self.cursors = cursors

    async def page(
        self,
        request: Request[Any, Any, Any],
        conn: Connection,
        scope: str,
        filters: Mapping[str, Any],
        cursor: str | None,
        limit: int,
        fetch: Fetch[T],
        key: Callable[[T], Key],
    ) -> Page[T]:
        """One page, fetching a row more than asked to learn whether another follows; or a stream."""
        media_type = streams.wanted(request)
        if media_type is not None:
            # A stream is the whole list: it starts at the first row and has no page limit. The
            # first page is read here, on the request's connection, so errors still get a problem.
            first = list(await fetch(conn, None, streams.PAGE_ROWS))
            pool = request_pool(request)
            feed = streams.Feed(media_type, pool, self.settings.acquire_timeout, fetch, key, first)
            return Page(first, None, feed)
        rows = await fetch(conn, self.cursors.decode(cursor, scope, filters), limit + 1)
        items = list(rows[:limit])
        if len(rows) <= limit or not items:
            return Page(items, None)
        token = self.cursors.encode(scope, filters, key(items[-1]))
        return Page(items, next_url(request, token, self.settings.public_base_url))


def provide_context(state: State) -> Context:
    context: Context | None = state.context
    if context is None:  # the resolver is loaded from the database, which is not reached yet
        raise DatabaseUnavailable()
    return context


# A handler parameter named `ctx` of this type receives the Context.
Ctx = NamedDependency[Context]
