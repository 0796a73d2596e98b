"""Request bodies bounded before anything parses them, and the API token checked first.

A pure ASGI middleware: a ``Content-Length`` above the route's limit is refused on the
first read of the body, and a body sent without one is counted chunk by chunk as it
streams, so neither a large upload nor an unauthenticated 200 MB POST is ever held in
memory. ``/api/`` requests with a missing or wrong token are refused before one byte of
their body is read.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kraftsamling.settings import Settings

__all__ = ["BodyTooLarge", "RequestLimits", "api_token_organisation", "body_limit"]

MIB = 1024 * 1024
UPLOAD_PATHS = ("/data/import", "/cases/import", "/twin/import", "/chat/import")
UPLOAD_LIMIT = 110 * MIB  # the twin takes several files of 20 MB, the others one of 50 MB
API_LIMIT = 4 * MIB  # 100 answers of 5,000 characters, even \u-escaped, fit well below
FORM_LIMIT = 1 * MIB  # every other form: a login, a survey (3 × 5,000 characters), a review
API_OPEN_PATHS = ("/api/openapi.json",)


class BodyTooLarge(HTTPException):
    """Raised from ``receive``: the route's handler sees it as any other HTTP error."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(status_code=413,
                         detail=f"Begäran är för stor: högst {limit // MIB} MB tillåts.")


class TokenRequired(HTTPException):
    def __init__(self) -> None:
        super().__init__(status_code=401, detail="Ogiltig eller saknad API-nyckel.")


def body_limit(path: str) -> int:
    """The most bytes a request body to ``path`` may have."""
    if path.startswith("/api/"):
        return API_LIMIT
    if path.rstrip("/") in UPLOAD_PATHS:
        return UPLOAD_LIMIT
    return FORM_LIMIT


def api_token_organisation(settings: Settings, authorization: str) -> str | None:
    """The organisation whose token the ``Authorization: Bearer …`` header carries."""
    token = authorization[7:] if authorization.lower().startswith("bearer ") else ""
    found = None
    for organisation, expected in settings.api_tokens.items():
        # compared against every token, so the time does not say which one nearly matched
        if token and hmac.compare_digest(token.encode(), expected.get_secret_value().encode()):
            found = organisation
    return found


class RequestLimits:
    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        headers = Headers(scope=scope)
        limit = body_limit(path)
        refuse: HTTPException | None = None
        if (path.startswith("/api/") and path not in API_OPEN_PATHS
                and api_token_organisation(self.settings,
                                           headers.get("authorization", "")) is None):
            refuse = TokenRequired()
        length = _content_length(headers)
        if refuse is None and length is not None and length > limit:
            refuse = BodyTooLarge(limit)
        received = 0

        async def bounded() -> Message:
            nonlocal received
            if refuse is not None:
                raise refuse
            message: dict[str, Any] = dict(await receive())
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, bounded, send)


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length")
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None
