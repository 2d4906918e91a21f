"""Runtime settings, read from the environment in this one place."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the service can be told from outside; see the README's settings table."""

    database_url: str | None = None
    # Comma-separated URLs of streaming replicas; GET and HEAD requests read from them in turn.
    database_replica_urls: str | None = None
    # Seconds a replica that failed to give a connection is left out before it is tried again.
    replica_retry_seconds: float = 5.0
    embedded_data_dir: str = str(PROJECT_ROOT / ".detente" / "pgdata")
    host: str = "127.0.0.1"
    port: int = 8000
    pool_min_size: int = 2
    pool_max_size: int = 10
    connect_timeout: float = 5.0
    acquire_timeout: float = 5.0
    statement_timeout_ms: int = 5000
    facet_budget_ms: int = 2000
    log_level: str = "INFO"
    migrate_on_start: bool = True
    seed_on_start: bool = True
    cursor_secret: str = "detente-cursor-v1"
    public_base_url: str | None = None
    require_read_key: bool = False
    log_format: str = "json"
    cache_max_age: int = 60
    cors_allow_origins: str | None = None
    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 32
    rate_limit_reads: int = 600
    rate_limit_writes: int = 60
    redis_url: str | None = None
    trusted_proxies: str | None = None
    allowed_hosts: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables (names are the field names, upper-cased)."""
        env = os.environ if environ is None else environ
        raw: dict[str, str] = {}
        for name in cls.__struct_fields__:
            key = name.upper()
            if key in env and env[key] != "":
                raw[name] = env[key]
        return msgspec.convert(raw, cls, strict=False)


def split_list(value: str | None) -> list[str]:
    """The items of a comma-separated setting, without blanks."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]
