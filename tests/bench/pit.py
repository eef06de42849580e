"""SPEC §9 point-in-time figures: chip state at random (T, K), in process and over HTTP, and
against the reference fold over the whole log read from the store.

One fresh database holds BENCH_SCALE x (100k events, 5k chips, 500 companies): a valid history
made by `History` (registrations first, lifecycle events after their creators in log order and
in valid time, versions consecutive per aggregate, ~5 % corrections and retractions). The
events are stored directly with `container.log.append` in batches (BENCH_PIT_LOAD=writer sends
the same envelopes through `container.writer.append(batch=True)` instead: every write rule is
checked, much slower), then projected with `container.catch_up()`. All three figures share it.
"""

from __future__ import annotations

import itertools
import math
import os
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from domain.catalog import CATALOG, Role
from domain.clocks import format_instant, parse_instant
from domain.decide import canonical_data
from domain.dossier import aggregate_id
from domain.envelope import ImportedEnvelope
from domain.events import EVENT_CLASSES, SCHEMA_VERSION, Recorded
from domain.pit import state as fold_state
from projections.state_queries import Reading
from services import heap
from services.bootstrap import Container, bootstrap
from services.parsing import parse_envelope
from services.pit import Coordinates, PointInTime
from services.settings import Settings
from services.writer import Item
from tests.bench.common import (
    BenchFarm,
    FreshDb,
    Reported,
    Stopwatch,
    emit,
    fresh_database,
    note,
    postgres_cpu_delta,
    postgres_cpu_seconds,
    scale,
    scaled,
)

FIGURES = ("pit_query_p99_ms_inprocess", "pit_query_p99_ms_http", "pit_speedup_vs_fold")
SEED = int(os.environ.get("BENCH_PIT_SEED", "20250811"))
LOAD_MODE = os.environ.get("BENCH_PIT_LOAD", "direct")  # direct | writer
# This PostgreSQL runs with autovacuum off, so a freshly loaded table has no statistics and
# the planner guesses (badly, see the report). A default server's autovacuum would ANALYZE
# within a minute of the load; BENCH_PIT_ANALYZE=0 measures the unanalysed plans instead.
ANALYZE = os.environ.get("BENCH_PIT_ANALYZE", "1") != "0"
LUA = Path(__file__).with_name("pit_query.lua")

START = datetime(2018, 1, 1, tzinfo=UTC)  # recorded_at runs from here ...
END = datetime(2025, 12, 31, tzinfo=UTC)  # ... to here; queries draw T and K over the range
DAY = timedelta(days=1)
APPEND_BATCH = 2000
SERVED_REPEATS = 5  # the served side of the speedup: each sample query timed this often
SLICE_SAMPLE = 300  # queries whose slice (events read and folded) is counted
WRITER_BATCH = 1000

# The mix of domain events (relative weights); registrations and revisions come on top.
MIX = {
    "ExportBanImposed": 10, "ExportBanAmended": 5, "ExportBanLifted": 4,
    "LicenseGranted": 16, "LicenseDenied": 3, "LicenseRevoked": 3,
    "RevenueShareAgreed": 5, "RevenueShareEnded": 2,
    "AdvisoryIssued": 8, "AdvisoryWithdrawn": 3,
    "ProductionHalted": 10, "ProductionResumed": 6,
    "InvestigationOpened": 7, "InvestigationConcluded": 4,
}
REVISION_SHARE = 0.05  # of all events: corrections and retractions
RETRACTION_SHARE = 0.3  # of revisions
# of measures: threshold clauses (every chip's slice holds every such measure)
CRITERIA_SHARE = float(os.environ.get("BENCH_PIT_CRITERIA_SHARE", "0.02"))
END_USER_SHARE = 0.10  # of measures: name end-user companies
HOT_CHIPS = 0.02  # this share of chips ...
HOT_PICKS = 0.25  # ... gets this share of the mentions (flagships are named often)
INITIAL_CHIPS = 0.4  # registered before any domain event; the rest arrive over time

EXPORTERS = ["US"] * 14 + ["NL", "NL", "JP", "JP", "EU", "GB", "KR", "TW", "CN"]
DESTINATIONS = ["CN", "RU", "IR", "KP", "HK", "MO", "BY", "SY", "CU", "VE", "AE", "SA", "IN",
                "VN", "MY", "SG", "US", "NL"]
AUTHORITY = {"US": "BIS", "NL": "MinBuZa", "JP": "METI", "EU": "European Commission",
             "GB": "ECJU", "KR": "MOTIE", "TW": "MOEA", "CN": "MOFCOM"}
REGULATORS = [("CAC", "CN"), ("SAMR", "CN"), ("MIIT", "CN"), ("BIS", "US"), ("FTC", "US"),
              ("DG COMP", "EU"), ("CMA", "GB"), ("KFTC", "KR"), ("JFTC", "JP")]
GUIDANCE = ["caution", "avoid_purchase", "purchase_ban", "import_blocked", "security_review",
            "other"]
LIFT_REASONS = ["rescinded", "suspended", "expired", "superseded", "other"]


