"""The history generator's state and random draws: what it has made so far (chips,
companies, live objects, production halts, base events for revisions) and how it picks
chips, companies, dates, specs and criteria."""

from __future__ import annotations

import itertools
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.clocks import format_instant
from tests.bench.pit.workload import (
    CAPPED_SHARE,
    DAY,
    DESTINATIONS,
    END,
    HOT_CHIPS,
    HOT_PICKS,
    MIX,
    SEED,
    START,
)
from tests.bench.v2_mix import CAPPED_CLAUSES


@dataclass
class Planned:
    """One event to store: its envelope (as a client would send it) plus export fields."""

    body: dict[str, Any]
    event_id: str
    recorded_at: datetime
    key: str  # the aggregate it joins (a revision: its target's)


@dataclass
class Base:
    """A stored base event, as the generator knows it (for revisions)."""

    event_id: str
    type: str
    key: str
    data: dict[str, Any]
    effective_at: datetime | None
    retracted: bool = False


@dataclass
class Thing:
    """A created object with a lifecycle (measure, licence, agreement, advisory, case)."""

    kind: str
    id: str
    key: str
    data: dict[str, Any]
    last_effective: datetime
    index: int = -1  # place in its kind's live list


@dataclass
class Production:
    """One company's halts and resumes: effective times never decrease in log order, so the
    open halts at any new event's time are those of the replay in log order."""

    events: list[list[Any]] = field(default_factory=list)  # [type, chips, alive]
    last_effective: datetime = START - timedelta(days=3650)
    open: set[str] = field(default_factory=set)

    def add(self, type_: str, chips: list[str]) -> int:
        self.events.append([type_, chips, True])
        self.open = (
            self.open | set(chips) if type_ == "ProductionHalted" else self.open - set(chips)
        )
        return len(self.events) - 1

    def retract(self, index: int) -> None:
        self.events[index][2] = False
        self.open = set()
        for type_, chips, alive in self.events:
            if alive:
                self.open = (
                    self.open | set(chips)
                    if type_ == "ProductionHalted"
                    else self.open - set(chips)
                )


def day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def text_day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


