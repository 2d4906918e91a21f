"""Prometheus metrics: requests by route template and status, the pool, query latency; GET /metrics."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import asyncpg
from asyncpg.connection import LoggedQuery
from litestar import Response, get
from litestar.middleware import DefineMiddleware
from litestar.plugins.prometheus import PrometheusConfig
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from service import sql

PREFIX = "detente"

QUERY_SECONDS = Histogram(
    f"{PREFIX}_db_query_duration_seconds",
    "Time to run one SQL statement, by the name of the statement (`other` for unnamed SQL).",
    ["query"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)

# Pools of the apps running in this process (one, except in tests), read at each scrape.
_pools: set[asyncpg.Pool] = set()


def middleware() -> DefineMiddleware:
    """Request counts and latency histograms labelled by route template (not raw path) and status."""
    return PrometheusConfig(app_name=PREFIX, prefix=PREFIX, group_path=True).middleware


@cache
def _statement_names() -> dict[str, str]:
    queries = sql.queries()
    return {queries[name]: name for name in queries.names()}


def observe_query(record: LoggedQuery) -> None:
    """asyncpg query logger: one histogram sample per statement, labelled by its `-- name:`."""
    QUERY_SECONDS.labels(_statement_names().get(record.query, "other")).observe(record.elapsed)


def watch_pool(pool: asyncpg.Pool) -> None:
    _pools.add(pool)


def forget_pool(pool: asyncpg.Pool) -> None:
    _pools.discard(pool)


class PoolCollector(Collector):
    """Connections in use and idle, read from the pools when scraped rather than tracked."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        idle = sum(p.get_idle_size() for p in _pools)
        size = sum(p.get_size() for p in _pools)
        family = GaugeMetricFamily(
            f"{PREFIX}_db_pool_connections", "Pooled database connections by state.", labels=["state"]
        )
        family.add_metric(["in_use"], size - idle)
        family.add_metric(["idle"], idle)
        yield family
        yield GaugeMetricFamily(
            f"{PREFIX}_db_pool_max_connections",
            "Most connections the pool may open.",
            value=sum(p.get_max_size() for p in _pools),
        )


REGISTRY.register(PoolCollector())


@get("/metrics", include_in_schema=False, sync_to_thread=False)
def metrics() -> Response[bytes]:
    """This process's metrics in the Prometheus text format."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
