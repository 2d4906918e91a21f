"""What every handler needs besides its connection: the resolver, cursors and paging."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from litestar import Request, Response
from litestar.datastructures import State
from litestar.di import NamedDependency

from service.pagination import Cursors, Key, link_header, next_url
from service.resolve import CountryResolver
from service.settings import Settings

T = TypeVar("T")


P = TypeVar("P")
# Fetches up to `limit` rows after a keyset position (None: from the start).
Fetch = Callable[[Key | None, int], Awaitable[Sequence[T]]]


class Page(Generic[T]):
    """One page of a list: its items, the next link (or None) and the headers carrying it."""

    def __init__(self, items: list[T], next_link: str | None) -> None:
        self.items = items
        self.next = next_link
        self.headers = link_header(next_link)

    def response(self, shape: Callable[..., P], **extra: Any) -> Response[P]:
        """The page as its wire Struct (`items`, `next`, any extra fields) with the Link header."""
        return Response(shape(items=self.items, next=self.next, **extra), headers=self.headers)


class Context:
    def __init__(self, settings: Settings, resolver: CountryResolver, cursors: Cursors) -> None:
        self.settings = settings
        self.resolver = resolver
        self.cursors = cursors

    async def page(
        self,
        request: Request[Any, Any, Any],
        scope: str,
        filters: Mapping[str, Any],
        cursor: str | None,
        limit: int,
        fetch: Fetch[T],
        key: Callable[[T], Key],
    ) -> Page[T]:
        """Fetch one row more than asked to learn whether a next page exists, and link to it."""
        rows = await fetch(self.cursors.decode(cursor, scope, filters), limit + 1)
        items = list(rows[:limit])
        if len(rows) <= limit or not items:
            return Page(items, None)
        token = self.cursors.encode(scope, filters, key(items[-1]))
        return Page(items, next_url(request, token, self.settings.public_base_url))


def provide_context(state: State) -> Context:
    context: Context = state.context
    return context


# A handler parameter named `ctx` of this type receives the Context.
Ctx = NamedDependency[Context]
