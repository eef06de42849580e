"""Destination groups resolved at T (docs/state.md, "Destination groups at T"): what a measure's
destination entries stand for, less its exceptions."""

from __future__ import annotations

from typing import Any

from domain.ids import GROUP_PREFIX
from domain.world import World


def members(world: World, entry: str) -> list[str]:
    """What one destination entry stands for at the world's T: an ISO code itself, or a
    group's members (a group not defined at T: nothing)."""
    if not entry.startswith(GROUP_PREFIX):
        return [entry]
    group = world.objects.get(entry)  # a group's aggregate key is the entry itself
    return [] if group is None else group.fields["members"]


def resolve(world: World, entries: list[str] | None) -> set[str]:
    return {code for entry in entries or () for code in members(world, entry)}


def destinations(world: World, fields: dict[str, Any]) -> dict[str, str]:
    """A measure's destinations at T (its entries resolved, minus its exceptions), each with
    the first entry, as written, whose resolution includes it (`via`)."""
    excepted = resolve(world, fields.get("except_destinations"))
    found: dict[str, str] = {}
    for entry in fields["destinations"]:
        for code in members(world, entry):
            if code not in excepted:
                found.setdefault(code, entry)
    return found