def sizes() -> dict[str, Any]:
    events = scaled(100_000, 2_000)
    return {
        "pit_events": events,
        "pit_chips": scaled(5_000, 100),
        "pit_companies": scaled(500, 20),
        "pit_queries": scaled(2_000, 200),
        "pit_cold_queries": scaled(300, 100),
        "pit_http_chips": scaled(500, 100),
        "pit_fold_sample": max(3, min(10, round(0.5 / scale()))),
        "pit_equality_sample": max(5, min(25, round(2.5 / scale()))),
        "pit_http_seconds": max(3, round(10 * scale())),
        "pit_load": LOAD_MODE,
        "pit_analyze": ANALYZE,
        "pit_mix": {"criteria_share_of_measures": CRITERIA_SHARE,
                    "hot_chips": f"{HOT_CHIPS:.0%} of chips get {HOT_PICKS:.0%} of mentions",
                    "revisions_share": REVISION_SHARE},
    }


# -- a valid history -----------------------------------------------------------------------

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
        self.open = self.open | set(chips) if type_ == "ProductionHalted" else self.open - set(chips)
        return len(self.events) - 1

    def retract(self, index: int) -> None:
        self.events[index][2] = False
        self.open = set()
        for type_, chips, alive in self.events:
            if alive:
                self.open = self.open | set(chips) if type_ == "ProductionHalted" \
                    else self.open - set(chips)


def day(moment: datetime) -> datetime:
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)


