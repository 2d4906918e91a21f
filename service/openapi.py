"""Rendering the OpenAPI document from the app, for `detente openapi` and the drift test."""

from __future__ import annotations

from typing import Any

import yaml
from litestar import Litestar

from service.settings import PROJECT_ROOT

SPEC_FILE = PROJECT_ROOT / "openapi.yaml"


def render(app: Litestar) -> str:
    schema: dict[str, Any] = app.openapi_schema.to_schema()
    return yaml.safe_dump(schema, sort_keys=False, allow_unicode=True, width=100)
