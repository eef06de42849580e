"""The timeline page at `/` (docs/page.md): static files from the package, no build step,
no CDN. The page reads only the public `/v1` API, like any other client."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

import services.api.page

router = APIRouter(include_in_schema=False)
ASSETS = Path(services.api.page.__file__).parent

# Everything the page loads comes from this origin: a stray CDN URL fails in the browser
# (and so in the page tests) instead of working only while online.
POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
HEADERS = {
    "Content-Security-Policy": POLICY,
    "Cache-Control": "no-cache",  # revalidated (ETag), so a new release is seen at once
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_RAW_HEADERS = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]


@router.api_route("/", methods=["GET", "HEAD"])
async def page() -> FileResponse:
    return FileResponse(ASSETS / "index.html", media_type="text/html", headers=HEADERS)


class _Assets(StaticFiles):
    """The page's modules, styles and icon, with the page's headers."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_RAW_HEADERS]
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def install(app: FastAPI) -> None:
    app.mount("/page", _Assets(directory=ASSETS / "assets"), name="page-assets")
    app.include_router(router)
