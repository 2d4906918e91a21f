"""Every failure leaves as an RFC 9457 problem document; nothing internal reaches the client."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from typing import Any

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import ParameterKwarg
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_409_CONFLICT,
    HTTP_412_PRECONDITION_FAILED,
    HTTP_422_UNPROCESSABLE_ENTITY,
    HTTP_500_INTERNAL_SERVER_ERROR,
    HTTP_503_SERVICE_UNAVAILABLE,
    HTTP_504_GATEWAY_TIMEOUT,
)

from schemas.common import Problem, ProblemError

log = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"
_UNKNOWN_FIELD = re.compile(r"unknown field `([^`]+)`")
_FIELD_FIRST = re.compile(r"^([a-z_][a-z0-9_.\[\]]*): ")
RETRY_AFTER_SECONDS = "2"


class ApiError(Exception):
    """A domain failure that knows its status and what to tell the client."""

    status = HTTP_400_BAD_REQUEST
    title = "Bad request"
    headers: dict[str, str] | None = None

    def __init__(self, detail: str, errors: Sequence[ProblemError] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors else None


class DatabaseUnavailable(ApiError):
    """No connection to the database yet, or any more; the service keeps trying on its own."""

    status = HTTP_503_SERVICE_UNAVAILABLE
    title = "Service unavailable"

    def __init__(self) -> None:
        super().__init__("the database cannot be reached; retry shortly")
        self.headers = {"Retry-After": RETRY_AFTER_SECONDS}


class NotFound(ApiError):
    status = HTTP_404_NOT_FOUND
    title = "Not found"

    def __init__(self, resource: str, id_: str) -> None:
        super().__init__(f"no {resource} with id {id_!r}")


class InvalidParameter(ApiError):
    """A parameter parsed but names nothing we know, or contradicts another one."""

    status = HTTP_422_UNPROCESSABLE_ENTITY
    title = "Invalid parameter"

    def __init__(
        self, name: str, message: str, *, location: str = "query", suggestions: list[str] | None = None
    ) -> None:
        error = ProblemError(location=location, name=name, message=message, suggestions=suggestions)
        super().__init__(f"{name}: {message}", [error])


class Conflict(ApiError):
    status = HTTP_409_CONFLICT
    title = "Conflict"


class PreconditionFailed(ApiError):
    """If-Match named a revision the item is no longer at."""

    status = HTTP_412_PRECONDITION_FAILED
    title = "Precondition failed"


class BadCursor(ApiError):
    status = HTTP_400_BAD_REQUEST
    title = "Invalid cursor"

    def __init__(self, param: str = "cursor") -> None:
        error = ProblemError(location="query", name=param, message="not a cursor issued for this same query")
        super().__init__(f"{param}: use the cursor a page of this same query gave", [error])


def problem_response(
    request: Request[Any, Any, Any] | None,
    status: int,
    title: str,
    detail: str | None = None,
    errors: list[ProblemError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    problem = Problem(
        title=title,
        status=status,
        detail=detail,
        instance=request.url.path if request is not None else None,
        errors=errors,
    )
    return Response(
        content=msgspec.json.encode(problem), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def _declared_name(request: Request[Any, Any, Any], key: str) -> str:
    """The parameter name the client used (`from`), not the Python name (`date_from`)."""
    fields = getattr(request.route_handler.signature_model, "_fields", {})
    field = fields.get(key)
    kwarg = getattr(field, "kwarg_definition", None)
    if isinstance(kwarg, ParameterKwarg):
        return kwarg.name or kwarg.query or key
    return key


def _validation_errors(request: Request[Any, Any, Any], exc: ValidationException) -> list[ProblemError]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    errors = []
    for item in extra:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key", ""))
        source = item.get("source", "body" if not key else "query")
        message = str(item.get("message", "invalid value"))
        location = str(getattr(source, "value", source))
        if location == "body":
            # Name the offending field where the message says it, never the handler's `data`.
            unknown = _UNKNOWN_FIELD.search(message)
            key = unknown[1] if unknown else "" if key == "data" else key
            named = None if key else _FIELD_FIRST.match(message)
            key = named[1] if named else key  # a check of ours that starts by naming its field
        errors.append(
            ProblemError(
                location=location,
                name=(_declared_name(request, key) if location != "body" else key) if key else "body",
                message=message,
            )
        )
    return errors


def on_api_error(request: Request[Any, Any, Any], exc: ApiError) -> Response[bytes]:
    return problem_response(request, exc.status, exc.title, exc.detail, exc.errors, headers=exc.headers)


def on_validation_error(request: Request[Any, Any, Any], exc: ValidationException) -> Response[bytes]:
    errors = _validation_errors(request, exc)
    detail = "; ".join(f"{e.name}: {e.message}" for e in errors) or "the request is not valid"
    return problem_response(request, HTTP_422_UNPROCESSABLE_ENTITY, "Invalid request", detail, errors)


def on_http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    status = exc.status_code
    title = _TITLES.get(status, "Error")
    detail = exc.detail if exc.detail and exc.detail != title and status < 500 else None
    return problem_response(request, status, title, detail, headers=exc.headers)


def on_database_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.warning("database unavailable: %s", type(exc).__name__)
    return problem_response(
        request,
        HTTP_503_SERVICE_UNAVAILABLE,
        "Service unavailable",
        "the database cannot be reached; retry shortly",
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


def on_timeout(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.warning("request timed out: %s", type(exc).__name__)
    return problem_response(
        request, HTTP_504_GATEWAY_TIMEOUT, "Timeout", "the database did not answer in time; retry shortly"
    )


def on_integrity_error(
    request: Request[Any, Any, Any], exc: asyncpg.IntegrityConstraintViolationError
) -> Response[bytes]:
    status = (
        HTTP_409_CONFLICT if isinstance(exc, asyncpg.UniqueViolationError) else HTTP_422_UNPROCESSABLE_ENTITY
    )
    name = getattr(exc, "constraint_name", None) or "body"
    error = ProblemError(location="body", name=name, message="conflicts with data already stored")
    return problem_response(request, status, _TITLES[status], f"{name}: conflicts with stored data", [error])


def on_data_error(request: Request[Any, Any, Any], exc: asyncpg.DataError) -> Response[bytes]:
    # SQLSTATE class 22 and argument encoding: a value from the request the database cannot take.
    log.warning("database rejected a value on %s: %s", request.url.path, type(exc).__name__)
    detail = "a parameter holds a value the database cannot take (a NUL character, a number out of range)"
    return problem_response(request, HTTP_422_UNPROCESSABLE_ENTITY, "Invalid request", detail)


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(request, HTTP_500_INTERNAL_SERVER_ERROR, "Internal server error")


def on_recursion(request: Request[Any, Any, Any], exc: RecursionError) -> Response[bytes]:
    # msgspec's own guard on input nested past the interpreter's limit (an NDJSON import line, say);
    # JSON bodies are stopped earlier, at MAX_JSON_DEPTH (service/limits.py). Any other is a bug.
    if "deserializing" not in str(exc):
        return on_unexpected(request, exc)
    error = ProblemError(location="body", name="body", message="JSON nested too deeply to decode")
    detail = f"body: {error.message}"
    return problem_response(request, HTTP_400_BAD_REQUEST, "Body nested too deeply", detail, [error])


def _is_unavailable(exc: Exception) -> bool:
    if isinstance(exc, asyncpg.PostgresError):
        sqlstate = getattr(exc, "sqlstate", "") or ""
        # 08: connection lost or refused; 57P: server shutting down or not yet up; 53: out of
        # connections or memory; 40: transaction rolled back (a deadlock, or a read on a replica
        # cancelled by a conflict with recovery). All pass on their own, so the client should retry.
        return sqlstate.startswith(("08", "57P", "53", "40"))
    return True


def on_postgres_error(request: Request[Any, Any, Any], exc: asyncpg.PostgresError) -> Response[bytes]:
    if isinstance(exc, asyncpg.QueryCanceledError):
        return on_timeout(request, exc)
    if _is_unavailable(exc):
        return on_database_unavailable(request, exc)
    return on_unexpected(request, exc)


_TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    412: "Precondition failed",
    413: "Content too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    429: "Too many requests",
    500: "Internal server error",
    503: "Service unavailable",
    504: "Timeout",
}

Handler = Callable[[Request[Any, Any, Any], Any], Response[bytes]]

EXCEPTION_HANDLERS: dict[type[Exception], Handler] = {
    ApiError: on_api_error,
    ValidationException: on_validation_error,
    HTTPException: on_http_error,
    asyncpg.IntegrityConstraintViolationError: on_integrity_error,
    asyncpg.DataError: on_data_error,
    asyncpg.PostgresError: on_postgres_error,
    asyncpg.InterfaceError: on_database_unavailable,
    asyncpg.InternalClientError: on_database_unavailable,
    ConnectionError: on_database_unavailable,
    OSError: on_database_unavailable,
    TimeoutError: on_timeout,
    RecursionError: on_recursion,
    Exception: on_unexpected,
}
