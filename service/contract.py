"""What the OpenAPI document adds to the handlers' own declarations: the edge's problems, closed bodies.

Handlers declare the problems they raise (service/routes/responses.py). The limits in front of
them (body size, rate limits, the host check, read keys) depend on settings, so their problem
responses are added here, when the document is rendered for those settings.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import msgspec

from service.errors import PROBLEM_JSON
from service.settings import Settings, split_list
from service.throttle import EXEMPT, READS, WRITES

Document = dict[str, Any]

_PROBLEM = {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}
_SECONDS = {"schema": {"type": "integer", "minimum": 0}}
_RETRY_AFTER = {"description": "Seconds to wait before retrying.", **_SECONDS}
_RATE_HEADERS = {
    "RateLimit-Limit": {"description": "Requests allowed per window.", **_SECONDS},
    "RateLimit-Remaining": {"description": "Requests left in this window.", **_SECONDS},
    "RateLimit-Reset": {"description": "Seconds until the window resets.", **_SECONDS},
}
_RESPONSES: dict[int, Document] = {
    400: {"description": "Malformed request: a foreign cursor, JSON nested too deeply, another Host."},
    401: {"description": "No API key, or an unknown one; see `WWW-Authenticate`."},
    403: {"description": "The API key is revoked or lacks the scope this needs."},
    413: {"description": "The body is larger than this operation accepts."},
    429: {
        "description": "Too many requests from this client; retry after `Retry-After` seconds.",
        "headers": {"Retry-After": _RETRY_AFTER, **_RATE_HEADERS},
    },
}
_BODY_METHODS = frozenset({"post", "put", "patch"})
_NOT_LIMITED = {pattern.strip("^$") for pattern in EXEMPT}


def _operations(schema: Document) -> Iterator[tuple[str, str, Document]]:
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield path, method, operation


def _declare(operation: Document, *statuses: int) -> None:
    responses = operation["responses"]
    for status in statuses:
        if str(status) not in responses:
            responses[str(status)] = {**_RESPONSES[status], "content": _PROBLEM}
    # Keep the status codes in order, as the handlers' own declarations are.
    operation["responses"] = dict(sorted(responses.items()))


def edge_problems(schema: Document, settings: Settings) -> Document:
    """Declare 413, 429, 400 and 401/403 where the limits in front of the handlers can give them."""
    for path, method, operation in _operations(schema):
        verb = method.upper()
        if verb in WRITES and method in _BODY_METHODS:
            _declare(operation, 400, 413)
        limit = settings.rate_limit_writes if verb in WRITES else settings.rate_limit_reads
        if limit > 0 and (verb in WRITES or verb in READS) and path not in _NOT_LIMITED:
            _declare(operation, 429)
        if settings.allowed_hosts and split_list(settings.allowed_hosts) != ["*"]:
            _declare(operation, 400)
        if settings.require_read_key and verb in READS and path.startswith("/v1/"):
            _declare(operation, 401, 403)
        unavailable = operation["responses"].get("503")
        if unavailable is not None and PROBLEM_JSON in unavailable.get("content", {}):
            unavailable.setdefault("headers", {})["Retry-After"] = _RETRY_AFTER
    return schema


def closed_structs() -> dict[str, type[msgspec.Struct]]:
    """The wire Structs (schemas package) that refuse unknown fields, by their component name."""
    found: dict[str, type[msgspec.Struct]] = {}
    pending: list[type[msgspec.Struct]] = [msgspec.Struct]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith("schemas.") and cls.__struct_config__.forbid_unknown_fields:
            found[cls.__name__] = cls
    return found


def closed_bodies(schema: Document) -> Document:
    """`additionalProperties: false` on the schema of every Struct with forbid_unknown_fields."""
    components = schema.get("components", {}).get("schemas", {})
    for name in closed_structs():
        component = components.get(name)
        if component is not None and component.get("type") == "object":
            component["additionalProperties"] = False
    return schema


def finisher(settings: Settings) -> Callable[[Document], Document]:
    """The post-processing step for StreamingOpenAPIConfig, for these settings."""

    def finish(schema: Document) -> Document:
        return closed_bodies(edge_problems(schema, settings))

    return finish
