"""The web application: public site at ``/``, the desk under ``/desk/``, the JSON API under ``/api/v1/``.

uvicorn --factory kiemchung.web.app:create_app
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kiemchung import __version__
from kiemchung.settings import Settings, get_settings, resolve_secret
from kiemchung.web.access_log import AccessLog
from kiemchung.web.api_docs import docs_router
from kiemchung.web.baseurl import RequestBaseURL
from kiemchung.web.deps import PageError
from kiemchung.web.i18n import N_, LanguageMiddleware, _
from kiemchung.web.security import HSTS, SECURITY_HEADERS, TrustedProxies

log = logging.getLogger("kiemchung.web")
STATIC = Path(__file__).parent / "static"


class BodySizeLimit:
    """Refuse request bodies over ``limit`` bytes with 413, before the app reads them."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").decode("latin-1")
        limit = self.upload_limit if ctype.startswith("multipart/") else self.limit
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(scope, send)
            return
        seen = 0
        over = False
        started = False

        async def counted() -> Message:
            # Past the limit (a chunked body, or one longer than declared) the app is told the body
            # ended, and whatever it answers is replaced by the 413 below. Raising here instead
            # surfaced as a 500 through the middlewares' task groups.
            nonlocal seen, over
            if over:
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if over:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, guarded_send)
        except Exception:
            if not over:
                raise
        if over and not started:
            await _too_large(scope, send)


async def _too_large(scope: Scope, send: Send) -> None:
    headers = dict(scope.get("headers") or [])
    if b"text/html" in headers.get(b"accept", b"") and not scope.get("path", "").startswith("/api/"):
        # Browsers get the finished error page, not a JSON object.
        async def _no_body() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        await error_response(Request(scope), 413)(scope, _no_body, send)
        return
    body = (
        b'{"error":{"code":"payload_too_large","message":"N\xe1\xbb\x99i dung qu\xc3\xa1 l\xe1\xbb\x9bn / '
        b'Request body too large"}}'
    )
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


# Titles and explanations of the error pages (message ids, translated by the template).
ERROR_TEXTS: dict[int, tuple[str, str | None]] = {
    403: (N_("Không có quyền truy cập"), N_("Tài khoản của bạn không có quyền thực hiện thao tác này.")),
    404: (N_("Không tìm thấy trang"), N_("Trang hoặc mục bạn tìm không tồn tại hoặc đã bị gỡ.")),
    413: (N_("Tệp hoặc nội dung quá lớn"), N_("Nội dung gửi lên vượt quá giới hạn cho phép.")),
    429: (N_("Quá nhiều yêu cầu"), N_("Bạn gửi quá nhanh. Vui lòng thử lại sau ít phút.")),
    500: (N_("Đã xảy ra lỗi"), N_("Máy chủ gặp sự cố. Chúng tôi đã ghi nhận, vui lòng thử lại.")),
}


