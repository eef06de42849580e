"""The synthetic log's order and bookkeeping: registrations first, then steps drawn by the
MIX weights; versions, clocks (recorded, reported, effective), open objects and the recent
base events revisions may target, kept so that every event follows the write rules."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.clocks import format_instant
from domain.dossier import aggregate_id, aggregate_key
from domain.events import EVENT_CLASSES, SCHEMA_VERSION, Recorded
from tests.bench.v2_mix import GROUPS

JURISDICTIONS = ["US", "NL", "JP", "GB", "DE", "KR", "TW", "EU", "CN"]
EPOCH = datetime(2018, 1, 1, tzinfo=UTC)
RECORDED_FROM = datetime(2026, 1, 1, tzinfo=UTC)

# (weight, kind of step) after the registry; weights are per thousand events. The groups
# come after the registry, and GROUP_AMENDMENTS per group spread over the rest.
GROUP_AMENDMENTS = 3.5
MIX = [
    (180, "impose"),
    (200, "amend"),
    (50, "lift"),
    (6, "suspend"),
    (3, "reinstate"),
    (90, "grant"),
    (30, "revoke"),
    (30, "deny"),
    (50, "agree"),
    (20, "end"),
    (60, "advise"),
    (20, "withdraw"),
    (50, "halt"),
    (30, "resume"),
    (40, "open_case"),
    (20, "conclude"),
    (90, "correct"),
    (40, "retract"),
]


class LogStream:
    """The stream and its state; `LogGenerator` adds one method per kind of step."""

    def __init__(self, total: int, seed: int = 7):
        self.total, self.rng = total, random.Random(seed)
        self.companies = [f"co-{i}" for i in range(max(20, total // 250))]
        self.chips = [f"chip-{i}" for i in range(max(40, total // 100))]
        self.maker = {c: self.rng.choice(self.companies) for c in self.chips}
        self.versions: dict[str, int] = {}
        self.last_effective: dict[str, datetime] = {}
        self.open: dict[str, list[str]] = {
            k: []
            for k in ("measure", "license", "agreement", "advisory", "case", "halt", "suspended")
        }
        self.members: dict[str, list[str]] = {}  # destination group -> its members now
        self.policied: set[str] = set()  # measures that ever had a review policy
        self.group_due: list[int] = []  # log positions of the group amendments, last first
        self.halted: set[str] = set()  # open halts, "company|chip"
        self.retracted: set[str] = set()  # objects whose creation was retracted
        self.data: dict[str, dict[str, Any]] = {}  # open measures' current fields
        # recent base events that revisions may target: event_id -> (key, type, data, eff)
        self.targets: list[tuple[str, str, str, dict[str, Any], str | None]] = []
        self.emitted = 0
        self.serial = 0
        self.kinds, weights = zip(*((k, w) for w, k in MIX), strict=True)
        self.cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]

    # -- helpers -------------------------------------------------------------------------
    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _sample(self, pool: list[str], low: int, high: int) -> list[str]:
        return sorted(self.rng.sample(pool, min(len(pool), self.rng.randint(low, high))))

    def _slug(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial}"

    def _event(
        self,
        type_: str,
        key: str,
        data: dict[str, Any],
        effective: datetime | None,
        revisable: bool = True,
    ) -> Recorded:
        recorded = RECORDED_FROM + timedelta(milliseconds=self.emitted)
        version = self.versions.get(key, 0) + 1
        self.versions[key] = version
        revision = type_ in ("EventCorrected", "EventRetracted")
        reported = recorded if effective is None or revision else min(effective, recorded)
        if effective is not None:
            self.last_effective[key] = max(effective, self.last_effective.get(key, effective))
        self.emitted += 1
        event_id = self._uuid()
        event = EVENT_CLASSES[type_](
            originator_id=aggregate_id(key),
            originator_version=version,
            timestamp=recorded,
            event_id=event_id,
            aggregate=key,
            effective_at=None if effective is None else format_instant(effective),
            reported_at=format_instant(reported),
            recorded_at=format_instant(recorded),
            recorded_by="bench-loader",
            summary=f"{type_} of {key}: synthetic event {self.emitted} for the rebuild benchmark.",
            sources=[
                {
                    "url": f"https://example.org/news/{self.emitted}",
                    "title": f"Report {self.emitted}",
                    "publisher": "Example Wire",
                }
            ],
            data=data,
            schema_version=SCHEMA_VERSION,
        )
        # part 2's new types are not revision targets (tests/bench/v2_part2_mix.py)
        if revisable and not revision and type_ not in ("CompanyRegistered",):
            self.targets.append((event_id, key, type_, data, event.effective_at))
            if len(self.targets) > 20_000:
                del self.targets[:10_000]
        return event

    def _when(self) -> datetime:
        return EPOCH + timedelta(
            days=self.rng.randint(0, 8 * 365), seconds=self.rng.choice((0, 0, 0, 43_200))
        )

    def _after(self, key: str) -> datetime:
        return self.last_effective[key] + timedelta(days=self.rng.randint(1, 90))

    # -- the stream ----------------------------------------------------------------------
    def __iter__(self) -> Iterator[Recorded]:
        for company in self.companies:
            if self.emitted >= self.total:
                return
            yield self._event(
                "CompanyRegistered",
                aggregate_key("company", company),
                {
                    "company": company,
                    "name": company.upper(),
                    "country": self.rng.choice(JURISDICTIONS[:-2]),
                },
                None,
            )
        for i, chip in enumerate(self.chips):
            if self.emitted >= self.total:
                return
            specs = (
                None
                if i % 10 == 9
                else {
                    "tpp": str(self.rng.randint(500, 9000)),
                    "performance_density": f"{self.rng.randint(100, 1500) / 100:g}",
                    "hbm_gb": str(self.rng.choice((24, 48, 80, 96, 141))),
                }
            )
            successor = self.chips[i - 1] if i and i % 7 == 0 else None
            yield self._event(
                "ChipRegistered",
                aggregate_key("chip", chip),
                {
                    "chip": chip,
                    "name": chip.upper(),
                    "manufacturer": self.maker[chip],
                    "successor_of": successor,
                    "specs": specs,
                },
                None,
            )
        for group in GROUPS:
            if self.emitted >= self.total:
                return
            yield self._define_group(*group)
        due = round(len(self.members) * GROUP_AMENDMENTS)
        if self.total > self.emitted:
            self.group_due = sorted(
                (self.rng.randrange(self.emitted, self.total) for _ in range(due)), reverse=True
            )
        while self.emitted < self.total:
            if self.group_due and self.emitted >= self.group_due[-1]:
                self.group_due.pop()
                yield self._amend_group()
                continue
            event = self._step()
            if event is not None:
                yield event

    def _define_group(
        self, group_id: str, name: str, authority: str, jurisdiction: str, members: list[str]
    ) -> Recorded:
        raise NotImplementedError  # tests/bench/loggen/catalog_v2.py

    def _amend_group(self) -> Recorded:
        raise NotImplementedError

    def _step(self) -> Recorded | None:
        roll = self.rng.randrange(self.cumulative[-1])
        kind = next(k for k, c in zip(self.kinds, self.cumulative, strict=True) if roll < c)
        return getattr(self, f"_{kind}")()

    def _pick_open(self, kind: str, close: bool = False) -> str | None:
        """A random open object of `kind`; `close`: also remove it (swap-remove, O(1))."""
        pool = self.open[kind]
        if not pool:
            return None
        index = self.rng.randrange(len(pool))
        item = pool[index]
        if close or item in self.retracted:  # a retracted creator's object is over
            pool[index] = pool[-1]
            pool.pop()
        return None if item in self.retracted else item