def text_day(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d")


class History:
    """Generates a valid, realistic log in store order (random but reproducible)."""

    def __init__(self, events: int, chips: int, companies: int, seed: int = SEED):
        self.rng = random.Random(seed)
        self.total, self.n_chips, self.n_companies = events, chips, companies
        self.companies = [f"co-{i:04d}" for i in range(companies)]
        self.chip_ids = [f"chip-{i:05d}" for i in range(chips)]
        self.registered: list[str] = []  # chips registered so far, in order
        self.manufacturer: dict[str, str] = {}
        self.made_by: dict[str, list[str]] = {}
        self.live: dict[str, list[Thing]] = {k: [] for k in
                                              ("measure", "license", "agreement", "advisory", "case")}
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
        pool = [c for c in self.rng.sample(self.companies, min(len(self.companies), high + 1))
                if c != but]
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
        specs = {"tpp": str(self.rng.randint(50, 8000)),
                 "performance_density": f"{self.rng.uniform(0.5, 12):.2f}"}
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
            clauses.append({"tpp_min": str(self.rng.choice([1600, 2400])),
                            "performance_density_min": self.rng.choice(["1.6", "3.2", "5.92"])})
        if self.rng.random() < 0.2:
            clauses.append({"memory_bandwidth_gbps_min": "4000", "hbm_gb_min": "80"})
        return clauses

    def _sources(self, n: int) -> list[dict[str, str]]:
        return [{"url": f"https://example.org/news/{self.rng.randrange(10**6)}",
                 "title": "Report on export controls", "publisher": self.rng.choice(
                     ["Reuters", "Bloomberg", "Federal Register", "Nikkei"])}
                for _ in range(n)]

    def _emit(self, index: int, type_: str, key: str, data: dict[str, Any],
              effective: datetime | None, *, reported: datetime | None = None,
              base: bool = True) -> Planned:
        recorded = self._recorded(index)
        body: dict[str, Any] = {"type": type_, "summary": f"{type_} {key}", "data": data,
                                "sources": self._sources(self.rng.choice((0, 1, 1, 2)))}
        if effective is not None:
            body["effective_at"] = text_day(effective)
        if reported is not None:
            body["reported_at"] = format_instant(reported)
        elif effective is not None and self.rng.random() < 0.01:
            # an embargo: reported (public) some days after it was recorded
            body["reported_at"] = format_instant(recorded + timedelta(days=self.rng.uniform(1, 30)))
        planned = Planned(body, str(uuid.UUID(int=self.rng.getrandbits(128), version=4)),
                          recorded, key)
        self.versions[key] = self.versions.get(key, 0) + 1
        if base:
            self.bases.append(Base(planned.event_id, type_, key, data, effective))
        self.out.append(planned)
        return planned

    def _create(self, kind: str, thing_id: str, key: str, data: dict[str, Any],
                effective: datetime) -> None:
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

    # generation ------------------------------------------------------------------------
    def generate(self) -> list[Planned]:
        index = 0
        for company in self.companies:
            self._emit(index, "CompanyRegistered", f"company:{company}",
                       {"company": company, "name": company.upper(),
                        "country": self.rng.choice(["US", "US", "CN", "TW", "KR", "NL", "JP"])}, None)
            index += 1
        initial = max(1, int(self.n_chips * INITIAL_CHIPS))
        for _ in range(initial):
            self._register_chip(index)
            index += 1
        later_chips = self.n_chips - initial
        while index < self.total:
            remaining = self.total - index
            if later_chips and self.rng.random() < later_chips / remaining:
                self._register_chip(index)
                later_chips -= 1
            elif self.rng.random() < REVISION_SHARE and self.bases:
                self._revision(index)
            else:
                self._domain(index, self.rng.choices(self._mix_types, cum_weights=self._mix_cum)[0])
            index += 1
        return self.out

    def _register_chip(self, index: int) -> None:
        chip = self.chip_ids[len(self.registered)]
        maker = self.rng.choice(self.companies[: max(1, len(self.companies) // 5)]
                                if self.rng.random() < 0.7 else self.companies)
        data: dict[str, Any] = {"chip": chip, "name": chip.upper(), "manufacturer": maker}
        if self.registered and self.rng.random() < 0.3:
            data["successor_of"] = self.rng.choice(self.registered[-50:])
        specs = self._specs()
        if specs is not None:
            data["specs"] = specs
        self._emit(index, "ChipRegistered", f"chip:{chip}", data, None)
        self.registered.append(chip)
        self.manufacturer[chip] = maker
        self.made_by.setdefault(maker, []).append(chip)

    def _domain(self, index: int, type_: str) -> None:
        recorded = self._recorded(index)
        kind = CATALOG[type_].kind
        role = CATALOG[type_].role
        if role in (Role.LIFECYCLE, Role.TERMINAL):
            if not self.live[kind]:
                self._domain(index, {"measure": "ExportBanImposed", "license": "LicenseGranted",
                                     "agreement": "RevenueShareAgreed", "advisory": "AdvisoryIssued",
                                     "case": "InvestigationOpened"}[kind])
                return
            self._lifecycle(index, type_, self.rng.choice(self.live[kind]), recorded)
            return
        if role is Role.PRODUCTION:
            self._production(index, type_, recorded)
            return
        getattr(self, f"_new_{kind}")(index, recorded)

    def _new_measure(self, index: int, recorded: datetime) -> None:
        measure = self._next_id("m")
        jurisdiction = self.rng.choice(EXPORTERS)
        data: dict[str, Any] = {"measure_id": measure, "authority": AUTHORITY[jurisdiction],
                                "jurisdiction": jurisdiction,
                                "destinations": self._destinations(jurisdiction),
                                "control": self.rng.choice(["ban", "ban", "license_required",
                                                            "license_required", "license_required"])}
        roll = self.rng.random()
        if roll < CRITERIA_SHARE:
            data["criteria"] = self._criteria()
            if self.rng.random() < 0.5:
                data["chips"] = self._chips(1, 5)
            self.criteria_measures += 1
        elif roll < CRITERIA_SHARE + END_USER_SHARE:
            data["companies"] = self._companies(1, 3)
            if self.rng.random() < 0.7:
                data["chips"] = self._chips(1, 5)
        else:
            data["chips"] = self._chips(1, 20)
        effective = self._effective(recorded)
        key = f"measure:{measure}"
        self._emit(index, "ExportBanImposed", key, data, effective)
        self._create("measure", measure, key, data, effective)

    def _new_license(self, index: int, recorded: datetime) -> None:
        licence = self._next_id("lic")
        measures = self.live["measure"]
        source = self.rng.choice(measures) if measures and self.rng.random() < 0.7 else None
        if source is not None and source.data.get("chips"):
            jurisdiction = source.data["jurisdiction"]
            chips = self.rng.sample(source.data["chips"],
                                    self.rng.randint(1, min(5, len(source.data["chips"]))))
            destinations = self.rng.sample(source.data["destinations"],
                                           self.rng.randint(1, len(source.data["destinations"])))
        else:
            jurisdiction = self.rng.choice(EXPORTERS)
            chips, destinations = self._chips(1, 5), self._destinations(jurisdiction, 1, 3)
        effective = self._effective(recorded)
        data: dict[str, Any] = {"license_id": licence, "authority": AUTHORITY[jurisdiction],
                                "jurisdiction": jurisdiction,
                                "licensee": self.manufacturer.get(chips[0], self.companies[0]),
                                "chips": chips, "destinations": destinations}
        if self.rng.random() < 0.4:
            data["expires_at"] = text_day(effective + DAY * self.rng.randint(90, 730))
        key = f"license:{licence}"
        self._emit(index, "LicenseGranted", key, data, effective)
        self._create("license", licence, key, data, effective)

    def _new_application(self, index: int, recorded: datetime) -> None:
        application = self._next_id("app")
        jurisdiction = self.rng.choice(EXPORTERS)
        chips = self._chips(1, 4)
        data = {"application_id": application, "authority": AUTHORITY[jurisdiction],
                "jurisdiction": jurisdiction, "licensee": self.manufacturer[chips[0]],
                "chips": chips, "destinations": self._destinations(jurisdiction, 1, 2)}
        self._emit(index, "LicenseDenied", f"application:{application}", data,
                   self._effective(recorded))

    def _new_agreement(self, index: int, recorded: datetime) -> None:
        agreement = self._next_id("rs")
        chips = self._chips(1, 5)
        data = {"agreement_id": agreement, "company": self.manufacturer[chips[0]], "chips": chips,
                "destinations": self._destinations("US", 1, 2), "beneficiary": "US",
                "percent": self.rng.choice(["15", "12.5", "20", "5", "25"])}
        effective = self._effective(recorded)
        key = f"agreement:{agreement}"
        self._emit(index, "RevenueShareAgreed", key, data, effective)
        self._create("agreement", agreement, key, data, effective)

    def _new_advisory(self, index: int, recorded: datetime) -> None:
        advisory = self._next_id("adv")
        authority, jurisdiction = self.rng.choice(REGULATORS)
        data: dict[str, Any] = {"advisory_id": advisory, "authority": authority,
                                "jurisdiction": jurisdiction, "guidance": self.rng.choice(GUIDANCE),
                                "chips": self._chips(1, 5)}
        if self.rng.random() < 0.4:
            data["companies"] = self._companies(1, 3)
        effective = self._effective(recorded)
        key = f"advisory:{advisory}"
        self._emit(index, "AdvisoryIssued", key, data, effective)
        self._create("advisory", advisory, key, data, effective)

    def _new_case(self, index: int, recorded: datetime) -> None:
        case = self._next_id("case")
        authority, jurisdiction = self.rng.choice(REGULATORS)
        data: dict[str, Any] = {"case_id": case, "authority": authority, "jurisdiction": jurisdiction,
                                "companies": self._companies(1, 3),
                                "kind": self.rng.choice(["antitrust", "security", "summons", "other"])}
        if self.rng.random() < 0.6:
            data["chips"] = self._chips(1, 5)
        effective = self._effective(recorded)
        key = f"case:{case}"
        self._emit(index, "InvestigationOpened", key, data, effective)
        self._create("case", case, key, data, effective)

    def _lifecycle(self, index: int, type_: str, thing: Thing, recorded: datetime) -> None:
        effective = self._later(recorded, thing.last_effective)
        id_field = CATALOG[type_].id_field
        data: dict[str, Any] = {id_field: thing.id}
        if type_ == "ExportBanAmended":
            choice = self.rng.random()
            if thing.data.get("criteria") and choice < 0.5:
                data["criteria"] = self._criteria()
            elif choice < 0.35:
                data["control"] = self.rng.choice(["ban", "license_required"])
            elif choice < 0.7:
                data["destinations"] = self._destinations(thing.data["jurisdiction"])
            else:
                data["chips"] = self._chips(1, 20)
        elif type_ == "ExportBanLifted":
            data["reason"] = self.rng.choice(LIFT_REASONS)
        elif type_ == "InvestigationConcluded":
            data["finding"] = self.rng.choice(["violation", "cleared", "other"])
        self._emit(index, type_, thing.key, data, effective)
        thing.last_effective = effective
        if CATALOG[type_].role is Role.TERMINAL:
            self._end(thing)

    def _production(self, index: int, type_: str, recorded: datetime) -> None:
        if type_ == "ProductionResumed" and not self.halting:
            type_ = "ProductionHalted"
        if type_ == "ProductionHalted":
            company = self.rng.choice(list(self.made_by)) if self.rng.random() < 0.8 \
                else self.rng.choice(self.companies)
            own = self.made_by.get(company) or self.registered
            chips = list(dict.fromkeys(self.rng.choice(own) for _ in range(self.rng.randint(1, 3))))
            data: dict[str, Any] = {"company": company, "chips": chips,
                                    "suppliers": self._companies(0, 3, but=company)}
            if self.rng.random() < 0.5:
                data["reason"] = "Export licence uncertainty"
        else:
            company = self.rng.choice(sorted(self.halting))
            open_now = sorted(self.production[company].open)
            chips = self.rng.sample(open_now, self.rng.randint(1, min(3, len(open_now))))
            data = {"company": company, "chips": chips}
        record = self.production.setdefault(company, Production())
        effective = self._later(recorded, record.last_effective - DAY)
        record.last_effective = effective
        self._emit(index, type_, f"production:{company}", data, effective)
        self.bases[-1].data = {"_production_index": record.add(type_, chips), **data}
        self._note_halting(company)

    def _note_halting(self, company: str) -> None:
        if self.production[company].open:
            self.halting.add(company)
        else:
            self.halting.discard(company)

    def _revision(self, index: int) -> None:
        target = None
        for _ in range(20):
            candidate = self.rng.choice(self.bases)
            if not candidate.retracted:
                target = candidate
                break
        if target is None:
            self._domain(index, self.rng.choices(self._mix_types, cum_weights=self._mix_cum)[0])
            return
        role = CATALOG[target.type].role
        if role is not Role.REGISTRY and self.rng.random() < RETRACTION_SHARE:
            self._retract(index, target)
        else:
            self._correct(index, target, role)

    def _retract(self, index: int, target: Base) -> None:
        self._emit(index, "EventRetracted", target.key,
                   {"event_id": target.event_id, "reason": "Report withdrawn by its source"},
                   None, base=False)
        target.retracted = True
        thing = self.things.get(target.key)
        if thing is not None and CATALOG[target.type].role in (Role.CREATOR, Role.TERMINAL):
            self._end(thing)  # no lifecycle on a retracted creator; keep ended ones ended
        if target.type.startswith("Production"):
            self.production[target.data["company"]].retract(target.data["_production_index"])
            self._note_halting(target.data["company"])

    def _correct(self, index: int, target: Base, role: Role) -> None:
        changes: dict[str, Any] = {}
        roll = self.rng.random()
        data = {k: v for k, v in target.data.items() if not k.startswith("_")}
        if role is Role.REGISTRY or roll < 0.4:
            replaced = self._corrected_data(target.type, data)
            if replaced is not None:
                changes["data"] = replaced
        if not changes and target.effective_at is not None:
            if roll < 0.7 and role in (Role.CREATOR, Role.TERMINAL):
                # creators move earlier, endings later: later writes stay valid
                shift = DAY * self.rng.randint(1, 10)
                moved = target.effective_at - shift if role is Role.CREATOR else target.effective_at + shift
                changes["effective_at"] = text_day(moved)
                target.effective_at = moved
            else:
                changes["reported_at"] = text_day(target.effective_at - DAY * self.rng.randint(1, 30))
        if not changes:  # a registry event with nothing to change: rename it
            changes["data"] = {**data, "name": data["name"] + " (corrected)"}
        self._emit(index, "EventCorrected", target.key,
                   {"event_id": target.event_id, "changes": changes}, None, base=False)
        if "data" in changes:
            kept = {k: v for k, v in target.data.items() if k.startswith("_")}
            target.data = {**changes["data"], **kept}
            thing = self.things.get(target.key)
            if thing is not None and CATALOG[target.type].role is Role.CREATOR:
                thing.data = changes["data"]

    def _corrected_data(self, type_: str, data: dict[str, Any]) -> dict[str, Any] | None:
        new = dict(data)
        if type_ == "ChipRegistered":
            specs = self._specs()
            if specs is None:
                new.pop("specs", None)
            else:
                new["specs"] = specs
        elif type_ == "CompanyRegistered":
            new["name"] = data["name"] + " Inc"
        elif type_ in ("ExportBanImposed", "LicenseDenied"):
            new["destinations"] = self._destinations(data["jurisdiction"], 1, 4)
        elif type_ == "ExportBanAmended":
            if "control" in data:
                new["control"] = "ban" if data["control"] == "license_required" else "license_required"
            elif "destinations" in data:
                new["destinations"] = self._destinations("US")
            else:
                return None
        elif type_ == "ExportBanLifted":
            new["reason"] = self.rng.choice(LIFT_REASONS)
        elif type_ == "LicenseGranted":
            if "expires_at" in data or self.rng.random() < 0.5:
                new["expires_at"] = text_day(parse_instant(data.get("expires_at") or "2026-01-01")
                                             + DAY * self.rng.randint(-60, 60))
            else:
                new["destinations"] = self._destinations(data["jurisdiction"], 1, 3)
        elif type_ == "RevenueShareAgreed":
            new["percent"] = self.rng.choice(["10", "15", "17.5"])
        elif type_ == "AdvisoryIssued":
            new["guidance"] = self.rng.choice(GUIDANCE)
        elif type_ == "InvestigationOpened":
            new["kind"] = self.rng.choice(["antitrust", "security", "summons", "other"])
        elif type_ == "InvestigationConcluded":
            new["finding"] = self.rng.choice(["violation", "cleared", "other"])
        elif type_ == "ProductionHalted":
            new["suppliers"] = self._companies(0, 3, but=data["company"])
        else:
            return None
        return new


# -- storing it ----------------------------------------------------------------------------

def stored_event(planned: Planned, version: int, targets: dict[str, str]) -> Recorded:
    """What the writer would store for this envelope (services/recording.py `_stored_event`),
    canonicalised the same way (decide's `canonical_data`; a correction's data by its
    target's type)."""
    envelope = parse_envelope(planned.body)
    event_type = CATALOG[envelope.type]
    data = canonical_data(event_type, envelope.data)
    if envelope.type == "EventCorrected" and "data" in data["changes"]:
        target_type = CATALOG[targets[data["event_id"]]]
        model = target_type.model.model_validate(data["changes"]["data"])
        data["changes"]["data"] = canonical_data(target_type, model)
    effective = None if envelope.effective_at is None else format_instant(envelope.effective_at)
    recorded = planned.recorded_at
    if envelope.reported_at is not None:
        reported = format_instant(envelope.reported_at)
    elif effective is None or event_type.role is Role.REVISION:
        reported = format_instant(recorded)
    else:
        reported = format_instant(min(envelope.effective_at, recorded))  # type: ignore[type-var]
    return EVENT_CLASSES[envelope.type](
        originator_id=aggregate_id(planned.key),
        originator_version=version,
        timestamp=recorded,
        event_id=planned.event_id,
        aggregate=planned.key,
        effective_at=effective,
        reported_at=reported,
        recorded_at=format_instant(recorded),
        recorded_by="bench",
        summary=envelope.summary,
        sources=[s.model_dump(mode="json", exclude_none=True) for s in envelope.sources],
        data=data,
        schema_version=SCHEMA_VERSION,
    )


def load_direct(container: Container, plan: list[Planned]) -> None:
    versions: dict[str, int] = {}
    targets: dict[str, str] = {}
    batch: list[Recorded] = []
    for planned in plan:
        version = versions.get(planned.key, 0) + 1
        versions[planned.key] = version
        event = stored_event(planned, version, targets)
        targets[planned.event_id] = event.type
        batch.append(event)
        if len(batch) >= APPEND_BATCH:
            container.log.append(batch)
            batch = []
    if batch:
        container.log.append(batch)


def load_writer(container: Container, plan: list[Planned]) -> None:
    """Every envelope through the writer's use case (decide: every write rule), projecting
    after each batch so the writer finds revision targets in the views, not the log's tail."""
    for start in range(0, len(plan), WRITER_BATCH):
        items = [Item(parse_envelope(p.body), ImportedEnvelope(id=uuid.UUID(p.event_id),
                                                               recorded_at=format_instant(p.recorded_at),
                                                               recorded_by="bench"))
                 for p in plan[start:start + WRITER_BATCH]]
        container.writer.append(items, "bench", batch=True)
        container.catch_up()


def analyze(db: FreshDb) -> None:
    """ANALYZE as the owner: what autovacuum does after a bulk load on a default server."""
    import psycopg

    with psycopg.connect(db.owner_url, autocommit=True) as conn:
        conn.execute("ANALYZE")


def autovacuum(db: FreshDb) -> str:
    import psycopg

    with psycopg.connect(db.owner_url) as conn:
        row = conn.execute("SHOW autovacuum").fetchone()
        return str(row[0]) if row else "unknown"


# -- the shared data set -------------------------------------------------------------------

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
        note(f"pit: generated {len(plan)} events in {generate_s:.1f} s; storing ({LOAD_MODE}) "
             f"on {self.db.name}")
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
        types: dict[str, int] = {}
        for planned in plan:
            types[planned.body["type"]] = types.get(planned.body["type"], 0) + 1
        self.facts = {
            "events": len(plan), "chips": len(self.chips), "companies": len(history.companies),
            "measures": history.counters.get("m", 0), "criteria_measures": history.criteria_measures,
            "revisions": types.get("EventCorrected", 0) + types.get("EventRetracted", 0),
            "load": LOAD_MODE, "generate_s": round(generate_s, 1), "store_s": round(store_s, 1),
            "store_events_per_s": round(len(plan) / store_s),
            "store_cpu_s": round(store_cpu, 1),
            "store_db_cpu_s": None if store_pg is None else round(store_pg, 1),
            "project_s": round(project_s, 1),
            "project_events_per_s": round(len(plan) / project_s),
            "project_cpu_s": round(project_cpu, 1),
            "project_db_cpu_s": None if project_pg is None else round(project_pg, 1),
            "analyze_s": analyze_s, "autovacuum": autovacuum(self.db),
            "position": self.position,
        }
        note(f"pit: data set {self.facts}")

    def queries(self, n: int, chips: list[str] | None = None) -> list[Query]:
        """Random chips (or the given ones, in order), T and K uniform over the data's dates."""
        low, high = START - timedelta(days=30), END + timedelta(days=90)
        span = (high - low).total_seconds()
        out = []
        for i in range(n):
            chip = chips[i % len(chips)] if chips else self.rng.choice(self.chips)
            t = low + timedelta(seconds=self.rng.uniform(0, span))
            k = low + timedelta(seconds=self.rng.uniform(0, span))
            out.append(Query(chip, Coordinates(t.replace(microsecond=0), k.replace(microsecond=0),
                                               self.position)))
        return out

    def close(self) -> None:
        self.stack.close()


# -- measuring -----------------------------------------------------------------------------

def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(q * len(ordered)) - 1)]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _summary(latencies: list[float], prefix: str) -> dict[str, Any]:
    return {f"{prefix}n": len(latencies), f"{prefix}p50_ms": _ms(_pct(latencies, 0.5)),
            f"{prefix}p99_ms": _ms(_pct(latencies, 0.99)), f"{prefix}max_ms": _ms(max(latencies)),
            f"{prefix}mean_ms": _ms(statistics.fmean(latencies))}


def served(container: Container, pit: PointInTime, query: Query) -> dict[str, Any] | None:
    """What GET /v1/chips/{chip} computes (services/api/routes/subjects.py)."""
    with Reading(container.engine) as db:  # as the route does: connects only if needed
        return pit.state(db, "chip", query.chip, query.at)


def time_queries(container: Container, pit: PointInTime, queries: list[Query]) -> tuple[list[float], int]:
    latencies, missing = [], 0
    for query in queries:
        t0 = time.perf_counter()
        answer = served(container, pit, query)
        latencies.append(time.perf_counter() - t0)
        missing += answer is None
    return latencies, missing


def slice_sizes(container: Container, queries: list[Query]) -> tuple[list[int], list[int]]:
    """Per query: the chip's slice (own aggregates' events + every criteria measure's) and
    what is folded of it (criteria measures that can never cover the chip left out)."""
    from projections.slice_cache import CRITERIA

    raw, folded = [], []
    pit = container.pit
    with Reading(container.engine) as db:
        for query in queries:
            P = query.at.position
            raw.append(len(set(pit.slices.positions(db, f"chip:{query.chip}", P))
                           | set(pit.slices.positions(db, CRITERIA, P))))
            folded.append(pit.prepared_slice(db, "chip", query.chip, P).size)
    return raw, folded


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def preload(container: Container, pit: PointInTime, chips: list[str], position: int) -> int:
    """The state of a serving process that has answered for a while: every projected event
    decoded (the cache holds 300,000, more than this log) and every chip read once at P, so
    its slice is held (the timed queries then use other T and K)."""
    from sqlalchemy import select

    from projections.projector import active_tables
    from projections.state_queries import written

    with container.engine.connect() as conn:
        e = active_tables(conn).event
        positions = list(conn.execute(select(e.c.position)).scalars())
        count = len(written(Reading(conn=conn), positions, pit.cache))
        for chip in chips:
            pit.prepared_slice(Reading(conn=conn), "chip", chip, position)
    return count


def pit_inprocess(data: Dataset) -> dict[str, Any]:
    data.ready()
    size = sizes()
    container = data.container
    heap.settle()  # what `regtl serve` does once started (services/heap.py)
    # Cold: a fresh decoded-event cache, each query's chip touched for the first time (the
    # criteria measures every chip's slice holds are decoded by the first query only).
    cold_chips = data.rng.sample(data.chips, min(size["pit_cold_queries"], len(data.chips)))
    cold, _ = time_queries(container, PointInTime(), data.queries(len(cold_chips), cold_chips))
    # Warm: every event already decoded, as in a process that has served for a while.
    pit = container.pit
    rss_before, watch = _rss_mb(), Stopwatch()
    cached = preload(container, pit, data.chips, data.position)
    preload_s, cache_mb = watch.elapsed, _rss_mb() - rss_before
    queries = data.queries(size["pit_queries"])
    time_queries(container, pit, queries[:20])  # connections, statement caches
    pg_before = postgres_cpu_seconds()
    watch = Stopwatch()
    latencies, missing = time_queries(container, pit, queries)
    seconds, cpu, pg_cpu = watch.elapsed, watch.cpu, postgres_cpu_delta(pg_before)
    raw, folded = slice_sizes(container, queries[:SLICE_SAMPLE])
    line = emit(
        "pit_query_p99_ms_inprocess", _ms(_pct(latencies, 0.99)), "ms", None,
        **_summary(latencies, ""), seconds=round(seconds, 2), process_cpu_s=round(cpu, 2),
        db_cpu_s=None if pg_cpu is None else round(pg_cpu, 2), not_found=missing,
        **_summary(cold, "cold_"),
        cache_preload={"events": cached, "seconds": round(preload_s, 1),
                       "rss_growth_mb": round(cache_mb)},
        slice_events={"n": len(raw), "p50": int(_pct(raw, 0.5)), "p99": int(_pct(raw, 0.99)),
                      "max": max(raw)},
        folded_events={"n": len(folded), "p50": int(_pct(folded, 0.5)),
                       "p99": int(_pct(folded, 0.99)), "max": max(folded)},
        workload=("container.pit.state(Reading(engine), 'chip', chip, Coordinates(T, K, "
                  "P=checkpoint)) per query as the route runs it (a connection only if the "
                  "read needs the database), 1 thread, after services.heap.settle(); random chips, T and K "
                  "uniform over the data's dates; warm = every event already decoded and "
                  "every chip read once (its slice held), as in a process that has served "
                  "for a while; cold = fresh caches, first touch of each chip"),
        data=data.facts,
    )
    data.results.update(warm_mean=statistics.fmean(latencies), cold_mean=statistics.fmean(cold))
    if missing:
        raise Reported(f"{missing} chips not found")
    return line


def read_whole_log(container: Container, page: int = 10_000) -> list[tuple[int, Any]]:
    events: list[tuple[int, Any]] = []
    after = 0
    while True:
        notes = container.log.notifications(after, page)
        if not notes:
            return events
        for n in notes:
            event = container.log.mapper.to_domain_event(n)
            if isinstance(event, Recorded):
                events.append((n.id, event))
        after = notes[-1].id


def pit_speedup_vs_fold(data: Dataset) -> dict[str, Any]:
    data.ready()
    size = sizes()
    container, pit = data.container, data.container.pit
    if "warm_mean" not in data.results:  # the in-process figure did not run: warm up here
        preload(container, pit, data.chips, data.position)
    sample = data.queries(size["pit_fold_sample"])
    fold_times, read_times, served_times = [], [], []
    mismatches: list[str] = []
    for query in sample:
        t0 = time.perf_counter()
        events = read_whole_log(container)
        t1 = time.perf_counter()
        expected = fold_state("chip", query.chip, events, query.at.as_of, query.at.known_at,
                              query.at.position)
        fold_times.append(time.perf_counter() - t0)
        read_times.append(t1 - t0)
        answer = served(container, pit, query)
        for _ in range(SERVED_REPEATS):
            t0 = time.perf_counter()
            served(container, pit, query)
            served_times.append(time.perf_counter() - t0)
        if answer != expected:
            mismatches.append(_first_difference(query, expected, answer))
    # More answers checked against the same fold, over the log read once (equality only).
    checks = data.queries(size["pit_equality_sample"])
    events = read_whole_log(container)
    for query in checks:
        expected = fold_state("chip", query.chip, events, query.at.as_of, query.at.known_at,
                              query.at.position)
        answer = served(container, pit, query)
        if answer != expected:
            mismatches.append(_first_difference(query, expected, answer))
    fold_mean, served_mean = statistics.fmean(fold_times), statistics.fmean(served_times)
    extra = {
        "fold_mean_ms": _ms(fold_mean), "fold_read_decode_mean_ms": _ms(statistics.fmean(read_times)),
        "fold_n": len(fold_times), "served_mean_ms": _ms(served_mean),
        "served_warm_mean_ms_main_sample": (_ms(data.results["warm_mean"])
                                            if "warm_mean" in data.results else None),
        "speedup_vs_cold_mean": (round(fold_mean / data.results["cold_mean"], 1)
                                 if "cold_mean" in data.results else None),
        "log_events": len(events), "equal_checked": len(sample) + len(checks),
        "mismatches": len(mismatches),
        "workload": ("fold = container.log.notifications over the whole log (pages of 10,000), "
                     "mapper.to_domain_event, domain.pit.state; served = container.pit.state, "
                     f"warm, on the same (chip, T, K, P), each timed {SERVED_REPEATS} times; value = mean fold / mean served "
                     f"over a sample of {len(fold_times)} (the fold is slow); equality also "
                     f"checked on {len(checks)} more queries against one read of the log"),
    }
    if mismatches:
        emit("pit_speedup_vs_fold", None, "x", None, **extra,
             error=f"{len(mismatches)} answers differ from the reference fold, first: "
                   f"{mismatches[0]}")
        raise Reported("answers differ from the fold")
    return emit("pit_speedup_vs_fold", fold_mean / served_mean, "x", None, **extra)


# -- over HTTP -----------------------------------------------------------------------------

HTTP_CHECKED = 50  # HTTP answers compared byte for byte with the in-process ones


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b)) for d in _differences(a.get(k), b.get(k),
                                                                          f"{path}/{k}")]
    return [] if a == b else [f"{path}: {str(a)[:300]} != {str(b)[:300]}"]


