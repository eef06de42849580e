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


# (id(criteria), id(specs)) -> (criteria, specs, the first clause met). A fold shares its
# events' lists, so the same criteria meet the same specs at every instant of a history and
# in every answer from a cached slice. Entries hold what they were computed from and are
# used only for those very objects, so a reused id can never answer for another list.
_FIRST_CLAUSE: dict[tuple[int, int], tuple[object, object, int | None]] = {}
_FIRST_CLAUSE_SIZE = 8192


def _first_clause(criteria: list[dict[str, Any]], specs: dict[str, Any] | None) -> int | None:
    key = (id(criteria), id(specs))
    held = _FIRST_CLAUSE.get(key)
    if held is not None and held[0] is criteria and held[1] is specs:
        return held[2]
    index = matches_criteria(criteria, specs)
    if len(_FIRST_CLAUSE) >= _FIRST_CLAUSE_SIZE:
        _FIRST_CLAUSE.clear()  # cheaper than keeping an order; refilled as answers need
    _FIRST_CLAUSE[key] = (criteria, specs, index)
    return index


def coverage(
    measure: dict[str, Any], chip: str, specs: dict[str, Any] | None
) -> dict[str, Any] | None:
    """How a measure's fields cover a chip: named, by a criteria clause, or not at all."""
    if chip in (measure.get("chips") or []):
        return {"by": "named"}
    criteria = measure.get("criteria")
    if not criteria:
        return None
    index = _first_clause(criteria, specs)
    return None if index is None else {"by": "criteria", "index": index}
