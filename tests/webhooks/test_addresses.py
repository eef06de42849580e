"""The public-address check, form by form (issue 10, item 4; SSRF).

`::7f00:1` (IPv4-compatible, ::/96) and `::ffff:0:7f00:1` (IPv4-translated,
::ffff:0:0:0/96) once passed. Each block is checked on the address actually dialled: the
literal in the URL here, so no DNS is involved, and no connection may be opened.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

import pytest

from services.webhooks import http_post
from services.webhooks.addresses import is_public

REFUSED = {
    # IPv6 forms that embed or stand for an IPv4 address
    "v4-compatible-loopback": "::7f00:1",
    "v4-compatible-dotted": "::127.0.0.1",
    "v4-compatible-private": "::a00:1",
    "v4-compatible-public": "::808:808",  # deprecated form: refused whatever it embeds
    "v4-translated-loopback": "::ffff:0:7f00:1",
    "v4-translated-dotted": "::ffff:0:127.0.0.1",
    "v4-translated-metadata": "::ffff:0:a9fe:a9fe",
    "v4-translated-public": "::ffff:0:808:808",
    "v4-mapped-loopback": "::ffff:7f00:1",
    "v4-mapped-public": "::ffff:808:808",
    "nat64-loopback": "64:ff9b::7f00:1",
    "nat64-public": "64:ff9b::808:808",
    "nat64-local-use": "64:ff9b:1::1",
    "nat64-local-use-embedded": "64:ff9b:1:ffff:ffff:ffff:7f00:1",
    "6to4-private": "2002:c0a8:101::1",
    "6to4-loopback": "2002:7f00:1::",
    "6to4-public": "2002:808:808::1",
    "teredo": "2001:0:4136:e378:8000:63bf:3fff:fdd2",
    "teredo-loopback-client": "2001:0:5ef5:79fd:0:0:80ff:fffe",
    "unspecified": "::",
    "loopback": "::1",
    "unique-local": "fd12:3456::1",
    "unique-local-fc": "fc00::1",
    "link-local": "fe80::1",
    "link-local-top": "febf:ffff::1",
    "site-local": "fec0::1",
    "multicast-link": "ff02::1",
    "multicast-global": "ff0e::1",
    "documentation": "2001:db8::1",
    "documentation-3fff": "3fff::1",
    "discard": "100::1",
    "srv6-sids": "5f00::1",
    # IPv4
    "this-network": "0.0.0.0",
    "this-network-other": "0.1.2.3",
    "loopback-v4": "127.0.0.1",
    "loopback-v4-other": "127.255.255.254",
    "private-10": "10.0.0.1",
    "private-172": "172.31.255.255",
    "private-192": "192.168.0.1",
    "shared-cgnat": "100.64.0.1",
    "shared-cgnat-top": "100.127.255.254",
    "link-local-v4": "169.254.169.254",
    "ietf-protocol": "192.0.0.1",
    "ietf-protocol-top": "192.0.0.255",
    "test-net-1": "192.0.2.1",
    "6to4-relay": "192.88.99.1",
    "benchmarking": "198.18.0.1",
    "benchmarking-top": "198.19.255.255",
    "test-net-2": "198.51.100.1",
    "test-net-3": "203.0.113.1",
    "multicast-v4": "224.0.0.1",
    "multicast-v4-top": "239.255.255.255",
    "reserved": "240.0.0.1",
    "reserved-top": "255.255.255.254",
    "broadcast": "255.255.255.255",
}
PUBLIC = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "100.63.255.255",
    "100.128.0.1",
    "198.17.255.255",
    "198.20.0.1",
    "2606:4700:4700::1111",
    "2a00:1450::1",
    "2001:4860:4860::8888",
    "2003::1",
]


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_not_public(name: str) -> None:
    assert not is_public(ipaddress.ip_address(REFUSED[name]))


@pytest.mark.parametrize("text", PUBLIC)
def test_public(text: str) -> None:
    assert is_public(ipaddress.ip_address(text))


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_on_the_address_dialled_without_connecting(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialled: list[Any] = []

    def record(address: Any, *args: Any, **kwargs: Any) -> Any:
        dialled.append(address)
        raise ConnectionRefusedError(111, "test: no connection may be opened")

    monkeypatch.setattr(socket, "create_connection", record)
    address = ipaddress.ip_address(REFUSED[name])
    host = f"[{address}]" if address.version == 6 else str(address)
    outcome = http_post.post(f"http://{host}:8080/hook", b"{}", {}, allow_private=False)
    assert dialled == []
    assert outcome.status is None and outcome.error is not None
    assert outcome.error.startswith("refused") and "non-public" in outcome.error
