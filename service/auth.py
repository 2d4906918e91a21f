"""API keys: bearer tokens whose SHA-256 alone is stored, each with a scope."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import msgspec
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from service.db import Connection, as_connection, pool_of
from service.settings import Settings
from service.sql import queries

SCOPES = ("read", "write", "admin")  # each includes the ones before it
PREFIX = "dtk_"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="detente"'}


class ApiKey(msgspec.Struct, frozen=True):
    name: str
    scope: str
    revoked: bool = False


def new_secret() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def digest(secret: str) -> bytes:
    # Keys are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).digest()


def allows(granted: str, needed: str) -> bool:
    return SCOPES.index(granted) >= SCOPES.index(needed)


async def create(conn: Connection, name: str, scope: str) -> str:
    """Store a new key and return its secret, which is shown this once and never stored."""
    secret = new_secret()
    await conn.execute(queries()["keys.create"], name, scope, digest(secret))
    return secret


async def revoke(conn: Connection, name: str) -> bool:
    return bool(await conn.fetch(queries()["keys.revoke"], name))


async def lookup(conn: Connection, secret: str) -> ApiKey | None:
    rows = await conn.fetch(queries()["keys.lookup"], digest(secret))
    return msgspec.convert(dict(rows[0]), ApiKey) if rows else None


def _bearer(connection: ASGIConnection[Any, Any, Any, Any]) -> str | None:
    header = connection.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


async def authorize(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Guard: a handler's `scope` option names the key it needs; reads need one only if configured."""
    needed = handler.opt.get("scope")
    settings: Settings = connection.app.state.settings
    if needed is None or (needed == "read" and not settings.require_read_key):
        return
    token = _bearer(connection)
    if token is None:
        raise NotAuthorizedException("send an API key: `Authorization: Bearer <key>`", headers=CHALLENGE)
    async with pool_of(connection.app.state).acquire(timeout=settings.acquire_timeout) as proxy:
        key = await lookup(as_connection(proxy), token)
    if key is None:
        raise NotAuthorizedException("unknown API key", headers=CHALLENGE)
    if key.revoked:
        raise PermissionDeniedException(f"API key {key.name!r} has been revoked")
    if not allows(key.scope, needed):
        raise PermissionDeniedException(
            f"API key {key.name!r} has scope {key.scope!r}; this needs {needed!r}"
        )
    connection.state.api_key = key


def current_key(connection: ASGIConnection[Any, Any, Any, Any]) -> ApiKey:
    """The key the guard accepted for this request."""
    key: ApiKey = connection.state.api_key
    return key
