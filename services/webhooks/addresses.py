"""Which addresses a webhook may connect to: global unicast only (SSRF protection).

`ipaddress.is_global` misses NAT64 (64:ff9b::/96 can embed 127.0.0.1), 6to4 (2002::/16
embeds an IPv4), the IPv4-compatible (::/96, `::7f00:1`) and IPv4-translated
(::ffff:0:0:0/96, `::ffff:0:7f00:1`) forms, 192.0.0.0/24 and 192.88.99.0/24, so the
blocklist is explicit: every IPv6 range that embeds an IPv4 address (compatible, mapped,
translated, NAT64 well-known and local-use, 6to4, Teredo) is refused whole, whatever it
embeds, and an IPv6 address that embeds an IPv4 one is judged by the embedded one too. The check is
made on the address we actually connect to (resolved once, then dialled), which also
defeats DNS rebinding.
"""

from __future__ import annotations

import ipaddress
import socket

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

BLOCKED = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.88.99.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
        "255.255.255.255/32",
        # ::/96 (IPv4-compatible) holds ::/128 and ::1/128; ::ffff:0:0/96 mapped;
        # ::ffff:0:0:0/96 translated (SIIT); 2001::/23 holds Teredo (2001::/32)
        "::/96",
        "::ffff:0:0/96",
        "::ffff:0:0:0/96",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "100::/64",
        "2001::/23",
        "2001:db8::/32",
        "2002::/16",
        "3fff::/20",
        "5f00::/16",
        "fc00::/7",
        "fe80::/10",
        "fec0::/10",
        "ff00::/8",
    )
]


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address.teredo is not None:
        return address.teredo[1]  # the client's address (obfuscated in the last 32 bits)
    if address in ipaddress.ip_network("64:ff9b::/96") or address in ipaddress.ip_network(
        "64:ff9b:1::/48"
    ):
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_public(address: IPAddress) -> bool:
    if any(address in network for network in BLOCKED if network.version == address.version):
        return False
    if isinstance(address, ipaddress.IPv6Address):
        inner = _embedded_ipv4(address)
        if inner is not None and not is_public(inner):
            return False
    return address.is_global


class RefusedTarget(Exception):
    """The webhook URL resolves to an address we will not connect to."""


def resolve(host: str, port: int, allow_private: bool) -> list[IPAddress]:
    """Every address the host resolves to, refusing the set if any is not public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise RefusedTarget(f"cannot resolve {host!r}: {error}") from None
    addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0]) for info in infos))
    if not allow_private:
        bad = [a for a in addresses if not is_public(a)]
        if bad:
            raise RefusedTarget(
                f"{host!r} resolves to a non-public address ({bad[0]}); "
                "set REGTL_WEBHOOK_ALLOW_PRIVATE=true for local receivers"
            )
    return addresses
