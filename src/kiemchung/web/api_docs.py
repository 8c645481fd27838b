"""The API reference page (Swagger UI) served from our own static files.

FastAPI's built-in page loads Swagger UI from a CDN and starts it with an inline script; our CSP
(``script-src 'self'``) blocks both, so the page was blank. Here the assets are vendored
(``static/vendor/swagger-ui-*``) and the start-up code is ``static/js/api-docs.js``.

    >>> "swagger-ui-bundle.js" in docs_html("/api/v1/openapi.json", "kiemchung API")
    True
"""

from __future__ import annotations

import html

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

SWAGGER_UI = "/static/vendor/swagger-ui-5.35.0"
DOCS_PATH = "/api/v1/docs"


def docs_html(openapi_url: str, title: str) -> str:
    """A page with no inline script and no third-party address."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)}</title>
<link rel="stylesheet" href="{SWAGGER_UI}/swagger-ui.css">
<link rel="stylesheet" href="/static/css/api-docs.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{html.escape(openapi_url)}"></div>
<script src="{SWAGGER_UI}/swagger-ui-bundle.js"></script>
<script src="/static/js/api-docs.js"></script>
</body>
</html>
"""


def docs_router(openapi_url: str, title: str) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get(DOCS_PATH, response_class=HTMLResponse)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(docs_html(openapi_url, title))

    return router
