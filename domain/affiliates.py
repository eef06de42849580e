"""Ownership at T and the affiliates of a measure (docs/state.md, "Ownership and affiliates").

A measure with `affiliates_min_percent` p restricts, besides the companies it names, every
company whose owners already in the set hold, summed, at least p percent of it — repeated
until nothing changes. Holdings add up; they are not multiplied along a chain (the
arithmetic of OFAC's 50 % rule): if A is listed, A owns 60 % of B, and B 30 % and A 25 % of
C, then at 50 % both B and C are affiliates, C through 55 %.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from domain.decimals import format_decimal
from domain.world import Obj, World


def owners_of(world: World) -> dict[str, list[tuple[str, Decimal]]]:
    """owned → [(owner, percent)] at T."""
    found: dict[str, list[tuple[str, Decimal]]] = defaultdict(list)
    for (owner, owned), percent in world.holdings.items():
        found[owned].append((owner, Decimal(percent)))
    return found


def affiliates(
    measure: Obj, owners: dict[str, list[tuple[str, Decimal]]]
) -> dict[str, dict[str, Any]]:
    """The companies the measure reaches through ownership (not those it names), each with
    its `via`: the sorted owners in the set and the percent they hold together."""
    threshold = measure.fields.get("affiliates_min_percent")
    named = set(measure.fields.get("companies") or ())
    if threshold is None or not named:
        return {}
    minimum, members = Decimal(threshold), set(named)
    grew = True
    while grew:  # tens of companies per listed party: a plain fixed point is enough
        grew = False
        for owned, held_by in owners.items():
            if owned not in members and _held(held_by, members) >= minimum:
                members.add(owned)
                grew = True
    return {
        company: {
            "owners": sorted(owner for owner, _ in owners[company] if owner in members),
            "percent": format_decimal(_held(owners[company], members)),
        }
        for company in members - named
    }


def _held(held_by: list[tuple[str, Decimal]], members: set[str]) -> Decimal:
    return sum((percent for owner, percent in held_by if owner in members), Decimal(0))


def ownership_lists(world: World, company: str) -> dict[str, list[dict[str, str]]]:
    """A company's `owners` and `holdings` at T, sorted by the other company's id."""
    return {
        "owners": sorted(
            (
                {"owner": owner, "percent": percent}
                for (owner, owned), percent in world.holdings.items()
                if owned == company
            ),
            key=lambda o: o["owner"],
        ),
        "holdings": sorted(
            (
                {"owned": owned, "percent": percent}
                for (owner, owned), percent in world.holdings.items()
                if owner == company
            ),
            key=lambda h: h["owned"],
        ),
    }
