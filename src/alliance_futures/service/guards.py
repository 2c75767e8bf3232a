"""Guards around every request (pure ASGI middleware): a bound on the request body, and the security headers that
keep the dashboard out of other sites' frames and its responses from being read as another type."""

from __future__ import annotations

import json

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The dashboard's own scripts, styles and data only; Vega compiles its expressions with `new Function` (hence
# 'unsafe-eval'), and the pages and the offline API documentation carry inline scripts and styles.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
]


class _TooLarge(HTTPException):
    """Raised while the body is read: FastAPI passes an HTTPException on (any other error would become its 400)."""

    def __init__(self, limit: int):
        super().__init__(413, detail=[{"loc": ["body"], "msg": _too_large(limit), "type": "value_error"}])


def _too_large(limit: int) -> str:
    return f"the request body is larger than {limit:,} bytes, the most the service reads"


class BodyLimit:
    """Answer 413 to a request whose body is larger than `limit` bytes, without reading it whole: at once if its
    Content-Length says so, or as soon as a body sent in chunks passes the limit."""

    def __init__(self, app: ASGIApp, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.limit:
            await self._refuse(send)
            return
        received = 0
        started = False

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                raise _TooLarge(self.limit)
            return message

        async def sending(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded, sending)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {"detail": [{"loc": ["body"], "msg": _too_large(self.limit), "type": "value_error"}]}
        ).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers + SECURITY_HEADERS})
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Add `SECURITY_HEADERS` to every response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *SECURITY_HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)
