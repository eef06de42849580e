"""Which chips a measure covers: those it names, or those whose specs meet a clause of its
criteria (docs/state.md, "Facts at T")."""

from __future__ import annotations

from decimal import Decimal
from functools import lru_cache
from typing import Any

from domain.payloads import BOUNDS


@lru_cache(maxsize=4096)
def _decimal(text: str) -> Decimal:
    return Decimal(text)


@lru_cache(maxsize=256)
def _bound(key: str) -> tuple[str, str]:
    """A clause key's spec and comparison: `tpp_lt` → ("tpp", "lt")."""
    spec, _, suffix = key.rpartition("_")
    return spec, BOUNDS[f"_{suffix}"]


def _meets(value: Decimal, how: str, threshold: Decimal) -> bool:
    if how == "ge":
        return value >= threshold
    if how == "gt":
        return value > threshold
    if how == "le":
        return value <= threshold
    return value < threshold


def matches_criteria(criteria: list[dict[str, Any]], specs: dict[str, Any] | None) -> int | None:
    """The index of the first clause whose every bound the specs meet, else None (a chip
    without a spec a clause bounds does not meet that clause)."""
    specs = specs or {}
    for index, clause in enumerate(criteria):
        met = True
        for key, threshold in clause.items():
            spec, how = _bound(key)
            value = specs.get(spec)
            if value is None or not _meets(_decimal(value), how, _decimal(threshold)):
                met = False
                break
        if met and clause:
            return index
    return None


def coverage(
    measure: dict[str, Any], chip: str, specs: dict[str, Any] | None
) -> dict[str, Any] | None:
    """How a measure's fields cover a chip: named, by a criteria clause, or not at all."""
    if chip in (measure.get("chips") or []):
        return {"by": "named"}
    index = matches_criteria(measure.get("criteria") or [], specs)
    return None if index is None else {"by": "criteria", "index": index}
