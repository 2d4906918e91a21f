"""Each failure class raised inside a handler leaves with its status, headers and no internals."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

import asyncpg
import httpx
import msgspec
import pytest
from litestar import get

from service import logs
from service.app import create_app
from tests.api.test_errors import assert_problem
from tests.databases import app_settings

# What must never reach a client: SQL, a DSN with its password, a file path, a traceback.
SECRET = "SELECT secret FROM keys; postgresql://admin:hunter2@db.internal/prod /srv/app/service/db.py"


def _deep() -> None:
    msgspec.json.decode(b"[" * 100_000 + b"]" * 100_000)


def _raise(exc: BaseException) -> Callable[[], None]:
    def fail() -> None:
        raise exc

    return fail


UNAVAILABLE = [
    asyncpg.ConnectionDoesNotExistError(SECRET),
    asyncpg.CannotConnectNowError(SECRET),
    asyncpg.exceptions.AdminShutdownError(SECRET),
    asyncpg.exceptions.ConnectionFailureError(SECRET),
    asyncpg.PostgresConnectionError(SECRET),
    asyncpg.TooManyConnectionsError(SECRET),
    asyncpg.InterfaceError(SECRET),
    asyncpg.InternalClientError(SECRET),
    ConnectionRefusedError(SECRET),
    ConnectionResetError(SECRET),
]
CASES: list[tuple[str, Callable[[], None], int]] = [
    *[(type(e).__name__, _raise(e), 503) for e in UNAVAILABLE],
    ("QueryCanceledError", _raise(asyncpg.QueryCanceledError(SECRET)), 504),
    # What asyncpg's pool.acquire(timeout=...) raises (asyncio.TimeoutError is TimeoutError).
    ("acquire timeout", _raise(TimeoutError()), 504),
    ("UniqueViolationError", _raise(asyncpg.UniqueViolationError(SECRET)), 409),
    ("ForeignKeyViolationError", _raise(asyncpg.ForeignKeyViolationError(SECRET)), 422),
    ("CheckViolationError", _raise(asyncpg.CheckViolationError(SECRET)), 422),
    ("NotNullViolationError", _raise(asyncpg.NotNullViolationError(SECRET)), 422),
    ("msgspec recursion", _deep, 400),
    ("SyntaxOrAccessError", _raise(asyncpg.UndefinedTableError(SECRET)), 500),
    ("RecursionError", _raise(RecursionError(SECRET)), 500),
    ("KeyError", _raise(KeyError(SECRET)), 500),
    ("RuntimeError", _raise(RuntimeError(SECRET)), 500),
]


@pytest.fixture(scope="module")
async def failing() -> AsyncIterator[httpx.AsyncClient]:
    """The real app (its handlers, middleware and edge) with a route per failure, no database needed."""
    app = create_app(app_settings(None))
    for index, (_, fail, _) in enumerate(CASES):
        app.register(get(f"/test/fail/{index}", sync_to_thread=False, include_in_schema=False)(fail))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield client


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.seen: list[tuple[logging.LogRecord, str | None]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.seen.append((record, logs.request_id.get()))


@pytest.mark.parametrize(("index", "case"), list(enumerate(CASES)), ids=[c[0] for c in CASES])
async def test_each_failure_class_maps_to_its_problem(failing, index, case) -> None:
    _, _, status = case
    records = _Records()
    logging.getLogger("service.errors").addHandler(records)
    try:
        response = await failing.get(f"/test/fail/{index}", headers={"X-Request-ID": f"fail-{index}"})
    finally:
        logging.getLogger("service.errors").removeHandler(records)
    body = assert_problem(response, status)
    for secret in ("secret", "hunter2", "db.internal", "/srv/", "Traceback"):
        assert secret not in response.text, response.text
    assert response.headers["X-Request-ID"] == f"fail-{index}"
    if status == 503:
        assert int(response.headers["Retry-After"]) > 0
        assert "database" in body["detail"]
    else:
        assert "Retry-After" not in response.headers
    if status == 500:
        assert set(body) <= {"type", "title", "status", "instance"}, body
        # The whole story goes to the log, tagged with the request id, for the operator.
        logged = [(r, rid) for r, rid in records.seen if r.levelno >= logging.ERROR]
        assert logged, "an unexpected error must be logged"
        assert logged[0][1] == f"fail-{index}"
        assert logged[0][0].exc_info is not None
