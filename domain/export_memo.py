"""What a chip's export status is computed from, remembered for the life of one world
(docs/performance.md, "Histories"): a history reads the state at every change instant from
one world folded forward, and most instants change nothing a given measure or destination
is made of.

Objects are replaced, never changed in place, so inputs are compared as tuples of the very
objects (identity first, then equality): the same inputs give the same answer, and holding
them keeps a remembered answer from ever standing for other objects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.world import Obj, World

MEMO_KEY = "export"


class ExportMemo:
    """Per (measure, chip): how the measure covers the chip and where it reaches; per
    chip: the whole answer, from the measures in force covering it; per (chip,
    destination): the destination's entry."""

    __slots__ = ("answers", "entries", "reaches")

    def __init__(self) -> None:
        self.reaches: dict[tuple[str, str], tuple[tuple[Any, ...], Any]] = {}
        self.answers: dict[tuple[str, str], tuple[tuple[Any, ...], Any]] = {}
        self.entries: dict[tuple[str, str], tuple[tuple[Any, ...], Any]] = {}


def export_memo(world: World) -> ExportMemo:
    held: ExportMemo | None = world.memo.get(MEMO_KEY)
    if held is None:
        held = world.memo[MEMO_KEY] = ExportMemo()
    return held


def remembered(
    table: dict[tuple[str, str], tuple[tuple[Any, ...], Any]],
    key: tuple[str, str],
    inputs: tuple[Any, ...],
    compute: Callable[..., Any],
    *args: Any,
) -> Any:
    """`compute(*args)`, or what it gave last time for the same key and equal inputs."""
    held = table.get(key)
    if held is not None and held[0] == inputs:
        return held[1]
    value = compute(*args)
    table[key] = (inputs, value)
    return value


def groups_of(world: World) -> tuple[Obj, ...]:
    """The groups at T: a measure's destinations and an override's are resolved with them."""
    return tuple(world.of_kind("group"))
