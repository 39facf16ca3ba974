"""The application: API routers under /api/v1, the dashboard at /, OpenAPI at /api/openapi.json."""

from __future__ import annotations

from importlib import metadata, resources

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine

from qinglang.api import errors
from qinglang.api.routers import FEATURES, ROUTERS
from qinglang.services import online
from qinglang.settings import Settings, load_settings
from qinglang.store.db import open_store

WEB = resources.files("qinglang.web").joinpath("static")
# The dashboard loads nothing from elsewhere: every script, style and chart is shipped.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                               "img-src 'self' data:; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    app = FastAPI(title="清朗 qinglang API", version=metadata.version("qinglang"),
                  description="Find and stop the financial black and gray industry. Every "
                              "call is scoped to the institution of the caller's token.",
                  openapi_url="/api/openapi.json", docs_url=None, redoc_url=None)
    app.state.settings = settings
    app.state.engine = engine or open_store(settings, mapped=True)
    app.state.features = FEATURES
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router, prefix="/api/v1")
    app.mount("/static", StaticFiles(directory=str(WEB)), name="static")
    app.add_api_route("/", _dashboard, include_in_schema=False)
    app.add_middleware(SecurityHeaders)
    return app


def app_from_environment() -> FastAPI:
    """The application of the store and institution the environment names: what each process
    of `qinglang serve --workers N` builds for itself, ready to score at once."""
    online.prepare_scoring()
    return create_app(load_settings())


def _dashboard() -> FileResponse:
    return FileResponse(str(WEB.joinpath("index.html")))


class SecurityHeaders:
    """Adds SECURITY_HEADERS to every HTTP response that does not set them itself. A plain ASGI
    wrapper: Starlette's BaseHTTPMiddleware runs each request through extra tasks and streams."""

    HEADERS = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name for name, _ in headers}  # ASGI header names are lower case
                message["headers"] = headers + [header for header in self.HEADERS
                                                if header[0] not in present]
            await send(message)

        await self.app(scope, receive, with_headers)
