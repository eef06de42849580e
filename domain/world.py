"""The world at valid time T (docs/state.md, "The fold"): the objects, halts, holdings and
anomalies the fold builds (`domain/fold.py`), read by every view."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.knowledge import Belief


@dataclass(frozen=True, slots=True)
class Suspension:
    """A measure's suspension (docs/state.md, "Suspensions"): from `since` until `until`
    (exclusive; None: until reinstated); `by` the suspension that set `until`."""

    since: datetime
    until: datetime | None
    by: str

    def runs_at(self, at: datetime) -> bool:
        return self.since <= at and (self.until is None or at < self.until)


@dataclass(frozen=True, slots=True)
class Obj:
    """A created object (measure, licence, agreement, advisory, case, application, group)."""

    kind: str
    id: str
    fields: dict[str, Any]
    created_by: str  # event id
    ended_by: str | None = None  # the terminal event's id, if any
    ended_type: str | None = None
    suspension: Suspension | None = None  # measures only: the last one folded
    origin: str = ""  # the creating event's type (an application: LicenseApplied or LicenseDenied)

    @property
    def live(self) -> bool:
        return self.ended_by is None


@dataclass(frozen=True)
class Halt:
    company: str
    chip: str
    since: datetime
    suppliers: frozenset[str]


@dataclass(frozen=True)
class Anomaly:
    event_id: str
    reason: str  # before_creator | after_terminal
    aggregate: str


class Objects(dict[str, Obj]):
    """The world's objects by aggregate key, with their lists by kind kept until the next
    change: a view asks for a kind a few dozen times per answer (docs/performance.md).
    Objects are replaced, never changed in place, so a change is always a store here."""

    __slots__ = ("_by_kind",)

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._by_kind: dict[str, list[Obj]] | None = None

    def __setitem__(self, key: str, value: Obj) -> None:
        self._by_kind = None
        super().__setitem__(key, value)

    def __delitem__(self, key: str) -> None:
        self._by_kind = None
        super().__delitem__(key)

    def pop(self, key: str, default: Any = None) -> Any:
        self._by_kind = None
        return super().pop(key, default)

    def update(self, *args: Any, **kwargs: Obj) -> None:
        self._by_kind = None
        super().update(*args, **kwargs)

    def setdefault(self, key: str, default: Obj) -> Obj:
        self._by_kind = None
        return super().setdefault(key, default)

    def clear(self) -> None:
        self._by_kind = None
        super().clear()

    def of_kind(self, kind: str) -> list[Obj]:
        """The objects of one kind, in insertion order; the list is shared: do not change it."""
        if self._by_kind is None:
            index: dict[str, list[Obj]] = {}
            for obj in self.values():
                index.setdefault(obj.kind, []).append(obj)
            self._by_kind = index
        return self._by_kind.get(kind, [])


@dataclass
class World:
    as_of: datetime
    chips: dict[str, dict[str, Any]] = field(default_factory=dict)
    companies: dict[str, dict[str, Any]] = field(default_factory=dict)
    objects: Objects = field(default_factory=Objects)  # by aggregate key
    halts: dict[tuple[str, str], Halt] = field(default_factory=dict)
    holdings: dict[tuple[str, str], str] = field(default_factory=dict)  # (owner, owned) → %
    # announcement id → (the implementing event's id, its effective_at): the first in fold order
    implemented: dict[str, tuple[str, datetime]] = field(default_factory=dict)
    anomalies: list[Anomaly] = field(default_factory=list)
    pending: list[Belief] = field(default_factory=list)  # known, effective after T
    believed: list[Belief] = field(default_factory=list)  # every domain belief, any T
    _concerns: dict[str, set[str]] = field(default_factory=dict)
    # what views remember between answers from this world (domain/export_memo.py); a copy of
    # the world shares it, as a history's views at successive instants do
    memo: dict[str, Any] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Obj]:
        return self.objects.of_kind(kind)

    def concerns(self, aggregate: str) -> set[str]:
        """The chips and companies any believed event of the aggregate names, whatever T:
        an anomaly is listed on those from the moment it is folded. Asked only for
        aggregates with anomalies, so worked out on demand."""
        if aggregate not in self._concerns:
            wanted = {a.aggregate for a in self.anomalies} | {aggregate}
            found: dict[str, set[str]] = {key: set() for key in wanted}
            for belief in self.believed:  # one pass for every aggregate with anomalies
                if belief.event.aggregate in found:
                    found[belief.event.aggregate] |= _named(belief.data)
            self._concerns.update(found)
        return self._concerns[aggregate]


def _named(data: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for kind, keys in (("chip", ("chips",)), ("company", ("companies", "licensee", "company"))):
        for key in keys:
            value = data.get(key)
            for slug in value if isinstance(value, list) else [value]:
                if isinstance(slug, str):
                    names.add(f"{kind}:{slug}")
    return names
