"""The /docs explorer: Swagger UI from the installed swagger-ui-py package, served by the app itself."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from litestar import Router
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"


def assets_dir() -> Path:
    """swagger-ui-py's copy of swagger-ui-dist (found without importing the package's web glue)."""
    spec = importlib.util.find_spec("swagger_ui")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the swagger-ui-py package is not installed; reinstall the project")
    return Path(next(iter(spec.submodule_search_locations))) / "static"


def swagger_plugin() -> SwaggerRenderPlugin:
    """Swagger UI whose scripts, styles and icon all come from this server: it works offline."""
    return SwaggerRenderPlugin(
        path=DOCS_PATH,
        js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        css_url=f"{ASSETS_PATH}/swagger-ui.css",
        standalone_preset_js_url=f"{ASSETS_PATH}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{ASSETS_PATH}/favicon-32x32.png'>",
    )


def assets_router() -> Router:
    """The Swagger UI files, under /docs/assets, left out of the OpenAPI document."""
    return create_static_files_router(path=ASSETS_PATH, directories=[assets_dir()], name="docs-assets")
