"""Safety of an attempt's target (docs/webhooks.md): non-public addresses are refused at
connect time, DNS rebinding included, with the production setting (webhooks reach public
addresses only).

DNS is outside our control, so where a name must resolve to a given address the test fakes
`socket.getaddrinfo`; connections are observed by wrapping `socket.create_connection` (the
call http.client makes), which lets them through unchanged.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.bootstrap import Container
from services.webhooks.addresses import is_public
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.contract import checked_client
from tests.support.hooks import Keys, attempts, record, settle, subscribe
from tests.support.receivers import QuickReceiver
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
