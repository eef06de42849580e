"""Percentiles and rounding shared by the ingest and webhook figures (empty lists give None)."""

from __future__ import annotations


def pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 2)


def rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)
