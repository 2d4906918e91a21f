"""Rendering the OpenAPI document from the app, for `detente openapi` and the drift test."""

from __future__ import annotations

from typing import Any

import yaml
from litestar import Litestar

from service.settings import PROJECT_ROOT

SPEC_FILE = PROJECT_ROOT / "openapi.yaml"


class _PlainDumper(yaml.SafeDumper):
    """Writes shared objects out in full: no `&id001` anchors for readers to chase."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def render(app: Litestar) -> str:
    schema: dict[str, Any] = app.openapi_schema.to_schema()
    return yaml.dump(schema, Dumper=_PlainDumper, sort_keys=False, allow_unicode=True, width=100)