def _first_difference(query: Query, left: Any, right: Any) -> str:
    found = _differences(left, right)
    return f"{query.chip} at {query.at.echo()}: {found[0] if found else 'same values, other bytes'}"


def _lua(server_key: str, chips: list[str], position: int) -> str:
    low, high = START - timedelta(days=30), END + timedelta(days=90)
    return (LUA.read_text()
            .replace("@KEY@", server_key)
            .replace("@CHIPS@", ", ".join(f'"{c}"' for c in chips))
            .replace("@LOW@", str(int(low.timestamp())))
            .replace("@HIGH@", str(int(high.timestamp())))
            .replace("@POSITION@", str(position)))


def pit_http(data: Dataset) -> dict[str, Any]:
    import httpx

    from projections.canonical import dumps
    from tests.bench.ingest import _run_wrk, _wrk_binary, _wrk_summary
    from tests.bench.server import Server

    data.ready()
    size = sizes()
    wrk = _wrk_binary()
    chips = data.rng.sample(data.chips, min(size["pit_http_chips"], len(data.chips)))
    runs: dict[int, dict[str, Any]] = {}
    with Server(data.db) as server:
        headers = {"Authorization": f"Bearer {server.key}"}
        # Cold pass (and warm-up): each chip once, sequentially, from httpx; answers checked
        # against the in-process ones on a sample.
        cold: list[float] = []
        mismatches: list[str] = []
        client_watch = Stopwatch()
        with httpx.Client(base_url=server.base, headers=headers, timeout=30,
                          trust_env=False) as client:
            for i, query in enumerate(data.queries(len(chips), chips)):
                params = {"as_of": format_instant(query.at.as_of),
                          "known_at": format_instant(query.at.known_at),
                          "at_position": str(query.at.position)}
                t0 = time.perf_counter()
                answer = client.get(f"/v1/chips/{query.chip}", params=params)
                cold.append(time.perf_counter() - t0)
                if answer.status_code != 200:
                    raise RuntimeError(f"GET /v1/chips/{query.chip} answered "
                                       f"{answer.status_code}: {answer.text[:300]}")
                if i < HTTP_CHECKED:
                    mine = served(data.container, data.container.pit, query)
                    if answer.content != dumps(mine):
                        mismatches.append(_first_difference(query, answer.json(), mine))
        cold_client_cpu = client_watch.cpu
        if mismatches:
            raise RuntimeError(f"{len(mismatches)} of {min(HTTP_CHECKED, len(chips))} HTTP "
                               f"answers differ from the in-process ones, first: {mismatches[0]}")
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(_lua(server.key, chips, data.position))
        try:
            for connections in (1, 2, 4):
                args = [wrk, f"-t{min(2, connections)}", f"-c{connections}",
                        f"-d{size['pit_http_seconds']}s", "--timeout", "10s", "--latency",
                        "-s", script.name, server.base]
                note(f"pit_http: {' '.join(args)}")
                server_cpu_before = server.cpu_seconds()
                pg_before = postgres_cpu_seconds()
                text, user, system = _run_wrk(args)
                s = _wrk_summary(text)
                runs[connections] = {
                    "requests": s["requests"], "seconds": round(s["duration_us"] / 1e6, 2),
                    "rps": round(s["requests"] / (s["duration_us"] / 1e6), 1),
                    "p50_ms": round(s["p50_us"] / 1000, 2), "p99_ms": round(s["p99_us"] / 1000, 2),
                    "max_ms": round(s["max_us"] / 1000, 2),
                    "errors": sum(s["errors"].values()),
                    "client_cpu_s": round(user + system, 2),
                    "server_cpu_s": round(server.cpu_seconds() - server_cpu_before, 2),
                    "db_cpu_s": (None if (pg := postgres_cpu_delta(pg_before)) is None
                                 else round(pg, 2)),
                }
                note(f"  -> {runs[connections]}")
        finally:
            os.unlink(script.name)
        topology = server.topology
    main = runs[2]
    problems = [f"{c} connections: {r['errors']} errors of {r['requests']}"
                for c, r in runs.items() if r["errors"] or not r["requests"]]
    line = emit(
        "pit_query_p99_ms_http", main["p99_ms"], "ms", None,
        connections=2, p50_ms=main["p50_ms"], max_ms=main["max_ms"], requests=main["requests"],
        seconds=main["seconds"], requests_per_s=main["rps"], client_cpu_s=main["client_cpu_s"],
        server_cpu_s=main["server_cpu_s"], db_cpu_s=main["db_cpu_s"],
        by_connections={str(c): r for c, r in runs.items()},
        **_summary(cold, "cold_"), cold_client="httpx, 1 connection, sequential",
        cold_client_cpu_s=round(cold_client_cpu, 2),
        client=(f"wrk + Lua ({LUA.name}): random chip of the {len(chips)} warmed, as_of and "
                "known_at uniform over the data's dates, at_position = checkpoint"),
        server=topology,
        **({"error": "; ".join(problems)} if problems else {}),
        data=data.facts,
    )
    if problems:
        raise Reported("; ".join(problems))
    return line


# -- the runner's entry point --------------------------------------------------------------

def run_all(farm: BenchFarm, only: set[str], run: Callable[[str, Callable[[], Any]], None]) -> None:
    """Run the selected point-in-time figures on one shared data set (dropped afterwards)."""
    if not set(FIGURES) & only:
        return
    data = Dataset(farm)
    try:
        run("pit_query_p99_ms_inprocess", lambda: pit_inprocess(data))
        run("pit_speedup_vs_fold", lambda: pit_speedup_vs_fold(data))
        run("pit_query_p99_ms_http", lambda: pit_http(data))
    finally:
        data.close()

