"""What every handler needs besides its connection: the resolver, cursors and paging."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Generic, TypeVar

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency

from service.pagination import Cursors, Key, link_header, next_url
from service.resolve import CountryResolver
from service.settings import Settings

T = TypeVar("T")


class Page(Generic[T]):
    """One page of a list: its items, the next link (or None) and the headers carrying it."""

    def __init__(self, items: list[T], next_link: str | None) -> None:
        self.items = items
        self.next = next_link
        self.headers = link_header(next_link)


class Context:
    def __init__(self, settings: Settings, resolver: CountryResolver, cursors: Cursors) -> None:
        self.settings = settings
        self.resolver = resolver
        self.cursors = cursors

    def after(self, cursor: str | None, scope: str, filters: Mapping[str, Any]) -> Key | None:
        return self.cursors.decode(cursor, scope, filters)

    def page(
        self,
        request: Request[Any, Any, Any],
        rows: Sequence[T],
        limit: int,
        scope: str,
        filters: Mapping[str, Any],
        key: Callable[[T], Key],
    ) -> Page[T]:
        """Cut the extra row fetched to detect a next page, and link to it."""
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
