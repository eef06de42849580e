"""The HTTP server's configuration: the one place `regtl serve` and the live-server tests
take it from (docs/configuration.md, "Limits").

uvicorn's httptools protocol buffers a request's head without limit and waits for it
forever: one 300 MB header, or one client sending a byte a minute, holds memory or a
connection for as long as it likes. The protocol below counts the head's bytes as they
arrive, before httptools buffers more, and gives the head a deadline:

- request line (the URL) longer than REGTL_MAX_URL_BYTES: 414, then close;
- request line and headers longer than REGTL_MAX_HEADER_BYTES: 431, then close;
- head not complete REGTL_HEADER_TIMEOUT_SECONDS after its first byte (or after the
  connection opened): 408, then close.

We keep httptools (rather than h11 and its h11_max_incomplete_event_size) because it is
the parser the service is measured with (docs/performance.md) and h11 answers an
oversized head with a bare 400, not 431.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from projections.canonical import dumps
from services.operations import request_logs
from services.settings import Settings

STATUS_TEXT = {408: "Request Timeout", 414: "URI Too Long", 431: "Request Header Fields Too Large"}
KIND = {408: "request-timeout", 414: "uri-too-long", 431: "header-too-large"}


@dataclass(frozen=True)
class HeadLimits:
    max_url_bytes: int
    max_header_bytes: int
    header_timeout_seconds: float

    @classmethod
    def of(cls, settings: Settings) -> HeadLimits:
        return cls(
            settings.max_url_bytes, settings.max_header_bytes, settings.header_timeout_seconds
        )


class _Refused(Exception):
    """Raised inside a parser callback: httptools stops parsing and re-raises it."""

    def __init__(self, status: int, detail: str):
        super().__init__(detail)
        self.status, self.detail = status, detail


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """HttpToolsProtocol with a size limit and a deadline on each request's head."""

    limits = HeadLimits(16 * 1024, 32 * 1024, 10.0)  # replaced per server by limited_protocol

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._in_head = True
        self._head_bytes = 0
        self._head_timer: asyncio.TimerHandle | None = None

    # The head's deadline runs from the connection (a client that never sends a byte) and
    # from each next request's first byte; the keep-alive timeout covers the gap between.
    # uvicorn narrows the parameter to asyncio.Transport, its base class does not.
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_head_timer()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._start_head_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self.limits.max_url_bytes:
            raise _Refused(414, f"the request line exceeds {self.limits.max_url_bytes} bytes")

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._stop_head_timer()
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._in_head, self._head_bytes = True, 0

    def data_received(self, data: bytes) -> None:
        """Feed the parser no more of a head than the limit: past it, refuse."""
        while data:
            if self._in_head:
                room = self.limits.max_header_bytes - self._head_bytes
                if room <= 0:
                    self._refuse(
                        431, f"the request head exceeds {self.limits.max_header_bytes} bytes"
                    )
                    return
                piece, data = data[:room], data[room:]
                self._head_bytes += len(piece)
            else:
                piece, data = data, b""
            if not self._feed(piece):
                return

    def _feed(self, piece: bytes) -> bool:
        super().data_received(piece)
        return not self.transport.is_closing()

    def send_400_response(self, msg: str) -> None:
        # A callback's _Refused reaches uvicorn as a parser error (its __context__): answer
        # with the status it carries instead of uvicorn's plain 400.
        refusal = _refusal_behind(self.parser)
        if refusal is not None:
            self._refuse(refusal.status, refusal.detail)
            return
        super().send_400_response(msg)

    def _start_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(
                self.limits.header_timeout_seconds, self._head_timed_out
            )

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            seconds = self.limits.header_timeout_seconds
            self._refuse(408, f"the request head did not arrive within {seconds:g} s")

    def _refuse(self, status: int, detail: str) -> None:
        """An RFC 9457 problem, then close: the rest of the head is never read."""
        self._stop_head_timer()
        if self.transport.is_closing():
            return
        body = dumps(
            {
                "type": f"/problems/{KIND[status]}",
                "title": STATUS_TEXT[status],
                "status": status,
                "detail": detail,
                "errors": [],
            }
        )
        head = (
            f"HTTP/1.1 {status} {STATUS_TEXT[status]}\r\n"
            "content-type: application/problem+json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        ).encode("ascii")
        self.transport.write(head + body)
        self.transport.close()
        if self.cycle is not None and not self.cycle.response_complete:
            self.cycle.disconnected = True
            self.cycle.message_event.set()


def _refusal_behind(parser: Any) -> _Refused | None:
    """httptools keeps a callback's exception as the __context__ of the error it raises;
    uvicorn's data_received catches that error and calls send_400_response inside the
    except block, so the exception being handled is the one to look behind."""
    error = sys.exc_info()[1]
    while error is not None:
        if isinstance(error, _Refused):
            return error
        error = error.__context__
    return None


def limited_protocol(limits: HeadLimits) -> type[LimitedHttpToolsProtocol]:
    return type("LimitedHttpToolsProtocol", (LimitedHttpToolsProtocol,), {"limits": limits})


def server_config(
    app: Any, settings: Settings, *, host: str, port: int, **extra: Any
) -> uvicorn.Config:
    """uvicorn's Config as `regtl serve` runs it (tests add lifespan, log level …)."""
    proxies = settings.trusted_proxies
    json_logs = request_logs.log_config(settings)  # REGTL_LOG_FORMAT=json, else uvicorn's
    if json_logs is not None:  # the app logs each request itself, in JSON
        extra = {"log_config": json_logs, "access_log": False, **extra}
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=settings.log_level,
        http=limited_protocol(HeadLimits.of(settings)),
        # X-Forwarded-For is believed only from a listed proxy (docs/configuration.md):
        # otherwise any client could choose the address its per-client caps count under.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=",".join(proxies) or None,
        **extra,
    )


__all__ = ["HeadLimits", "LimitedHttpToolsProtocol", "server_config"]
