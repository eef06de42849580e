"""The strict time and decimal syntax of docs/clocks.md, without a database."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.clocks import DateRole, format_instant, from_micros, parse_instant, to_micros
from domain.decimals import format_decimal, parse_decimal


@pytest.mark.parametrize(
    ("text", "role", "expected"),
    [
        ("2025-08-11", DateRole.START, "2025-08-11T00:00:00Z"),
        ("2025-08-11", DateRole.END, "2025-08-11T23:59:59.999999Z"),
        ("2025-08-11", DateRole.EXCLUSIVE_END, "2025-08-12T00:00:00Z"),
        ("2025-12-31", DateRole.EXCLUSIVE_END, "2026-01-01T00:00:00Z"),
        ("2025-08-11T09:30:00+02:00", DateRole.START, "2025-08-11T07:30:00Z"),
        ("2025-08-11T23:30:00-01:00", DateRole.START, "2025-08-12T00:30:00Z"),
        ("2025-08-11t09:30:00.5z", DateRole.START, "2025-08-11T09:30:00.500000Z"),
        ("2025-08-11T09:30:00.000000Z", DateRole.START, "2025-08-11T09:30:00Z"),
        ("2024-02-29T00:00:00Z", DateRole.START, "2024-02-29T00:00:00Z"),
    ],
)
def test_instants_are_normalised_to_utc(text: str, role: DateRole, expected: str) -> None:
    assert format_instant(parse_instant(text, role)) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2025-08-11T09:30:00", "no UTC offset"),
        ("2025-08-11 09:30:00", "no UTC offset"),
        (1754900000, "as a string"),
        (None, "as a string"),
        ("2025-02-30", "not a calendar date"),
        ("2025-13-01T00:00:00Z", "not a valid date-time"),
        ("2025-08-11T24:00:00Z", "not a valid date-time"),
        ("2025-08-11T09:30:00+24:00", "not a valid date-time"),
        ("2025-08-11T09:30:00.1234567Z", "at most 6 fractional digits"),
        ("11/08/2025", "not an RFC 3339"),
        ("", "not an RFC 3339"),
    ],
)
def test_bad_instants_say_what_is_wrong(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_instant(value)


def test_micros_round_trip() -> None:
    moment = datetime(2025, 8, 11, 7, 30, 0, 123456, tzinfo=UTC)
    assert from_micros(to_micros(moment)) == moment


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (15, "15"),
        ("15.000", "15"),
        (Decimal("5.92"), "5.92"),
        ("0.5", "0.5"),
        (Decimal("1E+2"), "100"),
        (Decimal("0.0000"), "0"),
        ("-0", "0"),
        (2.5, "2.5"),
        ("1234.5678", "1234.5678"),
    ],
)
def test_decimals_are_echoed_normalised(value: object, expected: str) -> None:
    assert format_decimal(parse_decimal(value)) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "boolean"),
        ("NaN", "not a decimal"),
        ("Infinity", "not a decimal"),
        ("1E+2", "not a decimal"),
        (Decimal("NaN"), "finite"),
        (Decimal("1e400"), "out of range"),
        ("1.23456", "more than 4 decimal places"),
        ("abc", "not a decimal"),
        (" 1", "not a decimal"),
        ("", "not a decimal"),
        ([1], "number or a decimal string"),
    ],
)
def test_bad_decimals_are_refused(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_decimal(value)
