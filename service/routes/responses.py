"""The problem responses each operation declares in the OpenAPI document."""

from __future__ import annotations

from litestar import HttpMethod, Router
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.routes import HTTPRoute

from schemas.common import Problem
from service.errors import PROBLEM_JSON

_DESCRIPTIONS = {
    400: "Malformed request, such as a cursor issued for another query.",
    401: "No API key, or an unknown one; see `WWW-Authenticate`.",
    403: "The API key is revoked or lacks the scope this needs.",
    409: "Conflicts with stored data, e.g. deleting an item others still point at.",
    412: "`If-Match` names a revision the item is no longer at.",
    404: "No such item, or no such route.",
    422: "A parameter is invalid; `errors` names each one.",
    500: "Unexpected failure; the body carries no internals.",
    503: "The database cannot be reached; retry after `Retry-After` seconds.",
    504: "The database did not answer in time.",
}


def problems(*extra: int) -> dict[int, ResponseSpec]:
    """Problem responses every database-backed operation can give, plus `extra` ones."""
    statuses = sorted({400, 422, 500, 503, 504, *extra})
    return {
        status: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS[status],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for status in statuses
    }


# Route options read by the auth guard (service/auth.py): the key scope a handler needs.
READ = {"scope": "read"}
WRITE = {"scope": "write"}


def with_allow(router: Router) -> Router:
    """`router` with each path's automatic OPTIONS answer listing every method of the path.

    Litestar builds a path's OPTIONS handler when the path's first handler registers, and its
    `Allow` keeps only the methods known then (`GET, OPTIONS` on a path that also takes POST).
    Rebuilding each route from its finished handler list makes a fresh one from all of them.
    """
    for index, route in enumerate(router.routes):
        if isinstance(route, HTTPRoute):
            handlers = [h for h in route.route_handlers if not _automatic_options(h)]
            router.routes[index] = HTTPRoute(path=route.path, route_handlers=handlers)
    return router


def _automatic_options(handler: HTTPRouteHandler) -> bool:
    return handler.http_methods == {HttpMethod.OPTIONS} and not handler.include_in_schema
