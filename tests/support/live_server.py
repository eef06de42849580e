"""The API served for real on 127.0.0.1 (uvicorn in a thread, the container started as
`regtl serve` starts it), and a Server-Sent Events client that reads in the background.

The TestClient cannot hold a stream open while the test writes; a real socket can.
"""

from __future__ import annotations

import http.client
import json
import queue
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn

from services.api.app import create_app
from services.api.server import server_config
from services.bootstrap import Container
from tests.support.contract import check_response


class LiveServer:
    def __init__(self, container: Container):
        self.container = container
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.app = create_app(container, manage_lifecycle=True)
        # `regtl serve`'s own configuration (services/api/server.py), quieter.
        config = server_config(
            self.app,
            container.settings.model_copy(update={"log_level": "warning"}),
            host="127.0.0.1",
            port=self.port,
            lifespan="on",
            timeout_graceful_shutdown=3,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="live-server", daemon=True)
        self.base = f"http://127.0.0.1:{self.port}"
        document = self.app.openapi()
        self.http = httpx.Client(
            base_url=self.base,
            timeout=10,
            event_hooks={"response": [lambda response: check_response(document, response)]},
        )
        self.streams: list[SSE] = []

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        for stream in self.streams:
            stream.close()
        self.http.close()
        self.server.should_exit = True
        self.thread.join(timeout=15)

    def stream(self, path: str = "/v1/stream", headers: dict[str, str] | None = None) -> SSE:
        sse = SSE(self.port, path, headers or {})
        self.streams.append(sse)
        return sse


@dataclass
class Event:
    id: int | None
    data: str
    fields: dict[str, str] = field(default_factory=dict)

    def json(self) -> Any:
        return json.loads(self.data)


class SSE:
    """One GET of an event stream; events and comments are collected as they arrive."""

    def __init__(self, port: int, path: str, headers: dict[str, str]):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.conn.request("GET", path, headers={"Accept": "text/event-stream", **headers})
        self.sock = self.conn.sock  # http.client may let go of it; close() must not
        self.response = self.conn.getresponse()  # the start cursor is fixed by now
        self.status = self.response.status
        self.headers = {k.lower(): v for k, v in self.response.getheaders()}
        self.events: queue.Queue[Event] = queue.Queue()
        self.comments: list[str] = []
        self.closed = threading.Event()
        self.body = b""
        if self.status == 200:
            self.thread = threading.Thread(target=self._read, daemon=True)
            self.thread.start()
        else:
            self.body = self.response.read()
            self.conn.close()

    def _read(self) -> None:
        fields: dict[str, str] = {}
        data: list[str] = []
        try:
            while True:
                raw = self.response.readline()
                if not raw:
                    return
                line = raw.decode().rstrip("\r\n")
                if line == "":
                    if data or "id" in fields:
                        ident = fields.get("id")
                        self.events.put(
                            Event(int(ident) if ident else None, "\n".join(data), fields)
                        )
                    fields, data = {}, []
                elif line.startswith(":"):
                    self.comments.append(line[1:].strip())
                else:
                    name, _, value = line.partition(":")
                    value = value.removeprefix(" ")
                    if name == "data":
                        data.append(value)
                    else:
                        fields[name] = value
        except Exception:  # noqa: BLE001 - closed under us (close() races this thread)
            return
        finally:
            self.closed.set()

    def take(self, n: int, timeout: float = 10) -> list[Event]:
        deadline = time.monotonic() + timeout
        got = []
        while len(got) < n:
            remaining = deadline - time.monotonic()
            try:
                got.append(self.events.get(timeout=max(0.0, remaining)))
            except queue.Empty:
                raise AssertionError(
                    f"stream: {len(got)} of {n} events after {timeout} s: {[e.id for e in got]}"
                ) from None
        return got

    def nothing_more(self, wait: float = 0.5) -> None:
        try:
            extra = self.events.get(timeout=wait)
        except queue.Empty:
            return
        raise AssertionError(f"stream: an unexpected event {extra.id}: {extra.data[:200]}")

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.conn.close()
        self.response.close()
