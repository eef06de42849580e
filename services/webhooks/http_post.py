"""One webhook attempt over HTTP(S), with the safety rules of docs/webhooks.md, "Safety".

- The host is resolved once and the attempt dials the checked address itself (Host header
  and TLS SNI carry the name), so a name cannot re-resolve to 127.0.0.1 between the check
  and the connection (DNS rebinding).
- One deadline (15 s) covers connect to last byte: a timer shuts the socket down, which a
  server trickling one byte every few seconds cannot outrun (per-read timeouts would).
- No redirects, no proxies from the environment, at most 16 KB of the response read.
"""

from __future__ import annotations

import heapq
import http.client
import itertools
import socket
import ssl
import threading
import time
from dataclasses import dataclass

from services.webhooks.addresses import RefusedTarget, resolve
from services.webhooks.urls import target

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


class _Deadlined:
    """Keeps its socket where the deadline can reach it: http.client drops `conn.sock` as
    soon as an answer says `Connection: close` (the response reads on from the socket), so
    a server trickling such a body outlived the deadline."""

    raw_sock: socket.socket | None = None
    expired = False

    def _keep(self, sock: socket.socket) -> None:
        self.raw_sock = sock
        if self.expired:  # the deadline passed while connecting
            _shutdown(sock)


class _HTTP(_Deadlined, http.client.HTTPConnection):
    def connect(self) -> None:
        super().connect()
        self._keep(self.sock)


class _PinnedHTTPS(_Deadlined, http.client.HTTPSConnection):
    """HTTPS to a fixed address, verifying the certificate for the URL's host name."""

    def __init__(self, address: str, port: int, server_name: str, timeout: float):
        super().__init__(address, port, timeout=timeout, context=ssl.create_default_context())
        self._server_name = server_name

    def connect(self) -> None:
        raw = socket.create_connection((self.host, self.port), self.timeout)
        self._keep(raw)  # the handshake is under the deadline too
        # HTTPSConnection keeps its SSL context in the private, untyped `_context`.
        self.sock = self._context.wrap_socket(raw, server_hostname=self._server_name)  # type: ignore[attr-defined]
        self._keep(self.sock)


def _retry_after(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        return None  # an HTTP date: rare for webhooks; the schedule applies


def post(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    allow_private: bool,
    deadline: float = DEADLINE_SECONDS,
) -> Outcome:
    started = time.monotonic()

    def elapsed_ms() -> float:
        return round((time.monotonic() - started) * 1000, 2)

    try:
        where = target(url)  # the rule the API applied; rows stored before it are refused here
    except ValueError as error:
        return Outcome(None, elapsed_ms(), f"invalid URL: {error}")
    try:
        address = str(resolve(where.host, where.port, allow_private)[0])
    except RefusedTarget as refused:
        return Outcome(None, elapsed_ms(), f"refused: {refused}")
    conn: http.client.HTTPConnection = (
        _PinnedHTTPS(address, where.port, where.host, deadline)
        if where.https
        else _HTTP(address, where.port, timeout=deadline)
    )
    ticket = WATCHDOG.arm(started + deadline, conn)
    try:
        conn.request(
            "POST",
            where.path,
            body=body,
            headers={
                **headers,
                "Host": where.authority,
                "User-Agent": USER_AGENT,
                "Content-Type": "application/json",
                "Content-Length": str(len(body)),
            },
        )
        response = conn.getresponse()
        text = response.read(MAX_RESPONSE_BYTES).decode("utf-8", errors="replace")
        if time.monotonic() - started >= deadline:
            # cut by the deadline mid-answer: what http.client made of the truncated bytes
            # (a 200 whose headers or body simply stop) is not an answer
            return Outcome(None, elapsed_ms(), f"deadline of {deadline:.0f} s exceeded")
        return Outcome(
            response.status,
            elapsed_ms(),
            None,
            text,
            _retry_after(response.getheader("Retry-After")),
        )
    except (OSError, http.client.HTTPException, ssl.SSLError) as error:
        late = time.monotonic() - started >= deadline
        reason = (
            f"deadline of {deadline:.0f} s exceeded" if late else f"{type(error).__name__}: {error}"
        )
        return Outcome(None, elapsed_ms(), reason[:500])
    finally:
        WATCHDOG.disarm(ticket)
        conn.close()


def _cut(conn: http.client.HTTPConnection) -> None:
    conn.expired = True  # type: ignore[attr-defined]  # our own mark on the stdlib object
    _shutdown(conn.sock or getattr(conn, "raw_sock", None))


def _shutdown(sock: socket.socket | None) -> None:
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class Watchdog:
    """One thread enforcing every attempt's deadline (a Timer thread per attempt cost
    nearly half of the sending path's CPU): shuts down the sockets of overdue attempts."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, http.client.HTTPConnection]] = []
        self._live: set[int] = set()
        self._counter = itertools.count()
        self._lock = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, when: float, conn: http.client.HTTPConnection) -> int:
        ticket = next(self._counter)
        with self._lock:
            heapq.heappush(self._heap, (when, ticket, conn))
            self._live.add(ticket)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="regtl-deadlines", daemon=True
                )
                self._thread.start()
            self._lock.notify()
        return ticket

    def disarm(self, ticket: int) -> None:
        with self._lock:
            self._live.discard(ticket)

    def _run(self) -> None:
        while True:
            with self._lock:
                while self._heap and self._heap[0][1] not in self._live:
                    heapq.heappop(self._heap)  # finished in time
                if not self._heap:
                    self._lock.wait()
                    continue
                when, ticket, conn = self._heap[0]
                wait = when - time.monotonic()
                if wait > 0:
                    self._lock.wait(wait)
                    continue
                heapq.heappop(self._heap)
                self._live.discard(ticket)
            _cut(conn)


WATCHDOG = Watchdog()