class Generator:
    """The generator's bookkeeping and draws; `History` adds the events it generates."""

    def __init__(self, events: int, chips: int, companies: int, seed: int = SEED):
        self.rng = random.Random(seed)
        self.total, self.n_chips, self.n_companies = events, chips, companies
        self.companies = [f"co-{i:04d}" for i in range(companies)]
        self.chip_ids = [f"chip-{i:05d}" for i in range(chips)]
        self.registered: list[str] = []  # chips registered so far, in order
        self.manufacturer: dict[str, str] = {}
        self.made_by: dict[str, list[str]] = {}
        self.live: dict[str, list[Thing]] = {
            k: [] for k in ("measure", "license", "agreement", "advisory", "case")
        }
        self.things: dict[str, Thing] = {}
        self.production: dict[str, Production] = {}
        self.halting: set[str] = set()  # companies with an open halt
        self.bases: list[Base] = []
        self.versions: dict[str, int] = {}
        self.counters: dict[str, int] = {}
        self.out: list[Planned] = []
        self.criteria_measures = 0
        self._mix_types = list(MIX)
        self._mix_cum = list(itertools.accumulate(MIX.values()))

    # helpers ---------------------------------------------------------------------------
    def _next_id(self, prefix: str) -> str:
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        return f"{prefix}-{n}"

    def _recorded(self, index: int) -> datetime:
        fraction = index / max(1, self.total - 1)
        return START + (END - START) * fraction + timedelta(microseconds=index)

    def _chip(self) -> str:
        hot = max(1, int(self.n_chips * HOT_CHIPS))
        if self.rng.random() < HOT_PICKS:
            return self.registered[self.rng.randrange(min(hot, len(self.registered)))]
        return self.rng.choice(self.registered)

    def _chips(self, low: int, high: int) -> list[str]:
        want = self.rng.randint(low, high)
        chosen: dict[str, None] = {}
        for _ in range(want * 3):
            chosen[self._chip()] = None
            if len(chosen) >= want:
                break
        return list(chosen)

    def _companies(self, low: int, high: int, but: str | None = None) -> list[str]:
        pool = [
            c
            for c in self.rng.sample(self.companies, min(len(self.companies), high + 1))
            if c != but
        ]
        return pool[: self.rng.randint(low, high)]

    def _destinations(self, jurisdiction: str, low: int = 1, high: int = 4) -> list[str]:
        pool = [d for d in DESTINATIONS if d != jurisdiction]
        return self.rng.sample(pool, self.rng.randint(low, high))

    def _effective(self, recorded: datetime) -> datetime:
        """Most events are recorded within a month of taking effect; some are announced
        ahead, some back-filled."""
        roll = self.rng.random()
        if roll < 0.75:
            return day(recorded - timedelta(days=self.rng.uniform(0, 30)))
        if roll < 0.95:
            return day(recorded + timedelta(days=self.rng.uniform(1, 120)))
        return day(recorded - timedelta(days=self.rng.uniform(30, 365)))

    def _later(self, recorded: datetime, after: datetime) -> datetime:
        return max(after + DAY * self.rng.randint(1, 20), self._effective(recorded))

    def _specs(self) -> dict[str, str] | None:
        if self.rng.random() < 0.15:
            return None
        specs = {
            "tpp": str(self.rng.randint(50, 8000)),
            "performance_density": f"{self.rng.uniform(0.5, 12):.2f}",
        }
        if self.rng.random() < 0.6:
            specs["memory_bandwidth_gbps"] = str(self.rng.randint(200, 8000))
        if self.rng.random() < 0.5:
            specs["hbm_gb"] = str(self.rng.choice([16, 24, 32, 48, 80, 96, 141, 192]))
        if self.rng.random() < 0.2:
            del specs["performance_density"]
        return specs

    def _criteria(self) -> list[dict[str, str]]:
        clauses = [{"tpp_min": str(self.rng.choice([1600, 2400, 4800, 6000]))}]
        if self.rng.random() < 0.6:
            clauses.append(
                {
                    "tpp_min": str(self.rng.choice([1600, 2400])),
                    "performance_density_min": self.rng.choice(["1.6", "3.2", "5.92"]),
                }
            )
        if self.rng.random() < 0.2:
            clauses.append({"memory_bandwidth_gbps_min": "4000", "hbm_gb_min": "80"})
        if self.rng.random() < CAPPED_SHARE:  # a tier bounded above (catalog v2)
            clauses.append(dict(self.rng.choice(CAPPED_CLAUSES)))
        return clauses

    def _sources(self, n: int) -> list[dict[str, str]]:
        return [
            {
                "url": f"https://example.org/news/{self.rng.randrange(10**6)}",
                "title": "Report on export controls",
                "publisher": self.rng.choice(
                    ["Reuters", "Bloomberg", "Federal Register", "Nikkei"]
                ),
            }
            for _ in range(n)
        ]

    def _emit(
        self,
        index: int,
        type_: str,
        key: str,
        data: dict[str, Any],
        effective: datetime | None,
        *,
        reported: datetime | None = None,
        base: bool = True,
    ) -> Planned:
        recorded = self._recorded(index)
        body: dict[str, Any] = {
            "type": type_,
            "summary": f"{type_} {key}",
            "data": data,
            "sources": self._sources(self.rng.choice((0, 1, 1, 2))),
        }
        if effective is not None:
            body["effective_at"] = text_day(effective)
        if reported is not None:
            body["reported_at"] = format_instant(reported)
        elif effective is not None and self.rng.random() < 0.01:
            # an embargo: reported (public) some days after it was recorded
            body["reported_at"] = format_instant(recorded + timedelta(days=self.rng.uniform(1, 30)))
        planned = Planned(
            body, str(uuid.UUID(int=self.rng.getrandbits(128), version=4)), recorded, key
        )
        self.versions[key] = self.versions.get(key, 0) + 1
        if base:
            self.bases.append(Base(planned.event_id, type_, key, data, effective))
        self.out.append(planned)
        return planned

    def _create(
        self, kind: str, thing_id: str, key: str, data: dict[str, Any], effective: datetime
    ) -> None:
        thing = Thing(kind, thing_id, key, data, effective)
        self.things[key] = thing
        if kind in self.live:
            thing.index = len(self.live[kind])
            self.live[kind].append(thing)

    def _end(self, thing: Thing) -> None:
        """No more lifecycle events for it (ended, or its creator or ending retracted)."""
        if thing.index < 0:
            return
        pool = self.live[thing.kind]
        last = pool.pop()
        if last is not thing:
            pool[thing.index] = last
            last.index = thing.index
        thing.index = -1
