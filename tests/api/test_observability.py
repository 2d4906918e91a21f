"""Request ids, JSON access logs and Prometheus metrics."""

from __future__ import annotations

import json
import logging
import re
import signal
import sys

import httpx
import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

from service import logs
from service.app import create_app
from service.openapi import render
from tests.databases import Databases, app_settings, with_database
from tests.smoke.test_serve import serve

GENERATED_ID = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/v1/pairs/KR/CN", 200),
        ("GET", "/v1/events/no-such-event", 404),
        ("GET", "/no/such/route", 404),
        ("POST", "/health", 405),
        ("GET", "/v1/events?limit=0", 422),
        ("HEAD", "/v1/deals", 200),
    ],
)
async def test_every_response_carries_a_request_id(client, method: str, path: str, status: int) -> None:
    response = await client.request(method, path)
    assert response.status_code == status
    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])


@pytest.mark.parametrize("given", ["abc-123", "2f1c9a7e-0d4b-4c8e-9a55-1f7f3c1e2d10", "Root=1-67a9-abc"])
async def test_a_sane_client_request_id_is_echoed(client, given: str) -> None:
    response = await client.get("/v1/events/no-such-event", headers={"X-Request-ID": given})
    assert response.headers["x-request-id"] == given


@pytest.mark.parametrize("given", ["has spaces", "x" * 129, "-leading-dash", "semi;colon", ""])
async def test_an_odd_client_request_id_is_replaced(client, given: str) -> None:
    response = await client.get("/health", headers={"X-Request-ID": given})
    assert GENERATED_ID.fullmatch(response.headers["x-request-id"])


async def test_one_access_log_record_per_request(client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="detente.access"):
        response = await client.get("/v1/pairs/Seoul/Beijing", headers={"X-Request-ID": "trace-1"})
    records = [r for r in caplog.records if r.name == "detente.access"]
    assert len(records) == 1
    line = json.loads(logs.JsonFormatter().format(records[0]))
    assert line["msg"] == "request"
    assert line["level"] == "info"
    assert line["request_id"] == "trace-1" == response.headers["x-request-id"]
    assert (line["method"], line["route"], line["path"], line["status"]) == (
        "GET",
        "/v1/pairs/{a}/{b}",
        "/v1/pairs/Seoul/Beijing",
        200,
    )
    assert 0 < line["duration_ms"] < 10_000


async def test_probes_are_logged_at_debug_only(client, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="detente.access"):
        await client.get("/health")
    assert not [r for r in caplog.records if r.name == "detente.access"]


def test_json_lines_carry_the_request_id_extra_fields_and_tracebacks() -> None:
    token = logs.request_id.set("rid-7")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("x").makeRecord(
            "x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info(), extra={"n": 3}
        )
        line = json.loads(logs.JsonFormatter().format(record))
    finally:
        logs.request_id.reset(token)
    assert line["msg"] == "failed here"
    assert (line["level"], line["logger"], line["request_id"], line["n"]) == ("error", "x", "rid-7", 3)
    assert "ValueError: boom" in line["exc"]
    assert line["ts"].endswith("+00:00")


def test_configure_logging_installs_one_json_handler_and_silences_uvicorn_access() -> None:
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    root.handlers = []
    try:
        for _ in range(2):
            logs.configure_logging(app_settings(None, log_level="DEBUG"))
        assert len(root.handlers) == 1
        assert isinstance(root.handlers[0].formatter, logs.JsonFormatter)
        assert root.level == logging.DEBUG
        assert logging.getLogger("uvicorn.access").propagate is False
        assert logging.getLogger("uvicorn.error").propagate is True
        logs.configure_logging(app_settings(None, log_format="text"))
        assert not isinstance(root.handlers[0].formatter, logs.JsonFormatter)
    finally:
        root.handlers, root.level = saved, level


def _samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def test_metrics_move_after_requests(client) -> None:
    labels = {"method": "GET", "path": "/v1/deals/{deal_id}", "status_code": "404", "app_name": "detente"}
    key = ("detente_requests_total", frozenset(labels.items()))
    before = _samples((await client.get("/metrics")).text).get(key, 0.0)
    for _ in range(3):
        await client.get("/v1/deals/no-such-deal")
    response = await client.get("/metrics")
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples[key] == before + 3
    assert any(
        name == "detente_request_duration_seconds_count" and ("path", "/v1/deals/{deal_id}") in labels
        for name, labels in samples
    )
    assert samples[("detente_db_query_duration_seconds_count", frozenset({("query", "deals.get")}))] >= 3
    pool = {
        dict(labels)["state"]: v
        for (name, labels), v in samples.items()
        if name == "detente_db_pool_connections"
    }
    assert set(pool) == {"in_use", "idle"}
    assert min(pool.values()) >= 0
    assert samples[("detente_db_pool_max_connections", frozenset())] >= 4


def test_metrics_are_not_in_the_spec() -> None:
    spec = yaml.safe_load(render(create_app(app_settings(None))))
    assert not [p for p in spec["paths"] if p.startswith(("/metrics", "/docs"))]


async def test_the_real_process_logs_json_lines_with_request_ids(
    databases: Databases, template_db: str
) -> None:
    url = with_database(databases.url, await databases.create("logs", template=template_db))
    with serve({"DATABASE_URL": url}) as (base, process):
        # A NUL in a parameter makes the database refuse the value: a warning, logged mid-request.
        async with httpx.AsyncClient(base_url=base) as http:
            response = await http.get("/v1/events", params={"q": "\x00"}, headers={"X-Request-ID": "nul-1"})
        assert response.status_code == 422
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        assert process.stderr is not None
        lines = [json.loads(line) for line in process.stderr.read().decode().splitlines() if line.strip()]
    warning = [line for line in lines if line.get("request_id") == "nul-1"]
    assert warning, lines
    assert warning[0]["level"] == "warning"
    assert warning[0]["logger"] == "service.errors"
