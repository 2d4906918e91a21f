"""Liveness and readiness reports."""

from __future__ import annotations

import msgspec


class Health(msgspec.Struct, kw_only=True):
    status: str


class Readiness(msgspec.Struct, kw_only=True):
    status: str
    database: bool
    migrations_applied: list[int]
    migrations_pending: list[int]
