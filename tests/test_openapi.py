"""The committed openapi.yaml is what the app generates, and the spec documents every operation."""

from __future__ import annotations

from typing import Any

import yaml

from service.app import create_app
from service.openapi import SPEC_FILE, render
from service.settings import Settings

# The committed document describes the service as `detente openapi` renders it: default settings.
DEFAULTS = Settings(log_level="WARNING")


def _spec() -> dict[str, Any]:
    return yaml.safe_load(render(create_app(DEFAULTS)))


def test_committed_spec_matches_the_app() -> None:
    generated = render(create_app(DEFAULTS))
    committed = SPEC_FILE.read_text(encoding="utf-8")
    assert committed == generated, "openapi.yaml is stale: regenerate it with `make openapi` and commit it"


def test_every_operation_is_documented() -> None:
    spec = _spec()
    operations = [(path, method, op) for path, item in spec["paths"].items() for method, op in item.items()]
    assert len(operations) >= 17
    seen_ids = set()
    for path, method, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("operationId"), where
        assert op["operationId"] not in seen_ids, where
        seen_ids.add(op["operationId"])
        assert op.get("summary"), where
        assert op.get("tags"), where
        for param in op.get("parameters", []):
            assert param.get("description"), f"{where} parameter {param['name']}"
            schema = param.get("schema", {})
            has_example = (
                param.get("examples")
                or schema.get("examples")
                or schema.get("enum")
                or any("enum" in alt for alt in schema.get("oneOf", []))
            )
            assert has_example, f"{where} parameter {param['name']} has no example"
        for status, response in op["responses"].items():
            assert response.get("content") or status in {"204", "304"}, f"{where} {status} has no schema"


def test_query_parameters_use_their_public_names() -> None:
    params = {p["name"] for p in _spec()["paths"]["/v1/events"]["get"]["parameters"]}
    assert {"from", "to", "pair", "q", "initiator", "target", "cursor", "limit"} <= params
    assert "date_from" not in params
