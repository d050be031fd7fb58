"""The OpenAPI UI at /schema, served from the installed swagger-ui package: no CDN, no inline script.

Litestar's own Swagger plugin loads Swagger UI from a CDN and starts it with an inline script that
embeds the schema; the pages' Content-Security-Policy allows neither. Here the page loads the
bundle from /static/swagger-ui (the swagger-ui-bundle-v2 wheel: swagger-ui-dist as is) and a
small script of ours that fetches /schema/openapi.json.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import swagger_ui_bundle  # type: ignore[import-untyped]  # ships no type information
from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin

SWAGGER_UI_DIR = Path(str(swagger_ui_bundle.swagger_ui_path))
SWAGGER_UI_URL = "/static/swagger-ui"


class PackagedSwaggerUI(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path="/swagger", favicon="", style="")

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = html.escape(str(openapi_schema.get("info", {}).get("title", "API")))
        spec_url = html.escape(self.get_openapi_json_route(request))
        return f"""<!doctype html>
<html lang="ru">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}: описание API</title>
  <link rel="stylesheet" href="{SWAGGER_UI_URL}/swagger-ui.css">
  <script src="{SWAGGER_UI_URL}/swagger-ui-bundle.js" defer></script>
  <script src="/static/openapi-ui.js" defer></script>
</head>
<body>
  <div id="swagger-ui" data-spec-url="{spec_url}"></div>
</body>
</html>
""".encode()
