"""The interactive API docs, served whole by Taskstar: no request leaves for a CDN.

Litestar's render plugins load Swagger UI (and its favicon) from jsDelivr, so the docs page is
blank on a machine without internet, and what runs in it is whatever the CDN serves that day.
Swagger UI's files come instead from the ``swagger-ui-bundle-v2`` package (the ``spec-first``
bundle that Connexion uses; its version pins Swagger UI's), and are served under a path that
names that version, so browsers may cache them for good. Scalar has no such package and is not
offered.
"""

from __future__ import annotations

from pathlib import Path

from litestar.datastructures import CacheControlHeader
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.router import Router
from litestar.static_files import create_static_files_router
from swagger_ui_bundle import swagger_ui_path as _bundle_directory

#: The bundle's directory of Swagger UI's files (a ``pathlib.Path`` in an installed wheel).
SWAGGER_UI_DIRECTORY = Path(_bundle_directory)

#: ``swagger-ui-5.31.0``: the bundle's own directory name, Swagger UI's version in it.
SWAGGER_UI_RELEASE = SWAGGER_UI_DIRECTORY.name

#: Where Swagger UI's files are served (under the OpenAPI controller's ``/schema``).
ASSETS_PATH = f"/schema/{SWAGGER_UI_RELEASE}"

#: The files the docs page loads, in the bundle's directory.
_PAGE_FILES = ("swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png")


def swagger_ui_plugin() -> SwaggerRenderPlugin:
    """Swagger UI at ``/schema/swagger`` (and ``/schema``), every file it loads from
    :data:`ASSETS_PATH` on this server."""
    css, bundle, preset, favicon = (f"{ASSETS_PATH}/{name}" for name in _PAGE_FILES)
    return SwaggerRenderPlugin(
        js_url=bundle,
        css_url=css,
        standalone_preset_js_url=preset,
        favicon=f"<link rel='icon' type='image/png' href='{favicon}'>",
    )


def swagger_ui_assets() -> Router:
    """A router serving the bundle's files at :data:`ASSETS_PATH`, public (the auth middleware
    lets ``/schema`` through), outside the OpenAPI document, cacheable for a year: a new Swagger UI
    release comes with a new path."""
    return create_static_files_router(
        path=ASSETS_PATH,
        directories=[SWAGGER_UI_DIRECTORY],
        name="swagger-ui-assets",
        include_in_schema=False,
        cache_control=CacheControlHeader(max_age=365 * 24 * 3600, public=True, immutable=True),
    )
