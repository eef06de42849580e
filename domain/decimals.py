"""Decimal figures (`percent`, `specs`, criteria thresholds): exact, bounded, canonical."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

MAX_DECIMAL_PLACES = 4
# Large enough for any spec sheet figure (TPP runs to the tens of thousands); small
# enough that a typo like 1e400 is refused instead of stored.
MAX_MAGNITUDE = Decimal("1e15")
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def parse_decimal(value: object) -> Decimal:
    """Accept a JSON number or a decimal string; refuse NaN, infinities, too many places."""
    if isinstance(value, bool):
        raise ValueError("must be a number or a decimal string, not a boolean")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str):
        number = _from_text(value)
    else:
        raise ValueError("must be a number or a decimal string")
    if not number.is_finite():
        raise ValueError("must be a finite number")
    # copy_abs() and _places() use no arithmetic context: abs() and normalize() raise
    # decimal.Overflow past 10^999999 (a JSON number like 1e999999999) and round
    # 1e-999999999 to 0 (docs/cli.md, "Mistakes").
    if number.copy_abs() >= MAX_MAGNITUDE:
        raise ValueError(f"{_show(value)} is out of range (at most 10^15)")
    if _places(number) > MAX_DECIMAL_PLACES:
        raise ValueError(f"{_show(value)} has more than {MAX_DECIMAL_PLACES} decimal places")
    return number


def _places(number: Decimal) -> int:
    """Decimal places once trailing zeros are dropped (0 for an integer)."""
    _, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or not any(digits):  # not finite (checked before), or 0
        return 0
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -(exponent + trailing))


def _from_text(text: str) -> Decimal:
    # The grammar the OpenAPI schema publishes, in ASCII digits: Decimal() alone would also
    # take "1e3", "1_000", ".5", "+5", " 5" and other scripts' digits.
    if not _DECIMAL_TEXT.fullmatch(text):
        raise ValueError(f'{text[:40]!r} is not a decimal number (e.g. "15" or "5.92")')
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(f"{text[:40]!r} is not a decimal number") from None


def _show(value: object) -> str:
    return repr(value)[:40] if isinstance(value, str) else str(value)[:40]


def format_decimal(number: Decimal) -> str:
    """Canonical text: no exponent, no trailing zeros ("15", "5.92", "0.5")."""
    text = format(number.normalize(), "f")
    return "0" if text in ("-0", "0") else text
