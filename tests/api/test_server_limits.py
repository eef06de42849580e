"""The HTTP server's limits, over real sockets against `regtl serve`'s own configuration
(services/api/server.py; docs/configuration.md, "Limits").

Before: a 300 MB header grew the process by 400 MB, a client trickling its head held a
connection forever, and a forged X-Forwarded-For lifted the per-client stream cap.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from domain.clocks import utc_now
from services.bootstrap import bootstrap
from services.settings import Settings
from services.storage import migrate
from tests.support.live_server import LiveServer

TIMEOUT = 1.0  # head and body deadlines in these tests, seconds


def _settings(tmp_path: Path, **overrides: Any) -> Settings:
    limits: dict[str, Any] = {"header_timeout_seconds": TIMEOUT, "body_timeout_seconds": TIMEOUT}
    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/regtimeline.db",
        data_dir=tmp_path,
        **{**limits, **overrides},
    )
    migrate.upgrade(settings)
    return settings


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    with LiveServer(bootstrap(_settings(tmp_path))) as live:
        yield live


def _connect(server: LiveServer) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes, bool]:
    """Status, headers and body of one answer, and whether the server then closed."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise AssertionError(f"closed before an answer: {data!r}")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    while len(body) < int(headers.get("content-length", "0")):
        body += sock.recv(65536)
    sock.settimeout(1)  # a refused request is closed at once; a kept one stays open
    try:
        closed = sock.recv(1) == b""
    except (TimeoutError, ConnectionResetError):
        closed = False
    return int(lines[0].split()[1]), headers, body, closed


def _send_all(sock: socket.socket, data: bytes) -> None:
    """Send, tolerating the server closing the connection part-way (it refused)."""
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass


def _problem(body: bytes, status: int) -> dict[str, Any]:
    problem: dict[str, Any] = json.loads(body)
    assert problem["status"] == status and problem["type"].startswith("/problems/")
    return problem


def test_a_huge_header_is_refused_with_431_before_it_is_buffered(server: LiveServer) -> None:
    with _connect(server) as sock:
        _send_all(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
        for _ in range(64):  # 4 MB offered; the server stops reading after 32 KB
            _send_all(sock, b"a" * 65536)
        status, headers, body, closed = _answer(sock)
    assert status == 431 and headers["content-type"] == "application/problem+json"
    assert headers["connection"] == "close" and closed
    _problem(body, 431)


def test_many_small_headers_count_together(server: LiveServer) -> None:
    many = b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100) for i in range(400))  # ~44 KB
    with _connect(server) as sock:
        _send_all(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
        status, _, body, closed = _answer(sock)
    assert status == 431 and closed


def test_a_huge_url_is_refused_with_414(server: LiveServer) -> None:
    with _connect(server) as sock:
        _send_all(sock, b"GET /healthz?" + b"a" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        status, headers, body, closed = _answer(sock)
    assert status == 414 and closed and headers["content-type"] == "application/problem+json"
    _problem(body, 414)


def test_a_head_within_the_limits_is_served_and_the_connection_kept(server: LiveServer) -> None:
    with _connect(server) as sock:
        for _ in range(3):  # the count starts again for each request on the connection
            _send_all(
                sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"p" * 20000 + b"\r\n\r\n"
            )
            status, headers, body, closed = _answer(sock)
            assert status == 200 and not closed and json.loads(body) == {"status": "ok"}


def test_a_body_sent_with_its_head_does_not_count_as_head(server: LiveServer) -> None:
    body = json.dumps({"padding": "x" * 60000}).encode()
    with _connect(server) as sock:
        _send_all(
            sock,
            b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
            b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body,
        )
        status, _, _, _ = _answer(sock)
    assert status == 401  # read in full, then refused for what it is (no key), not for size


def test_a_trickling_head_is_cut_off_with_408(server: LiveServer) -> None:
    with _connect(server) as sock:
        _send_all(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        try:
            for _ in range(20):
                sock.sendall(b"X")
                time.sleep(0.2)
        except (BrokenPipeError, ConnectionResetError):
            pass
        status, headers, _, closed = _answer(sock)
    assert status == 408 and closed and headers["connection"] == "close"
    assert time.monotonic() - started < TIMEOUT + 3


def test_a_silent_connection_is_closed_after_the_head_deadline(server: LiveServer) -> None:
    with _connect(server) as sock:
        started = time.monotonic()
        status, _, _, closed = _answer(sock)
    assert status == 408 and closed and time.monotonic() - started < TIMEOUT + 3


def test_a_trickling_body_is_cut_off_with_408(server: LiveServer) -> None:
    token = server.container.keys.create("write", "slow", utc_now())[1]
    with _connect(server) as sock:
        _send_all(
            sock,
            b"POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
            b"\r\nContent-Length: 100\r\nAuthorization: Bearer "
            + token.encode()
            + b'\r\n\r\n{"a":',
        )
        status, headers, body, closed = _answer(sock)
    assert status == 408 and headers["connection"] == "close" and closed
    _problem(body, 408)


@pytest.mark.parametrize(
    "request_line",
    [
        b"GET /v1/stream?after=9223372036854775808 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /v1/stream HTTP/1.1\r\nHost: x\r\nLast-Event-ID: \xb2\r\n\r\n",
        b"GET /v1/events/%00 HTTP/1.1\r\nHost: x\r\n\r\n",
        b"GET /v1/companies/nvidia?at_position=%C2%B2 HTTP/1.1\r\nHost: x\r\n\r\n",
    ],
)
def test_hostile_input_is_a_422_and_the_connection_stays_usable(
    server: LiveServer, request_line: bytes
) -> None:
    with _connect(server) as sock:
        _send_all(sock, request_line)
        status, _, body, closed = _answer(sock)
        assert status == 422 and not closed, body
        _problem(body, 422)
        _send_all(sock, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        assert _answer(sock)[0] == 200


# -- X-Forwarded-For -----------------------------------------------------------------------


def _streams(live: LiveServer, forwarded: list[str]) -> list[int]:
    return [live.stream(headers={"X-Forwarded-For": address}).status for address in forwarded]


def test_a_forged_forwarded_for_does_not_lift_the_per_client_cap(tmp_path: Path) -> None:
    settings = _settings(tmp_path, stream_max_per_key=2, header_timeout_seconds=10)
    with LiveServer(bootstrap(settings)) as live:
        statuses = _streams(live, ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"])
    assert statuses == [200, 200, 429, 429]  # all one client: 127.0.0.1


def test_a_listed_proxy_is_believed(tmp_path: Path) -> None:
    settings = _settings(
        tmp_path, stream_max_per_key=2, header_timeout_seconds=10, trusted_proxies=["127.0.0.1"]
    )
    with LiveServer(bootstrap(settings)) as live:
        statuses = _streams(live, ["203.0.113.1", "203.0.113.2", "203.0.113.3"])
    assert statuses == [200, 200, 200]  # three clients behind the proxy, one stream each


def test_trusted_proxies_reads_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REGTL_TRUSTED_PROXIES", "10.0.0.2, 172.30.0.0/24")
    assert Settings().trusted_proxies == ["10.0.0.2", "172.30.0.0/24"]
