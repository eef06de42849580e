"""More receivers for the webhook tests (beside tests/support/receiver.py).

- `QuickReceiver`: the scripted receiver with a listen backlog fit for 16 sending threads
  (the stdlib's 5 resets the rest), stopping at once (it polls for shutdown every 50 ms
  instead of 500), optionally listening on another loopback address ([::1]), noting on
  each request the FakeClock's time when it arrived (the receiver's clock, for verifying).
- `TrickleServer`: a raw TCP server that answers one byte at a time, forever: only a
  deadline over the whole attempt can end such an answer (per-read timeouts never fire).
"""

from __future__ import annotations

import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from http.server import ThreadingHTTPServer

from tests.support.receiver import Received, Receiver


class _Server(ThreadingHTTPServer):
    # socketserver listens with a backlog of 5: a worker sending from 16 threads gets
    # "connection reset" on the rest (a failed attempt, retried 5 s later)
    request_queue_size = 256
    daemon_threads = True


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Stamped(list[Received]):
    """Notes on each request the time the system under test believed it was (`clock_at`):
    the official verifier then judges webhook-timestamp as of that moment."""

    def __init__(self, clock: Callable[[], datetime] | None) -> None:
        super().__init__()
        self.clock = clock

    def append(self, item: Received) -> None:
        if self.clock is not None:
            item.clock_at = self.clock()  # type: ignore[attr-defined]
        super().append(item)


class QuickReceiver(Receiver):
    def __init__(
        self, host: str = "127.0.0.1", clock: Callable[[], datetime] | None = None
    ) -> None:
        super().__init__()
        self.host = host
        self.received = _Stamped(clock)
        handler = self.server.RequestHandlerClass
        self.server.server_close()
        self.server = (_Server6 if ":" in host else _Server)((host, 0), handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}/hook"

    def snapshot(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    def ids(self) -> Counter[str]:
        """How many times each webhook-id arrived."""
        return Counter(r.headers.get("webhook-id", "") for r in self.snapshot())

    def wait_until(
        self, condition: Callable[[QuickReceiver], bool], timeout: float, why: str = ""
    ) -> None:
        """Poll (for subprocess tests, where there is no step() to call) up to a deadline."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition(self):
                return
            time.sleep(0.05)
        raise AssertionError(
            f"receiver: timed out after {timeout} s waiting for {why}; "
            f"got {sum(self.ids().values())} requests, "
            f"{len(self.ids())} distinct webhook-ids"
        )


class TrickleServer:
    """Reads a request, then answers `HTTP/1.1 200 OK` and, one byte per `interval`, a
    header that never ends (`phase="headers"`) or a body that never ends ("body")."""

    def __init__(self, interval: float = 0.5, phase: str = "headers") -> None:
        self.interval = interval
        self.start = {
            "headers": b"HTTP/1.1 200 OK\r\nX-Slow: ",
            "body": b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n",
        }[phase]
        self.connections = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self._stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}/hook"

    def _serve(self) -> None:
        self.listener.settimeout(0.05)
        while not self._stop.is_set():
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(5)
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    request += chunk
                conn.sendall(self.start)
                while not self._stop.is_set():
                    conn.sendall(b"a")
                    time.sleep(self.interval)
            except OSError:
                return  # the client hung up: what the deadline should do

    def __enter__(self) -> TrickleServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self.listener.close()
        self.thread.join(timeout=2)
