"""Safety of an attempt (docs/webhooks.md): no redirects, ≤ 16 KB of the answer kept, one deadline
for the whole attempt, non-public targets refused at connect time (DNS rebinding
included), proxies from the environment ignored, secrets encrypted at rest.

DNS is outside our control, so where a name must resolve to a given address the test fakes
`socket.getaddrinfo`; connections are observed by wrapping `socket.create_connection` (the
call http.client makes), which lets them through unchanged.
"""

from __future__ import annotations

import base64
import ipaddress
import socket
import stat
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from services.api.app import create_app
from services.bootstrap import Container
from services.webhooks import http_post
from services.webhooks import tables as t
from services.webhooks.addresses import is_public
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.contract import checked_client
from tests.support.hooks import Keys, attempts, record, settle, subscribe, verified
from tests.support.receiver import Answer
from tests.support.receivers import QuickReceiver, TrickleServer
from tests.webhooks.conftest import webhook_container

_real_getaddrinfo = socket.getaddrinfo
_real_create_connection = socket.create_connection


class Network:
    """Fake DNS for chosen names; a record of every connection the process opens."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch):
        self.names: dict[str, list[list[str]]] = {}  # name -> answers, one per lookup
        self.lookups: list[str] = []
        self.connections: list[tuple[str, int]] = []
        self.unreachable: set[str] = set()
        monkeypatch.setattr(socket, "getaddrinfo", self._getaddrinfo)
        monkeypatch.setattr(socket, "create_connection", self._create_connection)

    def resolve(self, name: str, *answers: list[str]) -> None:
        self.names[name] = list(answers)

    def _getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host not in self.names:
            return _real_getaddrinfo(host, port, *args, **kwargs)
        self.lookups.append(host)
        answers = self.names[host]
        addresses = answers.pop(0) if len(answers) > 1 else answers[0]  # the last one sticks
        return [
            (
                socket.AF_INET6 if ":" in a else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (a, port, 0, 0) if ":" in a else (a, port),
            )
            for a in addresses
        ]

    def _create_connection(self, address: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
        self.connections.append((address[0], address[1]))
        if address[0] in self.unreachable:
            raise ConnectionRefusedError(111, "Connection refused (test: not on this network)")
        return _real_create_connection(address, *args, **kwargs)


@pytest.fixture
def network(monkeypatch: pytest.MonkeyPatch) -> Network:
    return Network(monkeypatch)


@pytest.fixture
def strict(backend: Backend, clock: FakeClock) -> Iterator[Container]:
    """The production setting: webhooks may reach public addresses only."""
    yield from webhook_container(backend, clock, allow_private=False)


@pytest.fixture
def strict_api(strict: Container) -> Iterator[TestClient]:
    with checked_client(create_app(strict)) as client:
        yield client


def test_redirects_are_not_followed(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver, clock: FakeClock
) -> None:
    with QuickReceiver(clock=clock) as elsewhere:
        sub = subscribe(api, keys, receiver.url)
        receiver.answer(
            Answer(302, headers={"Location": elsewhere.url}),
            Answer(307, headers={"Location": elsewhere.url}),
        )
        record(api, keys, b.company())
        settle(hooks)
        clock.advance(seconds=6.1)
        hooks.webhooks.step()
        assert elsewhere.received == []  # the Location was never visited
        log = attempts(api, keys, sub["id"])
        assert [a["status_code"] for a in log] == [307, 302]
        assert {a["delivery_status"] for a in log} == {"pending"}  # failed attempts: retried
        assert len(receiver.received) == 2


def test_a_large_answer_is_cut_to_16_kb_and_kept_as_text(
    api: TestClient, hooks: Container, keys: Keys, receiver: QuickReceiver
) -> None:
    sub = subscribe(api, keys, receiver.url)
    big = b"<script>alert(1)</script>" + b"x" * 40_000
    receiver.answer(Answer(500, body=big))
    record(api, keys, b.company())
    settle(hooks)
    (entry,) = attempts(api, keys, sub["id"])
    assert entry["status_code"] == 500
    assert entry["response_body"] == big[: 16 * 1024].decode()
    response = api.get(f"/v1/subscriptions/{sub['id']}/deliveries", headers=keys["admin"])
    assert response.headers["content-type"] == "application/json"  # data, never rendered


@pytest.mark.parametrize("phase", ["headers", "body"])
def test_one_deadline_covers_the_whole_attempt(phase: str) -> None:
    """A 200 whose headers (or body) never end is a failed attempt, cut at the deadline."""
    assert http_post.DEADLINE_SECONDS == 15  # what the worker uses (docs/webhooks.md)
    with TrickleServer(interval=0.3, phase=phase) as slow:  # no single read ever times out
        started = time.monotonic()
        outcome = http_post.post(slow.url, b"{}", {}, allow_private=True, deadline=2)
        took = time.monotonic() - started
    assert slow.connections == 1
    assert outcome.status is None and not outcome.ok
    assert outcome.error is not None and "deadline" in outcome.error
    assert 1.9 <= took < 4.0  # cut at the deadline, not at the (never) end
    assert 1900 <= outcome.latency_ms < 4000


BLOCKED = [
    "127.0.0.1",
    "127.1.2.3",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "100.64.0.1",
    "169.254.169.254",
    "0.0.0.0",
    "192.0.0.8",
    "192.88.99.1",
    "224.0.0.1",
    "::1",
    "::",
    "fe80::1",
    "fc00::1",
    "::ffff:127.0.0.1",
    "::ffff:10.0.0.1",
    "64:ff9b::7f00:1",
    "64:ff9b::a9fe:a9fe",
    "64:ff9b:1::7f00:1",
    "2002:7f00:1::",
    "2002:a00:1::",
    "2001:db8::1",
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450::1"]


def test_the_blocklist() -> None:
    for text in BLOCKED:
        assert not is_public(ipaddress.ip_address(text)), text
    for text in PUBLIC:
        assert is_public(ipaddress.ip_address(text)), text


def test_non_public_targets_are_refused_at_connect_time(
    strict_api: TestClient, strict: Container, clock: FakeClock, network: Network
) -> None:
    keys = Keys(strict)
    with QuickReceiver(clock=clock) as v4, QuickReceiver("::1", clock=clock) as v6:
        network.resolve("rebound.example", ["127.0.0.1"])
        network.resolve("mixed.example", ["93.184.216.34", "127.0.0.1"])
        network.resolve("public.example", ["93.184.216.34"])
        network.unreachable.add("93.184.216.34")
        port = v4.port
        refused = {
            "loopback": v4.url,
            "localhost": f"http://localhost:{port}/hook",
            "dns": f"http://rebound.example:{port}/hook",
            "dns-mixed": f"http://mixed.example:{port}/hook",
            "ipv6-loopback": v6.url,
            "metadata": "http://169.254.169.254/latest/meta-data/",
            "nat64": f"http://[64:ff9b::7f00:1]:{port}/hook",
            "6to4": f"http://[2002:7f00:1::]:{port}/hook",
            "mapped": f"http://[::ffff:127.0.0.1]:{port}/hook",
        }
        subs = {name: subscribe(strict_api, keys, url) for name, url in refused.items()}
        control = subscribe(strict_api, keys, f"http://public.example:{port}/hook")
        record(strict_api, keys, b.company())
        settle(strict)

        assert v4.received == [] and v6.received == []
        for name, sub in subs.items():
            (entry,) = attempts(strict_api, keys, sub["id"])
            assert entry["status_code"] is None, name
            assert entry["error"].startswith("refused") and "non-public" in entry["error"], (
                name,
                entry["error"],
            )
        # the only connection the process opened is the control's, to the address checked
        assert network.connections == [("93.184.216.34", port)]
        (entry,) = attempts(strict_api, keys, control["id"])
        assert "Connection refused" in entry["error"] and not entry["error"].startswith("refused")


def test_dns_rebinding_cannot_redirect_an_attempt(
    strict_api: TestClient, strict: Container, network: Network
) -> None:
    """The name is resolved once, checked, and that very address is dialled: a second
    answer (127.0.0.1, the rebinding) is never asked for."""
    keys = Keys(strict)
    network.resolve("rebinding.example", ["93.184.216.34"], ["127.0.0.1"])
    network.unreachable.add("93.184.216.34")
    sub = subscribe(strict_api, keys, "http://rebinding.example:8080/hook")
    record(strict_api, keys, b.company())
    settle(strict)
    assert network.lookups == ["rebinding.example"]
    assert network.connections == [("93.184.216.34", 8080)]
    (entry,) = attempts(strict_api, keys, sub["id"])
    assert "Connection refused" in entry["error"]


def test_proxies_from_the_environment_are_ignored(
    api: TestClient,
    hooks: Container,
    keys: Keys,
    receiver: QuickReceiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    dead = "http://127.0.0.1:9"
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.setenv(name, dead)
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    sub = subscribe(api, keys, receiver.url)
    stored = record(api, keys, b.company())
    settle(hooks)
    assert set(verified(sub["secret"], receiver.received)) == {f"msg_{stored[0]['id']}"}
    assert [a["status_code"] for a in attempts(api, keys, sub["id"])] == [204]


def _needles(secret: str) -> list[bytes]:
    raw = base64.b64decode(secret.removeprefix("whsec_"))
    return [
        secret.encode(),
        secret.removeprefix("whsec_").encode(),
        raw,
        base64.urlsafe_b64encode(raw).rstrip(b"="),
        raw.hex().encode(),
    ]


def test_secrets_are_encrypted_at_rest(
    api: TestClient, hooks: Container, keys: Keys, backend: Backend, receiver: QuickReceiver
) -> None:
    sub = subscribe(api, keys, receiver.url)
    rotated = api.post(
        f"/v1/subscriptions/{sub['id']}/rotate-secret", headers=keys["subscribe"]
    ).json()
    s = t.subscription
    with hooks.engine.connect() as conn:
        row = conn.execute(select(s).where(s.c.id == sub["id"])).one()
    stored = b"|".join(
        str(v).encode() if not isinstance(v, bytes | memoryview) else bytes(v) for v in row
    )
    assert row.secret and row.previous_secret
    for secret in (sub["secret"], rotated["secret"]):
        for needle in _needles(secret):
            assert needle not in stored
    if backend.name == "sqlite":  # nowhere in the database file either
        hooks.engine.dispose()
        content = Path(backend.settings.database_url.removeprefix("sqlite:///")).read_bytes()
        for secret in (sub["secret"], rotated["secret"]):
            for needle in _needles(secret):
                assert needle not in content
    key_file = backend.settings.data_dir / "secret-key"
    assert key_file.exists() and stat.S_IMODE(key_file.stat().st_mode) == 0o600
    # and yet it signs: the stored secret decrypts to the one shown
    record(api, keys, b.company())
    settle(hooks)
    verified(rotated["secret"], receiver.received)
    verified(sub["secret"], receiver.received)
