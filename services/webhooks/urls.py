"""The one rule for a subscription URL (docs/architecture.md, "Webhooks and the live stream").

The API applies it when a subscription is created or its URL changed (a 422 naming `/url`),
and the worker applies it again before every attempt: a row stored before the rule existed
fails that attempt alone instead of raising in the middle of a batch.

Accepted: `http` or `https`; a host that is a DNS name (IDNA 2008 with UTS #46 mapping, the
STD3 letter-digit-hyphen rule, labels of 1–63 octets, at most 253 in all), a dotted-quad
IPv4 address (no `127.1`, octal or hex forms: resolvers read those differently) or a
bracketed IPv6 address without a zone; a port from 1 to 65535 when one is written; no
user information (a secret in a URL is stored and logged in clear, and it would not be
sent: deliveries are authenticated by their signature); no whitespace, control
characters or backslashes; ASCII after the host (percent-encode the rest).
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import idna

MAX_URL_LENGTH = 2048
_PORT = re.compile(r"[0-9]{1,5}")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9a-fA-F]*")


@dataclass(frozen=True)
class Target:
    """What an attempt dials, from a URL that passed the rule."""

    https: bool
    host: str  # an A-label name, an IPv4 address or an IPv6 address (without brackets)
    port: int
    path: str  # path and query, as sent in the request line
    authority: str  # the Host header: the host as written in the URL, and the port if given


def check_url(text: str) -> str:
    """The URL as stored (an internationalised host as A-labels), or ValueError saying why."""
    return _parse(text)[0]


def target(text: str) -> Target:
    """Where an attempt goes; ValueError if the URL breaks the rule."""
    return _parse(text)[1]


def _parse(text: str) -> tuple[str, Target]:
    if len(text) > MAX_URL_LENGTH:
        raise ValueError(f"at most {MAX_URL_LENGTH} characters")
    if any(c.isspace() or not c.isprintable() or c == "\\" for c in text):
        raise ValueError("no whitespace, control characters or backslashes")
    try:
        parts = urlsplit(text)
    except ValueError as error:  # an unbalanced or invalid [IPv6] literal
        raise ValueError(f"not a URL: {error}") from None
    if parts.scheme not in ("http", "https"):
        raise ValueError("the scheme must be http or https")
    if "@" in parts.netloc:
        raise ValueError("no user information (user:password@): deliveries are signed")
    if not (parts.path + parts.query + parts.fragment).isascii():
        raise ValueError("percent-encode what is not ASCII in the path and query")
    written, port_text = _split_authority(parts.netloc)
    host, stored_host = _host(written)
    port = _port(port_text)
    authority = stored_host + ("" if port_text is None else f":{port_text}")
    stored = urlunsplit((parts.scheme, authority, parts.path, parts.query, parts.fragment))
    https = parts.scheme == "https"
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return stored, Target(https, host, port or (443 if https else 80), path, authority)


def _split_authority(netloc: str) -> tuple[str, str | None]:
    if netloc.startswith("["):
        end = netloc.find("]")
        if end < 0:
            raise ValueError("an IPv6 address needs its closing ]")
        rest = netloc[end + 1 :]
        if rest and not rest.startswith(":"):
            raise ValueError("only a :port may follow an [IPv6] address")
        return netloc[: end + 1], (rest[1:] if rest else None)
    host, colon, port = netloc.partition(":")
    return host, (port if colon else None)


def _port(text: str | None) -> int | None:
    if text is None:
        return None
    if not _PORT.fullmatch(text) or not 1 <= int(text) <= 65535:
        raise ValueError("the port must be a number from 1 to 65535")
    return int(text)


def _host(written: str) -> tuple[str, str]:
    """(what is dialled, what is stored) for the host as written."""
    if not written:
        raise ValueError("the URL must name a host")
    if written.startswith("["):
        inner = written[1:-1]
        if "%" in inner:
            raise ValueError("an IPv6 zone (%…) cannot be used")
        try:
            return str(ipaddress.IPv6Address(inner)), written
        except ValueError:
            raise ValueError(f"{inner!r} is not an IPv6 address") from None
    last = written.rstrip(".").rsplit(".", 1)[-1]
    if _NUMERIC_LABEL.fullmatch(last):  # a resolver would read it as an IPv4 address
        try:
            return str(ipaddress.IPv4Address(written)), written
        except ValueError:
            raise ValueError("an IPv4 address is four decimal numbers 0-255") from None
    return _dns_name(written)


def _dns_name(written: str) -> tuple[str, str]:
    try:
        encoded = idna.encode(written, uts46=True, std3_rules=True).decode("ascii")
    except (idna.IDNAError, UnicodeError) as error:
        raise ValueError(f"not a valid host name: {error}") from None
    labels = encoded.rstrip(".").split(".")
    if any(not 1 <= len(label) <= 63 for label in labels):
        raise ValueError("each label of the host name is 1 to 63 characters")
    if len(encoded.rstrip(".")) > 253:
        raise ValueError("the host name is longer than 253 characters")
    return encoded, (written if written.isascii() else encoded)
