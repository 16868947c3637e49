"""What the app's web server adds to Gradio's: the document route and the security headers.

Gradio serves files by path (``/gradio_api/file=…``) from the folders it is
allowed; allowing the folders of indexed documents served every other file in
them too (a ``.env`` beside a PDF). Instead no folder is allowed, and
``/dokument/<id>`` serves exactly the file of the indexed document with that
id (its content hash), to signed-in users only.
"""

from __future__ import annotations

import logging
import mimetypes
from types import SimpleNamespace

from fastapi import Request
from fastapi.responses import FileResponse, PlainTextResponse
from fastapi.routing import APIRoute
from starlette.middleware import Middleware

import access
from index.store import document_file
from settings import Settings

logger = logging.getLogger(__name__)

# Gradio's page runs its own inline bootstrap script and styles; nothing may come from elsewhere, the page may
# not be framed, and no object, base or form target may point away from the app.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' blob:; "
    "worker-src 'self' blob:; frame-src 'self'; frame-ancestors 'none'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class SecurityHeaders:
    """ASGI middleware: the security headers on every HTTP response, Gradio's own included."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(header for header in SECURITY_HEADERS if header[0] not in names)]
            await send(message)

        await self.app(scope, receive, with_headers)


class UploadGate:
    """ASGI middleware: Gradio's file upload route (``/gradio_api/upload``, where a file waits before an event
    handler gets it) refuses whoever may not add documents, so a reader or an anonymous client cannot fill
    the server's temporary folder either. The event handlers check the role again."""

    def __init__(self, app, config: Settings) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/").endswith("/gradio_api/upload"):
            request = Request(scope)
            allowed, _, refusal = access.may_edit(SimpleNamespace(username=_username(request)), self.config)
            if not allowed:
                await PlainTextResponse(refusal, status_code=403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _username(request: Request) -> str | None:
    """The user Gradio would see for this request: its auth_dependency's answer, or its login cookie's."""
    app = request.scope.get("app")
    if getattr(app, "auth_dependency", None) is not None:
        return app.auth_dependency(request)
    tokens = getattr(app, "tokens", None) or {}
    cookie_id = getattr(app, "cookie_id", "")
    token = request.cookies.get(f"access-token-{cookie_id}") or request.cookies.get(f"access-token-unsecure-{cookie_id}")
    return tokens.get(token) if token else None


def _signed_in(request: Request) -> bool:
    """Whether a plain HTTP request comes from a signed-in user, as Gradio decides it (anyone, without sign-in)."""
    app = request.scope.get("app")
    if getattr(app, "auth", None) is None and getattr(app, "auth_dependency", None) is None:
        return True
    return _username(request) is not None


def document_route(config: Settings) -> APIRoute:
    async def serve(document_id: str, request: Request):
        if not _signed_in(request):
            return PlainTextResponse("Log ind for at åbne dokumenter.", status_code=401)
        path = document_file(document_id, config)
        if path is None:
            return PlainTextResponse("Dokumentet findes ikke.", status_code=404)
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return FileResponse(path, media_type=media_type, filename=path.name, content_disposition_type="inline")

    return APIRoute(f"{access.DOCUMENT_ROUTE}/{{document_id}}", serve, methods=["GET", "HEAD"])


def app_options(config: Settings) -> dict:
    """FastAPI's constructor arguments for Gradio's app: the route first, the headers around everything."""
    return {"routes": [document_route(config)],
            "middleware": [Middleware(SecurityHeaders), Middleware(UploadGate, config=config)]}
