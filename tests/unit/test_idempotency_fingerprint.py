"""The Idempotency-Key fingerprint: the body's meaning, not its bytes (services/write/idempotency.py)."""

from __future__ import annotations

import hashlib

import pytest

from services.write.idempotency import IdempotencyClaim, request_fingerprint

ROUTE = "/v1/events"


@pytest.mark.parametrize(
    "same",
    [
        b'{"b": [1, 2], "a": {"y": true, "x": null}}',
        b'{\n  "a": {"x": null, "y": true},\n  "b": [1.0, 2e0]\n}',
        b'{"a":{"x":null,"y":true},"b":[10e-1,0.2E1]}',
    ],
)
def test_the_same_meaning_is_the_same_fingerprint(same: bytes) -> None:
    assert request_fingerprint(ROUTE, same) == request_fingerprint(
        ROUTE, b'{"a":{"x":null,"y":true},"b":[1,2]}'
    )


@pytest.mark.parametrize(
    "other",
    [
        b'{"a":{"x":null,"y":true},"b":[2,1]}',  # order of a list is meaning
        b'{"a":{"x":null,"y":true},"b":[1,"2"]}',  # a string is not a number
        b'{"a":{"x":null,"y":1},"b":[1,2]}',  # true is not 1
        b'{"a":{"x":null,"y":true},"b":[1,2.0001]}',
    ],
)
def test_another_value_is_another_fingerprint(other: bytes) -> None:
    assert request_fingerprint(ROUTE, other) != request_fingerprint(
        ROUTE, b'{"a":{"x":null,"y":true},"b":[1,2]}'
    )


def test_huge_and_zero_numbers_need_no_arithmetic() -> None:
    assert request_fingerprint(ROUTE, b"[1e999999999]") == request_fingerprint(
        ROUTE, b"[10e999999998]"
    )
    assert request_fingerprint(ROUTE, b"[0.000, -0]") == request_fingerprint(ROUTE, b"[0,0]")


def test_the_route_is_part_of_it() -> None:
    assert request_fingerprint(ROUTE, b"{}") != request_fingerprint(ROUTE + "/batch", b"{}")


def test_a_record_from_before_canonical_fingerprints_still_matches_the_same_bytes() -> None:
    body = b'{"b": 1,  "a": 2}'
    legacy = hashlib.sha256(ROUTE.encode() + b"\x00" + body).hexdigest()
    claim = IdempotencyClaim.of("key-id", "k", ROUTE, body)
    assert claim.matches(legacy) and claim.matches(request_fingerprint(ROUTE, b'{"a":2,"b":1}'))
    assert not claim.matches(request_fingerprint(ROUTE, b'{"a":2,"b":3}'))
