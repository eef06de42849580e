"""One webhook attempt over HTTP(S), with the safety rules of SPEC §6.

- The host is resolved once and the attempt dials the checked address itself (Host header
  and TLS SNI carry the name), so a name cannot re-resolve to 127.0.0.1 between the check
  and the connection (DNS rebinding).
- One deadline (15 s) covers connect to last byte: a timer shuts the socket down, which a
  server trickling one byte every few seconds cannot outrun (per-read timeouts would).
- No redirects, no proxies from the environment, at most 16 KB of the response read.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from services.webhooks.addresses import RefusedTarget, resolve

DEADLINE_SECONDS = 15.0
MAX_RESPONSE_BYTES = 16 * 1024
USER_AGENT = "regtimeline-webhooks/1"


@dataclass(frozen=True)
class Outcome:
    status: int | None
    latency_ms: float
    error: str | None = None
    body: str | None = None
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


class _PinnedHTTPS(http.client.HTTPSConnection):
    """HTTPS to a fixed address, verifying the certificate for the URL's host name."""

    def __init__(self, address: str, port: int, server_name: str, timeout: float):
        super().__init__(address, port, timeout=timeout, context=ssl.create_default_context())
        self._server_name = server_name

    def connect(self) -> None:
        raw = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self._server_name)  # type: ignore[attr-defined]


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None  # an HTTP date: rare for webhooks; the schedule applies


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool,
         deadline: float = DEADLINE_SECONDS) -> Outcome:
    started = time.monotonic()

    def elapsed_ms() -> float:
        return round((time.monotonic() - started) * 1000, 2)

    parts = urlsplit(url)
    https = parts.scheme == "https"
    port = parts.port or (443 if https else 80)
    host = parts.hostname or ""
    try:
        address = str(resolve(host, port, allow_private)[0])
    except RefusedTarget as refused:
        return Outcome(None, elapsed_ms(), f"refused: {refused}")
    conn: http.client.HTTPConnection = (
        _PinnedHTTPS(address, port, host, deadline) if https
        else http.client.HTTPConnection(address, port, timeout=deadline))
    timer = threading.Timer(deadline, _cut, args=(conn,))
    timer.start()
    try:
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        conn.request("POST", path, body=body, headers={
            **headers, "Host": parts.netloc.rsplit("@", 1)[-1], "User-Agent": USER_AGENT,
            "Content-Type": "application/json", "Content-Length": str(len(body))})
        response = conn.getresponse()
        text = response.read(MAX_RESPONSE_BYTES).decode("utf-8", errors="replace")
        return Outcome(response.status, elapsed_ms(), None, text,
                       _retry_after(response.getheader("Retry-After")))
    except (OSError, http.client.HTTPException, ssl.SSLError) as error:
        late = time.monotonic() - started >= deadline
        reason = f"deadline of {deadline:.0f} s exceeded" if late else f"{type(error).__name__}: {error}"
        return Outcome(None, elapsed_ms(), reason[:500])
    finally:
        timer.cancel()
        conn.close()


def _cut(conn: http.client.HTTPConnection) -> None:
    sock = conn.sock
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
