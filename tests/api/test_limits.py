"""Bodies past the size cap get 413 before parsing; deeply nested JSON is a 400, never a crash."""

from __future__ import annotations

import pytest

from service.limits import deeper_than
from tests.api.test_errors import assert_problem

MIB = 1024 * 1024
DEEP = b"[" * 100_000 + b"]" * 100_000


async def test_a_body_over_the_cap_is_413_before_it_is_parsed(api) -> None:
    # Not JSON at all: a 413 (not a 400) shows the size was refused before any parsing.
    body = b"x" * (MIB + 1)
    response = await api.post("/v1/sources", content=body, headers={"Content-Type": "application/json"})
    assert_problem(response, 413)


async def test_a_body_under_the_cap_is_parsed(api) -> None:
    body = b'{"unknown": "' + b"x" * (MIB - 100) + b'"}'
    response = await api.post("/v1/sources", content=body, headers={"Content-Type": "application/json"})
    assert_problem(response, 422)


async def test_the_bulk_import_keeps_its_larger_cap(api) -> None:
    body = b"\n".join([b""] * (2 * MIB))
    response = await api.post("/v1/import", content=body, headers={"Content-Type": "application/x-ndjson"})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("method", "url", "content_type"),
    [
        ("POST", "/v1/events", "application/json"),
        ("POST", "/v1/sources", "application/json"),
        (
            "PATCH",
            "/v1/sources/src-2026-01-07-thestar-scmp-china-south-korea-trade-deals",
            "application/merge-patch+json",
        ),
    ],
)
@pytest.mark.parametrize(
    "body", [DEEP, b'{"title": ' + DEEP + b"}", b'{"a": ' * 50_000 + b"1" + b"}" * 50_000]
)
async def test_deeply_nested_json_is_a_400_problem(api, method, url, content_type, body) -> None:
    response = await api.request(method, url, content=body, headers={"Content-Type": content_type})
    problem = assert_problem(response, 400, ("body", "body"))
    assert "nested" in problem["detail"]


async def test_a_deeply_nested_import_line_is_refused_not_a_500(api) -> None:
    line = b'{"collection": "sources", "id": "src-deep", "title": ' + DEEP + b"}"
    response = await api.post("/v1/import", content=line, headers={"Content-Type": "application/x-ndjson"})
    assert 400 <= response.status_code < 500, response.text[:300]


def test_depth_is_measured_outside_strings() -> None:
    assert not deeper_than(b'{"a": "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', 3)
    assert not deeper_than(b'{"a": "\\"[[[[[[[[[[[[[[[[[[[[["}', 3)
    assert not deeper_than(b"[[[]]]", 3)
    assert deeper_than(b"[[[[]]]]", 3)
    assert deeper_than(b'[{"a": [{"b": 1}]}]', 3)
    assert not deeper_than(b"[[], [], [], [], []]", 2)


async def test_hosts_outside_allowed_hosts_get_a_400_problem(seeded_url, make_client) -> None:
    async with make_client(seeded_url, allowed_hosts="api.example.org,*.detente.example") as client:
        assert_problem(await client.get("/v1/countries/KR"), 400)
        for host in ("api.example.org", "api.example.org:8443", "eu.detente.example"):
            response = await client.get("/v1/countries/KR", headers={"Host": host})
            assert response.status_code == 200, (host, response.text)
        assert_problem(await client.get("/v1/countries/KR", headers={"Host": "evil.example"}), 400)


async def test_any_host_is_served_when_allowed_hosts_is_unset(client) -> None:
    response = await client.get("/v1/countries/KR", headers={"Host": "whatever.example"})
    assert response.status_code == 200
