"""GET /v1/stream (docs/http.md): Server-Sent Events of the log, served for real (uvicorn on
127.0.0.1, the projector running as under `regtl serve`): from the head, resumed with
?after= or Last-Event-ID without gaps or duplicates, filtered, kept alive, capped."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from domain.clocks import utc_now
from services.bootstrap import bootstrap
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.live_server import LiveServer

KEEPALIVE = 0.5


@pytest.fixture
def server(backend: Backend) -> Iterator[LiveServer]:
    settings = backend.settings.model_copy(
        update={
            "stream_keepalive_seconds": KEEPALIVE,
            "stream_max_per_key": 1,
            "stream_max_total": 3,
        }
    )
    container = bootstrap(settings)
    with LiveServer(container) as live:  # closes the container on the way out
        yield live


def _key(server: LiveServer, scope: str = "read") -> dict[str, str]:
    token = server.container.keys.create(scope, f"stream-{scope}", utc_now())[1]
    return {"Authorization": f"Bearer {token}"}


class Writer:
    def __init__(self, server: LiveServer):
        self.server = server
        self.headers = _key(server, "write")

    def __call__(self, *bodies: dict[str, Any]) -> list[dict[str, Any]]:
        stored = []
        for body in bodies:
            response = self.server.http.post("/v1/events", json=body, headers=self.headers)
            assert response.status_code == 201, response.text
            stored.append(response.json())
        return stored


@pytest.fixture
def write(server: LiveServer) -> Writer:
    return Writer(server)


def _check(events: list[Any], stored: list[dict[str, Any]]) -> None:
    assert [e.id for e in events] == [s["position"] for s in stored]
    assert [e.json() for e in events] == stored


def test_from_the_head_only_new_events(server: LiveServer, write: Writer) -> None:
    write(*b.basics())
    stream = server.stream(headers=_key(server))
    assert stream.status == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.headers["cache-control"] == "no-store"
    fresh = write(b.measure("m-1"), b.company("amd"), b.measure("m-2"))
    _check(stream.take(3), fresh)
    stream.nothing_more()


def test_resume_with_after_or_last_event_id_without_gaps_or_duplicates(
    server: LiveServer, write: Writer
) -> None:
    key = _key(server)
    early = write(*b.basics(), b.company("amd"), b.company("intel"), b.measure("m-1"))
    first = server.stream(f"/v1/stream?after={early[1]['position']}", headers=key)
    _check(first.take(3), early[2:])  # strictly after the cursor
    live = write(b.measure("m-2"))
    _check(first.take(1), live)
    first.nothing_more(0.3)
    first.close()

    missed = write(b.company("huawei"), b.amendment("m-1", control="ban"))
    # a reconnect: Last-Event-ID wins over ?after= (the browser sends it, the URL is stale)
    deadline = time.monotonic() + 5
    while True:  # the closed stream may still count against the key for a moment
        second = server.stream(
            "/v1/stream?after=0", headers={**key, "Last-Event-ID": str(live[0]["position"])}
        )
        if second.status != 429 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert second.status == 200, second.body
    _check(second.take(2), missed)
    second.nothing_more()
    # together: exactly the log after the first cursor, in order
    log = server.http.get(f"/v1/events?after={early[1]['position']}").json()["items"]
    assert [e["position"] for e in log] == [e["position"] for e in early[2:] + live + missed]


def test_filters(server: LiveServer, write: Writer) -> None:
    for path, headers, where in [
        ("/v1/stream?chip=H20", {}, b"chip"),
        ("/v1/stream?type=Nope", {}, b"type"),
        ("/v1/stream", {"Last-Event-ID": "abc"}, b"Last-Event-ID"),
    ]:
        bad = server.stream(path, headers={**_key(server), **headers})
        assert bad.status == 422, path
        assert where in bad.body
    write(*b.basics(), b.company("amd"), b.chip("mi308", "amd"))
    h20 = server.stream("/v1/stream?chip=h20", headers=_key(server))
    amd = server.stream("/v1/stream?company=amd", headers=_key(server))
    bans = server.stream("/v1/stream?type=ExportBanImposed,ExportBanLifted", headers=_key(server))
    stored = write(
        b.measure("m-h20", chips=["h20"]),
        b.license_granted("lic-amd", licensee="amd", chips=["mi308"]),
        b.amendment("m-h20", control="ban"),
        b.halt("amd", ["mi308"]),
        b.license_revoked("lic-amd"),
        b.lift("m-h20"),
    )
    m_h20, grant, amend, halt, revoke, lift = stored
    _check(h20.take(3), [m_h20, amend, lift])  # lifecycle events inherit the measure's chip
    _check(amd.take(3), [grant, halt, revoke])  # the revocation inherits the licensee
    _check(bans.take(2), [m_h20, lift])
    for stream in (h20, amd, bans):
        stream.nothing_more(0.3)


def test_a_keep_alive_comment_arrives(server: LiveServer) -> None:
    stream = server.stream(headers=_key(server))
    deadline = time.monotonic() + 5 * KEEPALIVE + 2
    while "keep-alive" not in stream.comments and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "keep-alive" in stream.comments
    started = time.monotonic()
    seen = stream.comments.count("keep-alive")
    while stream.comments.count("keep-alive") < seen + 2 and time.monotonic() - started < 5:
        time.sleep(0.05)
    assert stream.comments.count("keep-alive") >= seen + 2  # and again, every interval
    assert time.monotonic() - started < 4 * KEEPALIVE + 1
    stream.nothing_more(0.1)


def test_connections_are_capped_per_key_and_in_total(server: LiveServer) -> None:
    a, b_, c, d = (_key(server) for _ in range(4))
    first = server.stream(headers=a)
    assert first.status == 200
    again = server.stream(headers=a)
    assert again.status == 429
    assert again.headers["content-type"] == "application/problem+json"
    assert int(again.headers["retry-after"]) > 0
    assert server.stream(headers=b_).status == 200
    assert server.stream(headers=c).status == 200
    full = server.stream(headers=d)  # three open: the server's total
    assert full.status == 429
    first.close()
    deadline = time.monotonic() + 5
    while True:  # noticed at the next keep-alive at the latest
        retried = server.stream(headers=d)
        if retried.status == 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert retried.status == 200