def error_response(request: Request, status: int, message: str | None = None) -> Response:
    """A JSON error object for the API, a finished HTML page for browsers."""
    codes = {
        400: "bad_request",
        401: "unauthorized",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "payload_too_large",
        422: "validation_error",
        429: "rate_limited",
    }
    if _wants_json(request):
        return JSONResponse(
            {
                "error": {
                    "code": codes.get(status, "server_error" if status >= 500 else "error"),
                    "message": _(message) if message else "",
                }
            },
            status_code=status,
        )
    from kiemchung.web.templating import render

    title, body = ERROR_TEXTS.get(status, (N_("Yêu cầu không hợp lệ"), None))
    desk_user = getattr(request.state, "user_view", None)
    if request.url.path.startswith("/desk/") and desk_user is not None:
        # A signed-in editor stays in the desk (its navigation, its language) when refused.
        from kiemchung.web.deps import page

        ctx = {"status": status, "title": title, "body": body, "message": message, "user": desk_user}
        return page(request, "errors/desk_error.html", ctx, status)
    return render(
        request,
        "errors/error.html",
        {"status": status, "title": title, "body": body, "message": message},
        status_code=status,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # The job consumer of this process (unless workers run it) and the start-up index sync.
        from kiemchung.jobs.consumer import start_background
        from kiemchung.public.views import start_flusher

        stop = start_background(settings)
        # Page views are counted in memory: written every half minute, and once more at shutdown.
        stop_views = start_flusher()
        try:
            yield
        finally:
            stop()
            stop_views()

    app = FastAPI(
        lifespan=lifespan,
        title="kiemchung API",
        version=__version__,
        description=N_("API công khai của bàn kiểm chứng"),
        docs_url=None,  # our own page below: the CDN one is blocked by our CSP
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )

    @app.exception_handler(HTTPException)
    async def _http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code in (301, 302, 303, 307, 308) and exc.headers:
            return Response(status_code=exc.status_code, headers=exc.headers)
        resp = error_response(request, exc.status_code, str(exc.detail) if exc.detail else None)
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(StarletteHTTPException)
    async def _starlette_error(request: Request, exc: StarletteHTTPException) -> Response:
        return error_response(request, exc.status_code, str(exc.detail) if exc.detail else None)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {
                    "error": {
                        "code": "validation_error",
                        "message": _("Dữ liệu không hợp lệ"),
                        "details": [
                            {"loc": list(e.get("loc", [])), "msg": e.get("msg", "")} for e in exc.errors()
                        ],
                    }
                },
                status_code=422,
            )
        return error_response(request, 422, N_("Yêu cầu không hợp lệ"))

    @app.exception_handler(PageError)
    async def _page_error(request: Request, exc: PageError) -> Response:
        return exc.response  # the session dependency has already rolled the request back

    @app.exception_handler(Exception)
    async def _server_error(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500)

    hsts = settings.env == "production"

    @app.middleware("http")
    async def _headers(request: Request, call_next):  # type: ignore[no-untyped-def]
        response = await call_next(request)
        for k, v in SECURITY_HEADERS.items():
            if k == "X-Frame-Options" and "frame-ancestors 'none'" not in response.headers.get(
                "content-security-policy", "frame-ancestors 'none'"
            ):
                continue  # an embeddable page (the incident widget) sets its own frame-ancestors
            response.headers.setdefault(k, v)
        if hsts and request.url.scheme == "https":
            # Only over HTTPS (RFC 6797 §7.2); the scheme comes from a trusted proxy or the socket.
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.query_params.get("lang") in ("vi", "en"):
            response.set_cookie("lang", request.query_params["lang"], max_age=365 * 86400, samesite="lax")
        return response

    # Every handler, service and template of a request translates in the page's language.
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=resolve_secret(settings),
        session_cookie="kiemchung_session",
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["GET", "POST"])
    app.add_middleware(
        BodySizeLimit, limit=settings.max_request_bytes, upload_limit=settings.max_upload_bytes
    )
    # Outermost: the client address and scheme are settled before anything reads them, and the
    # access log sees every answer, the 413s of the size limit included.
    app.add_middleware(RequestBaseURL)  # after the proxy headers are settled: links use their host
    app.add_middleware(TrustedProxies, trusted=settings.trusted_proxies)
    if settings.access_log:
        app.add_middleware(AccessLog)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(docs_router(app.openapi_url or "/api/v1/openapi.json", app.title))

    from kiemchung.analytics.web import router as analytics_router
    from kiemchung.channels.web import router as channels_router
    from kiemchung.desk.routes import router as desk_router
    from kiemchung.feedback.desk import router as feedback_desk_router
    from kiemchung.feedback.public import api_router as feedback_api_router
    from kiemchung.feedback.public import router as feedback_router
    from kiemchung.intake.api import router as intake_router
    from kiemchung.media.web import router as media_router
    from kiemchung.public.api import router as public_api_router
    from kiemchung.public.asking import api_router as asking_api_router
    from kiemchung.public.asking import router as asking_router
    from kiemchung.public.incidents import api_router as incident_api_router
    from kiemchung.public.incidents import router as incident_router
    from kiemchung.public.routes import router as public_router
    from kiemchung.scam.web import router as scam_router

    app.include_router(public_router)
    app.include_router(public_api_router)
    app.include_router(incident_router)
    app.include_router(incident_api_router)
    app.include_router(asking_router)
    app.include_router(asking_api_router)
    app.include_router(desk_router)
    app.include_router(analytics_router)
    app.include_router(scam_router)
    app.include_router(intake_router)
    app.include_router(media_router)
    app.include_router(channels_router)
    app.include_router(feedback_router)
    app.include_router(feedback_api_router)
    app.include_router(feedback_desk_router)

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
