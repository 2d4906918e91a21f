"""The document declares every problem each operation can give, and closed bodies as closed."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from openapi_spec_validator import validate

from service.app import create_app
from service.contract import closed_structs
from service.openapi import render
from service.settings import Settings

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
WRITES = {"post", "put", "patch", "delete"}
PROBES = {"/health", "/ready"}


def _spec(**overrides: Any) -> dict[str, Any]:
    return yaml.safe_load(render(create_app(Settings(log_level="WARNING", **overrides))))  # type: ignore[arg-type]


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return _spec()


def test_the_document_is_valid_openapi(spec) -> None:
    validate(spec)
    validate(_spec(require_read_key=True, allowed_hosts="api.example.org", rate_limit_reads=0))


def test_every_error_response_is_a_problem_document(spec) -> None:
    for path, method, op in _operations(spec):
        for status, response in op["responses"].items():
            if int(status) >= 400 and path not in PROBES:
                assert response["content"] == PROBLEM, f"{method.upper()} {path} {status}"


def test_writes_declare_auth_size_and_rate_problems(spec) -> None:
    writes = [(p, m, op) for p, m, op in _operations(spec) if m in WRITES]
    assert len(writes) >= 16
    for path, method, op in writes:
        declared = set(op["responses"])
        assert {"400", "401", "403", "422", "429", "500", "503", "504"} <= declared, f"{method} {path}"
        if method != "delete":
            assert "413" in declared, f"{method} {path}"
        if method in {"patch", "delete"}:
            assert {"404", "412"} <= declared, f"{method} {path}"
        too_many = op["responses"]["429"]
        assert {"Retry-After", "RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
            too_many["headers"]
        )
        assert "Retry-After" in op["responses"]["503"]["headers"]


def test_reads_declare_429_only_while_reads_are_limited(spec) -> None:
    unlimited = _spec(rate_limit_reads=0)
    for path, method, op in _operations(spec):
        if method == "get" and path not in PROBES:
            assert {"400", "422", "429", "500", "503", "504"} <= set(op["responses"]), path
            assert "429" not in unlimited["paths"][path]["get"]["responses"], path
    assert "429" not in spec["paths"]["/health"]["get"]["responses"]


def test_reads_declare_401_and_403_only_when_they_need_a_key(spec) -> None:
    keyed = _spec(require_read_key=True)
    for path, method, op in _operations(spec):
        if method == "get" and path.startswith("/v1/"):
            assert "401" not in op["responses"], path
            assert {"401", "403"} <= set(keyed["paths"][path]["get"]["responses"]), path


def test_item_routes_declare_404(spec) -> None:
    for path, method, op in _operations(spec):
        if path.endswith("_id}") and method in {"get", "patch", "delete"}:
            assert "404" in op["responses"], f"{method} {path}"


def test_bodies_that_refuse_unknown_fields_say_so(spec) -> None:
    components = spec["components"]["schemas"]
    closed = closed_structs()
    assert {"EventBody", "DealBody", "SourceBody", "ActorBody", "PeriodBody", "ParticipantIn"} <= set(closed)
    for name in closed.keys() & components.keys():
        assert components[name]["additionalProperties"] is False, name
    for name, component in components.items():
        if name not in closed and component.get("type") == "object":
            assert component.get("additionalProperties") is not False, name
    # Every JSON request body of a create is one of them.
    for path, method, op in _operations(spec):
        content = op.get("requestBody", {}).get("content", {})
        if "application/json" in content:
            ref = content["application/json"]["schema"]["$ref"].rpartition("/")[2]
            assert ref in closed, f"{method} {path}"
            assert closed[ref].__struct_config__.forbid_unknown_fields
