"""The data set all three point-in-time figures share: one fresh database, the history
stored and projected on first use, random queries over it, all dropped at close."""

from __future__ import annotations

import random
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from services.bootstrap import Container, bootstrap
from services.read.pit import Coordinates
from services.settings import Settings
from tests.bench.common import (
    BenchFarm,
    FreshDb,
    Stopwatch,
    fresh_database,
    note,
    postgres_cpu_delta,
    postgres_cpu_seconds,
)
from tests.bench.pit.history import History
from tests.bench.pit.load import analyze, autovacuum, load_direct, load_writer
from tests.bench.pit.workload import (
    ANALYZE,
    END,
    LOAD_MODE,
    SEED,
    START,
    V2_PROBE_SHARE,
    sizes,
)
from tests.bench.v2_mix import count_v2


@dataclass
class Query:
    chip: str
    at: Coordinates


class Dataset:
    """The database, the container and the history, built on first use, dropped at close."""

    def __init__(self, farm: BenchFarm):
        self.farm = farm
        self.stack = ExitStack()
        self.built = False
        self.error: BaseException | None = None
        self.db: FreshDb
        self.container: Container
        self.chips: list[str] = []
        self.v2_chips: list[str] = []  # named by a measure using catalog v2 (groups, ...)
        self.facts: dict[str, Any] = {}
        self.position = 0
        self.rng = random.Random(SEED + 1)
        self.results: dict[str, float] = {}  # means measured by one figure, used by another

    def ready(self) -> Dataset:
        if self.error is not None:
            raise RuntimeError(f"the point-in-time data set could not be built: {self.error!r}")
        if not self.built:
            try:
                self._build()
            except BaseException as error:
                self.error = error
                raise
            self.built = True
        return self

    def _build(self) -> None:
        size = sizes()
        self.db = self.stack.enter_context(fresh_database(self.farm))
        self.container = bootstrap(Settings(database_url=self.db.service_url))
        self.stack.callback(self.container.close)
        watch = Stopwatch()
        history = History(size["pit_events"], size["pit_chips"], size["pit_companies"])
        plan = history.generate()
        generate_s = watch.elapsed
        note(
            f"pit: generated {len(plan)} events in {generate_s:.1f} s; storing ({LOAD_MODE}) "
            f"on {self.db.name}"
        )
        watch = Stopwatch()
        pg_before = postgres_cpu_seconds()
        if LOAD_MODE == "writer":
            load_writer(self.container, plan)
        else:
            load_direct(self.container, plan)
        store_s, store_cpu, store_pg = watch.elapsed, watch.cpu, postgres_cpu_delta(pg_before)
        note(f"pit: stored in {store_s:.1f} s; projecting")
        watch = Stopwatch()
        pg_before = postgres_cpu_seconds()
        self.container.catch_up()
        project_s, project_cpu, project_pg = watch.elapsed, watch.cpu, postgres_cpu_delta(pg_before)
        analyze_s = None
        if ANALYZE:
            watch = Stopwatch()
            analyze(self.db)
            analyze_s = round(watch.elapsed, 1)
        self.position = self.container.projected_position()
        head = self.container.log.head()
        note(f"pit: projected to {self.position} (head {head}) in {project_s:.1f} s")
        if self.position != head:
            raise RuntimeError(f"projection at {self.position}, log head at {head}")
        self.chips = list(history.registered)
        self.v2_chips = list(history.v2_chips)
        types: dict[str, int] = {}
        for planned in plan:
            types[planned.body["type"]] = types.get(planned.body["type"], 0) + 1
        self.facts = {
            "events": len(plan),
            "chips": len(self.chips),
            "companies": len(history.companies),
            "measures": history.counters.get("m", 0),
            "criteria_measures": history.criteria_measures,
            "revisions": types.get("EventCorrected", 0) + types.get("EventRetracted", 0),
            "catalog_v2": count_v2((p.body["type"], p.body["data"]) for p in plan),
            "v2_chips": len(self.v2_chips),
            "load": LOAD_MODE,
            "generate_s": round(generate_s, 1),
            "store_s": round(store_s, 1),
            "store_events_per_s": round(len(plan) / store_s),
            "store_cpu_s": round(store_cpu, 1),
            "store_db_cpu_s": None if store_pg is None else round(store_pg, 1),
            "project_s": round(project_s, 1),
            "project_events_per_s": round(len(plan) / project_s),
            "project_cpu_s": round(project_cpu, 1),
            "project_db_cpu_s": None if project_pg is None else round(project_pg, 1),
            "analyze_s": analyze_s,
            "autovacuum": autovacuum(self.db),
            "position": self.position,
        }
        note(f"pit: data set {self.facts}")

    def probe_chip(self) -> str:
        """A random chip: V2_PROBE_SHARE of them named by a measure using catalog v2 (so the
        answers fold groups, policies and suspensions), the others any chip."""
        if self.v2_chips and self.rng.random() < V2_PROBE_SHARE:
            return self.rng.choice(self.v2_chips)
        return self.rng.choice(self.chips)

    def probe_chips(self, n: int) -> list[str]:
        """`n` distinct chips drawn as `probe_chip` draws them (or every chip)."""
        chosen: dict[str, None] = {}
        n = min(n, len(self.chips))
        while len(chosen) < n:
            chosen[self.probe_chip()] = None
        return list(chosen)

    def queries(self, n: int, chips: list[str] | None = None) -> list[Query]:
        """Random chips (`probe_chip`, or the given ones, in order), T and K uniform over the
        data's dates."""
        low, high = START - timedelta(days=30), END + timedelta(days=90)
        span = (high - low).total_seconds()
        out = []
        for i in range(n):
            chip = chips[i % len(chips)] if chips else self.probe_chip()
            t = low + timedelta(seconds=self.rng.uniform(0, span))
            k = low + timedelta(seconds=self.rng.uniform(0, span))
            out.append(
                Query(
                    chip,
                    Coordinates(t.replace(microsecond=0), k.replace(microsecond=0), self.position),
                )
            )
        return out

    def close(self) -> None:
        self.stack.close()
