"""A point-in-time answer served from a subject's slice equals the reference fold over the
whole log (SPEC §4; DESIGN.md "Point-in-time reads").

The read side folds only the aggregates indexed under a chip or company (plus, for a chip,
every measure that ever had criteria). These properties generate random histories — valid
times out of order, late and early reports, embargoes, amendments, lifts, licences with
expiries, halts and resumes, corrections of every clock and of whole payloads (chip specs
included), retractions and reinstatements — append them through the writer, keeping only
what the log's rules accept, and compare at random (T, K, P) the served state with
`domain.pit.state` over every event in the store. A mismatch means the slice is wrong.

One database serves every example of a test (a fresh PostgreSQL database costs ~0.4 s):
each example names its own chips, companies and objects (prefix `p<n>-`) and compares only
those. The other examples' events are in the log the reference folds; they must not leak
into an answer, which is itself a test of slice selection.

`REGTL_HYPOTHESIS_PROFILE=thorough` runs many more examples.
"""

from __future__ import annotations

import itertools
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from domain import pit as reference
from domain.catalog import CATALOG, Role
from domain.clocks import DateRole, format_instant, parse_instant
from domain.errors import DomainError
from domain.events import Recorded
from domain.views import chip_view, company_view
from projections.canonical import dumps
from projections.state_queries import Reading
from services import migrate
from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.parsing import parse_envelope
from services.pit import Coordinates
from services.recording import Item
from services.settings import Settings
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.clock import FakeClock

PROFILE = os.environ.get("REGTL_HYPOTHESIS_PROFILE", "default")
EXAMPLES = {"default": {"slice": 30, "http": 12}, "thorough": {"slice": 300, "http": 100}}[PROFILE]
PROBES = {"default": 8, "thorough": 12}[PROFILE]  # coordinates asked per example


def _settings(examples: int) -> Any:
    return settings(max_examples=examples, deadline=None, suppress_health_check=[
        HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large])


# psycopg_pool's background threads draw from `random` (connection-lifetime jitter) while
# Hypothesis generates data; Hypothesis mistakes that for a strategy using `random`.
POOL_JITTER = pytest.mark.filterwarnings(
    "ignore:Do not use the `random` module inside strategies")


# -- the vocabulary of a generated history ---------------------------------------------------

WINDOW = 60  # days; an example's dates fall around [start, start + WINDOW), the clock mid-way
DESTINATIONS = ("CN", "RU", "US", "EU")
JURISDICTIONS = ("US", "EU", "CN")
SPEC_VALUES: dict[str, tuple[Any, ...]] = {
    "tpp": (1000, 1600, "2368", 4800, 6000),
    "performance_density": ("2.5", "5.92", 8),
    "hbm_gb": (24, "80", 96),
}
# Creators get a fresh id at run time; lifecycle events name one of the created objects.
CREATORS = {"ExportBanImposed": "measure_id", "LicenseGranted": "license_id",
            "LicenseDenied": "application_id", "RevenueShareAgreed": "agreement_id",
            "AdvisoryIssued": "advisory_id", "InvestigationOpened": "case_id"}
FOLLOWS = {"ExportBanImposed": "ExportBanAmended", "LicenseGranted": "LicenseRevoked",
           "RevenueShareAgreed": "RevenueShareEnded", "AdvisoryIssued": "AdvisoryWithdrawn",
           "InvestigationOpened": "InvestigationConcluded", "ProductionHalted": "ProductionResumed"}
CHIP_KEYS = ("chip", "chips", "successor_of")
COMPANY_KEYS = ("company", "companies", "suppliers", "licensee", "manufacturer")
# What a full-data correction may change, per target type (identity fields never).
MUTABLE = {
    "CompanyRegistered": ("name", "country"),
    "ChipRegistered": ("specs", "manufacturer", "name", "successor_of"),
    "ExportBanImposed": ("chips", "criteria", "companies", "control", "destinations"),
    "ExportBanAmended": ("chips", "criteria", "companies", "control", "destinations"),
    "ExportBanLifted": ("reason",),
    "LicenseGranted": ("chips", "destinations", "expires_at", "licensee"),
    "LicenseDenied": ("chips",),
    "RevenueShareAgreed": ("chips", "destinations", "percent"),
    "AdvisoryIssued": ("chips", "companies", "guidance"),
    "ProductionHalted": ("chips", "suppliers"),
    "ProductionResumed": ("chips",),
    "InvestigationOpened": ("chips", "companies", "kind"),
    "InvestigationConcluded": ("finding",),
}


@dataclass(frozen=True)
class When:
    """A moment of an example's window: `day` days after its start, at `hour` (None: a bare
    date, the start of that UTC day)."""

    day: int
    hour: int | None = None


@dataclass(frozen=True)
class History:
    chips: int
    companies: int
    ops: list[dict[str, Any]]
    split: int  # ops[:split] are appended and projected before the rest


def whens(lo: int = 0, hi: int = WINDOW - 1) -> st.SearchStrategy[When]:
    return st.builds(When, st.integers(lo, hi), st.none() | st.sampled_from((0, 9, 12, 23)))


def _specs() -> st.SearchStrategy[dict[str, Any]]:
    names = st.lists(st.sampled_from(sorted(SPEC_VALUES)), min_size=1, max_size=3, unique=True)
    return names.flatmap(lambda ns: st.fixed_dictionaries(
        {n: st.sampled_from(SPEC_VALUES[n]) for n in ns}))


def _criteria(min_size: int = 0) -> st.SearchStrategy[list[dict[str, Any]]]:
    names = st.lists(st.sampled_from(sorted(SPEC_VALUES)), min_size=1, max_size=2, unique=True)
    clause = names.flatmap(lambda ns: st.fixed_dictionaries(
        {f"{n}_min": st.sampled_from(SPEC_VALUES[n]) for n in ns}))
    return st.lists(clause, min_size=min_size, max_size=2)


def _some(candidates: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A non-empty part of `candidates` (what an amendment or a correction changes)."""
    keys = st.lists(st.sampled_from(sorted(candidates)), min_size=1, max_size=len(candidates),
                    unique=True)
    return keys.map(lambda ks: {k: candidates[k] for k in sorted(ks)})


def _covering(data: dict[str, Any], keys: tuple[str, ...], default: str) -> dict[str, Any]:
    return data if any(data[k] for k in keys) else {**data, default: [0]}


class Vocabulary:
    """Strategies for one example's payloads; references are indices, named at run time."""

    def __init__(self, chips: int, companies: int):
        self.n_chips, self.n_companies = chips, companies

    def chips(self, lo: int = 0, hi: int = 3) -> st.SearchStrategy[list[int]]:
        return st.lists(st.integers(0, self.n_chips - 1), min_size=lo, max_size=hi, unique=True)

    def companies(self, lo: int = 0, hi: int = 2) -> st.SearchStrategy[list[int]]:
        return st.lists(st.integers(0, self.n_companies - 1), min_size=lo, max_size=hi,
                        unique=True)

    def company(self) -> st.SearchStrategy[int]:
        return st.integers(0, self.n_companies - 1)

    @staticmethod
    def destinations() -> st.SearchStrategy[list[str]]:
        return st.lists(st.sampled_from(DESTINATIONS), min_size=1, max_size=3, unique=True)

    @staticmethod
    def issuer() -> dict[str, st.SearchStrategy[str]]:
        return {"authority": st.sampled_from(("BIS", "EC", "MOFCOM")),
                "jurisdiction": st.sampled_from(JURISDICTIONS)}

    def end_users(self) -> st.SearchStrategy[list[int]]:
        """Mostly none: a measure naming end users changes no export status."""
        return st.just([]) | st.just([]) | self.companies(1)

    def creators(self) -> dict[str, st.SearchStrategy[dict[str, Any]]]:
        control = st.sampled_from(("ban", "license_required"))
        return {
            "ExportBanImposed": st.fixed_dictionaries({
                **self.issuer(), "destinations": self.destinations(), "chips": self.chips(),
                "criteria": _criteria(), "companies": self.end_users(), "control": control,
            }).map(lambda d: _covering(d, ("chips", "criteria", "companies"), "chips")),
            "LicenseGranted": st.fixed_dictionaries({
                **self.issuer(), "licensee": self.company(), "chips": self.chips(1),
                "destinations": self.destinations(),
            }, optional={"expires_at": whens(-5, WINDOW + 5)}),
            "LicenseDenied": st.fixed_dictionaries({
                **self.issuer(), "licensee": self.company(), "chips": self.chips(1, 2),
                "destinations": self.destinations()}),
            "RevenueShareAgreed": st.fixed_dictionaries({
                "company": self.company(), "chips": self.chips(1),
                "destinations": self.destinations(), "beneficiary": st.sampled_from(JURISDICTIONS),
                "percent": st.sampled_from(("15", 5, "12.5", 100))}),
            "AdvisoryIssued": st.fixed_dictionaries({
                **self.issuer(), "chips": self.chips(), "companies": self.companies(),
                "guidance": st.sampled_from(("caution", "avoid_purchase", "purchase_ban")),
            }).map(lambda d: _covering(d, ("chips", "companies"), "companies")),
            "InvestigationOpened": st.fixed_dictionaries({
                **self.issuer(), "companies": self.companies(), "chips": self.chips(0, 2),
                "kind": st.sampled_from(("antitrust", "security", "summons")),
            }).map(lambda d: _covering(d, ("chips", "companies"), "chips")),
            "ProductionHalted": st.fixed_dictionaries({
                "company": self.company(), "chips": self.chips(1), "suppliers": self.companies(),
            }, optional={"reason": st.just("told to stop")}),
        }

    def follow_up(self) -> dict[str, st.SearchStrategy[Any]]:
        """What a lifecycle event may say; which one it is depends on its object, found at
        run time (an amendment's changes, a lift's reason, a finding, a resume's chips as
        indices into its halt's)."""
        return {
            "amend": st.fixed_dictionaries({
                "destinations": self.destinations(), "chips": self.chips(),
                "criteria": _criteria(), "companies": self.end_users(),
                "control": st.sampled_from(("ban", "license_required")),
            }).flatmap(_some),
            "reason": st.sampled_from(("rescinded", "suspended", "superseded")),
            "finding": st.sampled_from(("violation", "cleared", "other")),
            "resumed": st.lists(st.integers(0, 2), min_size=1, max_size=2, unique=True),
        }

    def replacement(self) -> st.SearchStrategy[dict[str, Any]]:
        """Material for a full-data correction: which fields change, and to what."""
        return st.fixed_dictionaries({
            "change": st.integers(1, 31),  # a bit mask over the target type's MUTABLE fields
            "chips": self.chips(1), "companies": self.companies(), "suppliers": self.companies(),
            "criteria": _criteria(1), "control": st.sampled_from(("ban", "license_required")),
            "destinations": self.destinations(), "specs": st.none() | _specs(),
            "expires_at": st.none() | whens(-5, WINDOW + 5), "licensee": self.company(),
            "percent": st.sampled_from(("15", "7.5")), "manufacturer": self.company(),
            "successor_of": st.none() | st.integers(0, self.n_chips - 1),
            "guidance": st.sampled_from(("caution", "other")), "name": st.just("Renamed"),
            "kind": st.sampled_from(("security", "other")), "country": st.sampled_from(("CN", "TW")),
            "finding": st.sampled_from(("violation", "cleared")),
            "reason": st.sampled_from(("expired", "other")),
        })


TICK = st.integers(1, 600)  # minutes the clock moves before each append
REPORTED = st.none() | st.none() | st.integers(-20, 20)  # days after effective_at; None: default
TARGET = st.integers(0, 10**6)  # an index into what the run has stored, modulo its size


def weighted(*choices: tuple[st.SearchStrategy[Any], int]) -> st.SearchStrategy[Any]:
    """One of the strategies, in proportion to its weight (`st.one_of` merges repeats)."""
    return st.sampled_from([s for s, weight in choices for _ in range(weight)]).flatmap(
        lambda s: s)


def _creations(vocabulary: Vocabulary) -> list[tuple[st.SearchStrategy[dict[str, Any]], int]]:
    weights = {"ExportBanImposed": 4, "LicenseGranted": 2, "ProductionHalted": 2}
    return [(st.fixed_dictionaries({
        "op": st.just("create"), "type": st.just(kind), "data": payload,
        "effective_at": whens(), "reported": REPORTED, "tick": TICK,
    }), weights.get(kind, 1)) for kind, payload in vocabulary.creators().items()]


def _follow_ups(vocabulary: Vocabulary) -> st.SearchStrategy[dict[str, Any]]:
    """A lifecycle event of one of the run's objects, a few days after its creation as
    stored (or, now and then, before it: the writer refuses those)."""
    return st.fixed_dictionaries({
        "op": st.just("follow"), "target": TARGET, "lift": st.integers(0, 2).map(lambda i: i == 0),
        **vocabulary.follow_up(), "after": st.integers(-2, 40),
        "hour": st.none() | st.sampled_from((0, 12)), "reported": REPORTED, "tick": TICK,
    })


def _revisions(vocabulary: Vocabulary) -> list[tuple[st.SearchStrategy[dict[str, Any]], int]]:
    reported = st.none() | whens(-10, WINDOW + 10)  # None: recorded_at (SPEC §1)
    changes = st.fixed_dictionaries({
        "effective_at": whens(), "reported_at": whens(-20, WINDOW + 20),
        "data": vocabulary.replacement(),
    }).flatmap(_some)
    reinstating = st.one_of(
        st.just({"same_data": True}), st.fixed_dictionaries({"effective_at": whens()}),
        st.fixed_dictionaries({"reported_at": whens(-20, WINDOW + 20)}))
    correct = st.fixed_dictionaries({
        "op": st.just("correct"), "pool": st.sampled_from(("any", "registry", "creator", "follow")),
        "target": TARGET, "changes": changes, "reported": reported, "tick": TICK})
    retract = st.fixed_dictionaries({
        "op": st.just("retract"), "pool": st.sampled_from(("domain", "creator", "follow")),
        "target": TARGET, "reported": reported, "tick": TICK})
    reinstate = st.fixed_dictionaries({"op": st.just("reinstate"), "target": TARGET,
                                       "changes": reinstating, "reported": reported, "tick": TICK})
    return [(correct, 6), (retract, 3), (reinstate, 2)]


def _registrations(draw: st.DrawFn, vocabulary: Vocabulary, later: int) -> tuple[list[Any], list[Any]]:
    companies = []
    for i in range(vocabulary.n_companies):
        data: dict[str, Any] = {"company": i, "name": f"Company {i}"}
        if (country := draw(st.sampled_from((None, "US", "CN", "KR")))) is not None:
            data["country"] = country
        companies.append({"op": "register", "type": "CompanyRegistered", "data": data, "tick": 1})
    chips = []  # most registered first; some later, so that early positions do not know them
    for i in range(vocabulary.n_chips):
        at = draw(st.integers(0, later)) if draw(st.integers(0, 4)) == 0 else 0
        data = {"chip": i, "name": f"Chip {i}", "manufacturer": draw(vocabulary.company())}
        earlier = [j for j, (there, _) in enumerate(chips) if there <= at]
        if earlier and draw(st.booleans()):
            data["successor_of"] = draw(st.sampled_from(earlier))
        if (specs := draw(st.none() | _specs())) is not None:
            data["specs"] = specs
        chips.append((at, {"op": "register", "type": "ChipRegistered", "data": data, "tick": 1}))
    chips.sort(key=lambda c: c[0])  # stable: a successor stays after its predecessor
    return companies, chips


@st.composite
def histories(draw: st.DrawFn) -> History:
    vocabulary = Vocabulary(chips=draw(st.integers(4, 8)), companies=draw(st.integers(3, 5)))
    kinds = weighted(*_creations(vocabulary), (_follow_ups(vocabulary), 8),
                     *_revisions(vocabulary))
    size = draw(st.integers(10, 40))  # drawn first: lists alone favour short histories
    ops = draw(st.lists(kinds, min_size=size, max_size=size))
    companies, chips = _registrations(draw, vocabulary, len(ops))
    merged: list[dict[str, Any]] = []
    for index, op in enumerate([*ops, None]):
        while chips and chips[0][0] <= index:
            merged.append(chips.pop(0)[1])
        if op is not None:
            merged.append(op)
    everything = companies + merged
    split = draw(st.integers(len(everything) // 3, len(everything)))
    return History(vocabulary.n_chips, vocabulary.n_companies, everything, split)


# -- playing a history through the writer ----------------------------------------------------

_examples = itertools.count()


def _text(moment: datetime, bare: bool) -> str:
    return moment.date().isoformat() if bare else format_instant(moment)


def _day(moment: datetime) -> datetime:
    return datetime(moment.year, moment.month, moment.day, tzinfo=UTC)


@dataclass
class Run:
    """One example's history as appended: its ids, accepted events and positions."""

    container: Container
    clock: FakeClock
    history: History
    prefix: str = field(default_factory=lambda: f"p{next(_examples)}")
    accepted: list[Recorded] = field(default_factory=list)  # base events, in log order
    created: dict[str, list[Recorded]] = field(default_factory=lambda: defaultdict(list))
    retracted: list[Recorded] = field(default_factory=list)
    revisions: list[Recorded] = field(default_factory=list)
    positions: list[int] = field(default_factory=list)
    refused: int = 0
    ids: dict[str, itertools.count[int]] = field(
        default_factory=lambda: defaultdict(itertools.count))

    def __post_init__(self) -> None:
        self.start = _day(self.clock.now) - timedelta(days=WINDOW // 2)

    # names and moments: each kind has its own namespace (SPEC §1), so chip 1, company 1,
    # measure 1 and licence 1 all share the slug `p<n>-1`: nothing may mix them up.
    def chip(self, i: int) -> str:
        return f"{self.prefix}-{i}"

    def company(self, i: int) -> str:
        return f"{self.prefix}-{i}"

    def at(self, when: When) -> str:
        day = self.start + timedelta(days=when.day)
        return _text(day + timedelta(hours=when.hour or 0), when.hour is None)

    def subjects(self) -> list[tuple[str, str]]:
        chips = [("chip", self.chip(i)) for i in (*range(self.history.chips), 99)]
        companies = [("company", self.company(i)) for i in (*range(self.history.companies), 99)]
        return chips + companies  # index 99: never registered (not found at any P)

    def render(self, data: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in data.items():
            if key in CHIP_KEYS or key in COMPANY_KEYS:
                name = self.chip if key in CHIP_KEYS else self.company
                out[key] = [name(v) for v in value] if isinstance(value, list) else name(value)
            elif key == "expires_at":
                out[key] = self.at(value)
            else:
                out[key] = value
        return out

    # the history
    def play(self, ops: list[dict[str, Any]]) -> None:
        for op in ops:
            self.clock.advance(minutes=op["tick"])
            body = self.envelope(op)
            if body is None:
                continue  # nothing to follow, correct or reinstate yet
            try:
                result = self.container.writer.append([Item(parse_envelope(body))], "property")
            except DomainError:
                self.refused += 1  # the log's rules refused it: histories stay valid
                continue
            appended = result.items[0]
            self.positions.append(appended.position)
            if op["op"] in ("register", "create", "follow"):
                self.accepted.append(appended.event)
                self.created[appended.event.type].append(appended.event)
                continue
            self.revisions.append(appended.event)
            if op["op"] == "retract":
                self.retracted.append(self._target(self.pool(op["pool"]), op["target"]))

    def rewrites_of_the_past(self) -> list[dict[str, Any]]:
        """Revisions reported as of the window's first day, so known at every K asked
        about: a new spec sheet for the first chip, the first domain event retracted. After
        the P of an earlier answer, they must not change it."""
        when, tick = When(0), 1
        ops = [{"op": "correct", "pool": "chips", "target": 0, "reported": when, "tick": tick,
                "changes": {"data": {"change": 1, "specs": {"tpp": 9000}}}}]
        if self.pool("domain"):
            ops.append({"op": "retract", "pool": "domain", "target": 0, "reported": when,
                        "tick": tick})
        return ops

    def pool(self, name: str) -> list[Recorded]:
        """Accepted base events a revision may aim at: all, registrations (of chips),
        domain events, creations (a halt included) or what follows them (a resume included)."""
        def role(e: Recorded) -> Role:
            return CATALOG[e.type].role
        wanted = {
            "any": lambda e: True,
            "registry": lambda e: role(e) is Role.REGISTRY,
            "chips": lambda e: e.type == "ChipRegistered",
            "domain": lambda e: role(e) is not Role.REGISTRY,
            "creator": lambda e: role(e) is Role.CREATOR or e.type == "ProductionHalted",
            "follow": lambda e: role(e) in (Role.LIFECYCLE, Role.TERMINAL)
            or e.type == "ProductionResumed",
        }[name]
        return [e for e in self.accepted if wanted(e)]

    @staticmethod
    def _target(events: list[Recorded], index: int) -> Recorded:
        return events[index % len(events)]

    def envelope(self, op: dict[str, Any]) -> dict[str, Any] | None:
        if op["op"] == "register":
            return {"type": op["type"], "data": self.render(op["data"])}
        if op["op"] == "create":
            return self._created(op)
        if op["op"] == "follow":
            return self._follow(op)
        pool = self.retracted if op["op"] == "reinstate" else self.pool(op["pool"])
        if not pool:
            return None
        target = self._target(pool, op["target"])
        if op["op"] == "retract":
            body = {"type": "EventRetracted",
                    "data": {"event_id": target.event_id, "reason": "reported in error"}}
        else:
            body = {"type": "EventCorrected",
                    "data": {"event_id": target.event_id, "changes": self._changes(target, op)}}
        if op["reported"] is not None:
            body["reported_at"] = self.at(op["reported"])
        return body

    def _clocks(self, effective: datetime, bare: bool, reported: int | None) -> dict[str, str]:
        """<0: announced ahead; >0: reported late (or, past the clock, embargoed)."""
        clocks = {"effective_at": _text(effective, bare)}
        if reported is not None:
            clocks["reported_at"] = _text(effective + timedelta(days=reported), bare)
        return clocks

    def _created(self, op: dict[str, Any]) -> dict[str, Any]:
        data = self.render(op["data"])
        if op["type"] in CREATORS:
            id_field = CREATORS[op["type"]]
            data[id_field] = f"{self.prefix}-{next(self.ids[id_field])}"
        when: When = op["effective_at"]
        effective = self.start + timedelta(days=when.day, hours=when.hour or 0)
        return {"type": op["type"], "data": data,
                **self._clocks(effective, when.hour is None, op["reported"])}

    def _follow(self, op: dict[str, Any]) -> dict[str, Any] | None:
        objects = [e for e in self.pool("creator") if e.type in FOLLOWS]  # not a denial
        if not objects:
            return None
        target = self._target(objects, op["target"])
        kind = FOLLOWS[target.type]
        if target.type == "ProductionHalted":
            chips = target.data["chips"]
            data = {"company": target.data["company"],
                    "chips": sorted({chips[i % len(chips)] for i in op["resumed"]})}
        else:
            if kind == "ExportBanAmended" and op["lift"]:
                kind = "ExportBanLifted"
            id_field = CATALOG[kind].id_field
            data = {id_field: target.data[id_field], **{
                "ExportBanAmended": self.render(op["amend"]), "ExportBanLifted": {"reason": op["reason"]},
                "InvestigationConcluded": {"finding": op["finding"]}}.get(kind, {})}
        effective = _day(parse_instant(target.effective_at)) + timedelta(
            days=op["after"], hours=op["hour"] or 0)
        return {"type": kind, "data": data,
                **self._clocks(effective, op["hour"] is None, op["reported"])}

    def _changes(self, target: Recorded, op: dict[str, Any]) -> dict[str, Any]:
        wanted = op["changes"]
        changes: dict[str, Any] = {}
        for clock in ("effective_at", "reported_at"):
            if clock in wanted:
                changes[clock] = self.at(wanted[clock])
        if wanted.get("same_data"):
            changes["data"] = dict(target.data)
        elif "data" in wanted:
            changes["data"] = self._replaced(target, wanted["data"])
        return changes

    def _replaced(self, target: Recorded, material: dict[str, Any]) -> dict[str, Any]:
        mutable = MUTABLE.get(target.type, ())
        fields = [f for i, f in enumerate(mutable) if material["change"] >> i & 1]
        new = self.render({f: material[f] for f in fields if material[f] is not None})
        if target.type == "ExportBanAmended":  # an amendment's payload is what it changes
            return {"measure_id": target.data["measure_id"], **new} if new else dict(target.data)
        data = {**target.data, **new}
        for f in fields:
            if material[f] is None:  # an optional field (specs, expires_at) dropped
                data.pop(f, None)
        return data

    def instants(self) -> list[datetime]:
        """Every clock value the run stored — of its events, their expiries, its revisions
        and what they changed: the edges where answers change."""
        found = {parse_instant(e.reported_at) for e in (*self.accepted, *self.revisions)}
        found |= {parse_instant(e.effective_at) for e in self.accepted if e.effective_at}
        payloads = [e.data for e in self.accepted]
        for revision in self.revisions:
            changes = revision.data.get("changes", {})
            found |= {parse_instant(changes[c]) for c in ("effective_at", "reported_at")
                      if c in changes}
            payloads.append(changes.get("data") or {})
        found |= {parse_instant(p["expires_at"]) for p in payloads if p.get("expires_at")}
        return sorted(found) or [self.start]


class WholeLog:
    """Every `Recorded` event in the store, read from the library's log (incrementally: the
    examples of a test share one database, and stored events never change)."""

    _current: WholeLog | None = None

    def __init__(self, container: Container):
        self.container, self.last = container, 0
        self.events: list[tuple[int, Recorded]] = []

    @classmethod
    def of(cls, container: Container) -> list[tuple[int, Recorded]]:
        if cls._current is None or cls._current.container is not container:
            cls._current = cls(container)
        return cls._current.read()

    def read(self) -> list[tuple[int, Recorded]]:
        log = self.container.log
        while notes := log.notifications(self.last, 1000):
            for note in notes:
                event = log.mapper.to_domain_event(note)
                if isinstance(event, Recorded):
                    self.events.append((note.id, event))
                self.last = note.id
        return list(self.events)


class Stores:
    """The databases a test's examples share. Each example names its own ids, so one
    database serves many; a fresh one replaces it once its log is long, because the
    reference folds the whole log for every question (the thorough profile would otherwise
    grow quadratically)."""

    MAX_LOG = 1500

    def __init__(self, backend: Backend, folder: Path, clock: FakeClock):
        self.backend, self.folder, self.clock = backend, folder, clock
        self.databases: list[str] = []  # PostgreSQL databases made here (the first is not)
        self.opened = itertools.count()
        self.container: Container | None = None
        self.client: TestClient | None = None

    def current(self) -> Container:
        if self.container is None:
            self._open(self.backend.settings)
        elif self.container.log.head() > self.MAX_LOG:
            self.close()
            self._open(self._fresh())
        assert self.container is not None
        return self.container

    def http(self) -> TestClient:
        container = self.current()
        if self.client is None:
            self.client = TestClient(create_app(container), raise_server_exceptions=False)
            self.client.__enter__()
        return self.client

    def _fresh(self) -> Settings:
        if self.backend.farm is not None:
            database = self.backend.farm.create()
            self.databases.append(database)
            return Settings(database_url=self.backend.farm.service_url(database),
                            migration_database_url=self.backend.farm.owner_url(database),
                            data_dir=self.folder)
        folder = self.folder / f"store-{next(self.opened)}"
        folder.mkdir()
        fresh = Settings(database_url=f"sqlite:///{folder}/regtimeline.db", data_dir=folder)
        migrate.upgrade(fresh)
        return fresh

    def _open(self, settings: Settings) -> None:
        self.container = bootstrap(settings, clock=self.clock)

    def close(self) -> None:
        if self.client is not None:
            self.client.__exit__(None, None, None)
            self.client = None
        if self.container is not None:
            self.container.close()
            self.container = None
        if self.backend.farm is not None:
            for database in self.databases:
                self.backend.farm.drop(database)
            self.databases.clear()


@pytest.fixture
def stores(backend: Backend, tmp_path: Path, clock: FakeClock) -> Iterator[Stores]:
    shared = Stores(backend, tmp_path, clock)
    try:
        yield shared
    finally:
        shared.close()


# -- where to ask --------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """Where to ask, drawn independently of what the run stored (Hypothesis must make the
    same choices whatever the shared database holds); `resolve` turns it into (T, K, P).

    A moment is ("day", d): the end of day d of the window (what a bare date means in a
    query); ("edge", i, before): exactly one of the run's clock values, or a microsecond
    before it; ("far", sign): 400 days outside the window; ("now",): the clock (K only).
    A position is ("event", i): one of the run's positions; ("span", f): a fraction of the
    way through the run's part of the log; ("any", f): of the whole log; ("checkpoint",)."""

    as_of: tuple[Any, ...]
    known_at: tuple[Any, ...]
    position: tuple[Any, ...]


def _moments(known: bool) -> st.SearchStrategy[tuple[Any, ...]]:
    day = st.tuples(st.just("day"), st.integers(-3, WINDOW + 3))
    edge = st.tuples(st.just("edge"), TARGET, st.booleans())
    far = st.tuples(st.just("far"), st.sampled_from((-1, 1)))
    if known:  # K: often "now" or later, so that late reports and embargoes show
        return st.one_of(day, edge, far, st.just(("now",)), st.just(("now",)),
                         st.just(("far", 1)))
    return st.one_of(day, day, edge, far)


def probes() -> st.SearchStrategy[Probe]:
    fraction = st.integers(0, 1000)
    position = st.one_of(
        st.tuples(st.just("event"), TARGET), st.tuples(st.just("span"), fraction),
        st.tuples(st.just("span"), st.just(1000)), st.tuples(st.just("any"), fraction),
        st.just(("checkpoint",)))
    return st.builds(Probe, _moments(False), _moments(True), position)


def _moment(run: Run, choice: tuple[Any, ...]) -> datetime:
    tiny = timedelta(microseconds=1)
    if choice[0] == "day":
        return run.start + timedelta(days=choice[1] + 1) - tiny
    if choice[0] == "edge":
        edges = run.instants()
        return edges[choice[1] % len(edges)] - (tiny if choice[2] else timedelta(0))
    if choice[0] == "far":
        return run.start + timedelta(days=choice[1] * 400)
    return run.clock.now


def _position(run: Run, choice: tuple[Any, ...], head: int, checkpoint: int) -> int:
    if choice[0] == "checkpoint" or (choice[0] == "event" and not run.positions):
        return checkpoint
    if choice[0] == "event":
        return run.positions[choice[1] % len(run.positions)]
    low = 1 if choice[0] == "any" else max(1, min(run.positions, default=head) - 1)
    return low + (head - low) * choice[1] // 1000


def resolve(run: Run, probe: Probe, head: int, checkpoint: int) -> Coordinates:
    return Coordinates(_moment(run, probe.as_of), _moment(run, probe.known_at),
                       _position(run, probe.position, head, checkpoint))


def expected(kind: str, subject: str, log: list[tuple[int, Recorded]],
             at: Coordinates) -> dict[str, Any] | None:
    """The reference: SPEC §4's fold over every event in the store."""
    return reference.state(kind, subject, log, at.as_of, at.known_at, at.position)


def expected_for_all(subjects: list[tuple[str, str]], log: list[tuple[int, Recorded]],
                     at: Coordinates, pin: bool) -> dict[tuple[str, str], dict[str, Any] | None]:
    """`expected` for many subjects at one (T, K, P), folding the whole log once (folding
    it per subject would dominate the run). With `pin`, one subject, varying with P, is also
    asked of `domain.pit.state` itself, which ties this shortcut to the reference."""
    world = reference.world_at(log, at.as_of, at.known_at, at.position)
    echo = {"as_of": format_instant(at.as_of), "known_at": format_instant(at.known_at),
            "position": at.position}
    answers = {}
    for kind, subject in subjects:
        view = chip_view(world, subject) if kind == "chip" else company_view(world, subject)
        answers[(kind, subject)] = None if view is None else {**view, **echo}
    if pin:
        pinned = subjects[at.position % len(subjects)]
        assert answers[pinned] == expected(*pinned, log, at), pinned
    return answers


def _note(run: Run, answers: list[dict[str, Any]]) -> None:
    """Hypothesis statistics (--hypothesis-show-statistics): what the examples exercised."""
    stored = len(run.pool("domain"))
    event(f"accepted {stored // 10 * 10}+ domain events, refused {run.refused // 10 * 10}+")
    event(f"registered answers: {len(answers) // 20 * 20}+")
    for name in ("anomalies", "upcoming", "export", "end_user_restrictions", "licenses",
                 "production_orders_received", "investigations"):
        if any(a.get(name) for a in answers):
            event(f"some answer has {name}")


# -- the properties ---------------------------------------------------------------------------


@POOL_JITTER
@_settings(EXAMPLES["slice"])
@given(history=histories(), asked=st.lists(probes(), min_size=PROBES, max_size=PROBES))
def test_state_from_the_subject_slice_equals_the_fold_over_the_whole_log(
        stores: Stores, clock: FakeClock, history: History, asked: list[Probe]) -> None:
    container = stores.current()
    run = Run(container, clock, history)
    run.play(history.ops[:history.split])
    container.catch_up()  # later revisions then find their targets in the stored views
    run.play(history.ops[history.split:])
    container.catch_up()
    log = WholeLog.of(container)
    head, checkpoint = container.log.head(), container.projected_position()
    answers = []
    with Reading(container.engine) as db:
        for index, probe in enumerate(asked):
            at = resolve(run, probe, head, checkpoint)
            subjects = run.subjects()
            want = expected_for_all(subjects, log, at, pin=index == 0)
            for kind, subject in subjects:
                served = container.pit.state(db, kind, subject, at)
                assert served == want[(kind, subject)], (kind, subject, at)
                answers += [served] if served is not None else []
    _note(run, answers)


def _query(run: Run, probe: Probe, subject: tuple[str, str], head: int,
           checkpoint: int) -> tuple[str, dict[str, str]]:
    """An HTTP request with T, K and P explicit; T now and then as a bare date (its end)."""
    at = resolve(run, probe, head, checkpoint)
    as_of = at.as_of.date().isoformat() if probe.as_of[0] == "day" else format_instant(at.as_of)
    kind, slug = subject
    plural = "chips" if kind == "chip" else "companies"
    return f"/v1/{plural}/{slug}", {"as_of": as_of, "known_at": format_instant(at.known_at),
                                    "at_position": str(at.position)}


def _check_http(client: TestClient, run: Run, log: list[tuple[int, Recorded]], url: str,
                params: dict[str, str]) -> bytes:
    response = client.get(url, params=params)
    kind = "chip" if url.startswith("/v1/chips/") else "company"
    # SPEC §4: K later than the request's time is read as that time.
    at = Coordinates(parse_instant(params["as_of"], DateRole.END),
                     min(parse_instant(params["known_at"], DateRole.END), run.clock.now),
                     int(params["at_position"]))
    want = expected(kind, url.rsplit("/", 1)[1], log, at)
    if want is None:
        assert response.status_code == 404, response.text
    else:
        assert response.status_code == 200, response.text
        assert response.json() == orjson.loads(dumps(want)), (url, params)
    return response.content


@POOL_JITTER
@_settings(EXAMPLES["http"])
@given(history=histories(), asked=st.lists(st.tuples(probes(), TARGET), min_size=4, max_size=4))
def test_http_answers_equal_the_fold_and_stay_byte_identical(
        stores: Stores, clock: FakeClock, history: History,
        asked: list[tuple[Probe, int]]) -> None:
    """GET /v1/chips/{id} and /v1/companies/{id} with explicit (T, K, P) serve the reference
    fold; the same request later — after more events, corrections and retractions of earlier
    ones included, were appended and projected — gives the same bytes (SPEC §4,
    "Reproducible")."""
    container, client = stores.current(), stores.http()
    run = Run(container, clock, history)
    run.play(history.ops[:history.split])
    container.catch_up()
    log = WholeLog.of(container)
    head, checkpoint = container.log.head(), container.projected_position()
    subjects = run.subjects()
    first = []
    for probe, which in asked:
        url, params = _query(run, probe, subjects[which % len(subjects)], head, checkpoint)
        if parse_instant(params["known_at"]) > clock.now:  # reproducible only for K ≤ now
            params["known_at"] = format_instant(clock.now)
        first.append((url, params, _check_http(client, run, log, url, params)))
    run.play(history.ops[history.split:])
    run.play(run.rewrites_of_the_past())
    container.catch_up()
    log = WholeLog.of(container)
    head, checkpoint = container.log.head(), container.projected_position()
    for url, params, body in first:
        again = client.get(url, params=params)
        assert again.content == body, (url, params)
        if again.status_code == 200:
            assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    for probe, which in asked:  # after the rest: K may now lie past the clock (read as now)
        url, params = _query(run, probe, subjects[-1 - which % len(subjects)], head, checkpoint)
        _check_http(client, run, log, url, params)


# -- the narrow paths of slice selection, pinned ----------------------------------------------
# Each is reachable by the properties above, but only now and then; here each is one example.

END_OF_2025 = parse_instant("2025-12-31", DateRole.END)


def _append(container: Container, body: dict[str, Any]) -> Recorded:
    return container.writer.append([Item(parse_envelope(body))], "test").items[0].event


def _state(container: Container, kind: str, subject: str,
           at: Coordinates | None = None) -> dict[str, Any] | None:
    """The served state, after checking it against the reference over the whole log."""
    container.catch_up()
    at = at or Coordinates(END_OF_2025, container.clock(), container.log.head())
    with Reading(container.engine) as db:
        served = container.pit.state(db, kind, subject, at)
    assert served == expected(kind, subject, WholeLog.of(container), at)
    return served


def test_a_correction_that_adds_criteria_brings_the_measure_into_other_chips_slices(
        container: Container, clock: FakeClock) -> None:
    for body in (b.company("nvidia"), b.chip("h20", specs={"tpp": 4800}), b.chip("b30a")):
        _append(container, body)
    imposed = _append(container, b.measure("m1", chips=["b30a"]))
    assert _state(container, "chip", "h20")["export"] == {}  # type: ignore[index]
    clock.advance(days=1)
    _append(container, b.correction(imposed.event_id,
                                    data={**imposed.data, "criteria": [{"tpp_min": 4000}]}))
    export = _state(container, "chip", "h20")["export"]  # type: ignore[index]
    assert export["CN"]["matched_by"] == {"m1": {"by": "criteria", "index": 0}}


def test_a_correction_naming_another_chip_brings_the_measure_into_its_slice(
        container: Container, clock: FakeClock) -> None:
    for body in (b.company("nvidia"), b.chip("h20"), b.chip("b30a")):
        _append(container, body)
    imposed = _append(container, b.measure("m1", chips=["h20"]))
    container.catch_up()  # the correction's target is then found in the stored views
    before = container.log.head()
    clock.advance(days=1)
    _append(container, b.correction(imposed.event_id, data={**imposed.data, "chips": ["b30a"]}))
    assert _state(container, "chip", "b30a")["export"]["CN"]["measures"] == ["m1"]  # type: ignore[index]
    assert _state(container, "chip", "h20")["export"] == {}  # type: ignore[index]
    earlier = Coordinates(END_OF_2025, clock.now, before)
    assert _state(container, "chip", "b30a", earlier)["export"] == {}  # type: ignore[index]


def test_a_spec_correction_brings_a_chip_under_existing_criteria(
        container: Container, clock: FakeClock) -> None:
    registered = [_append(container, body) for body in (
        b.company("nvidia"), b.chip("h20", specs={"tpp": 1000}))][1]
    _append(container, b.measure("m1", chips=[], criteria=[{"tpp_min": 4800}], control="ban"))
    assert _state(container, "chip", "h20")["export"] == {}  # type: ignore[index]
    clock.advance(days=1)
    _append(container, b.correction(registered.event_id,
                                    data={**registered.data, "specs": {"tpp": 6000}}))
    assert _state(container, "chip", "h20")["export"]["CN"]["status"] == "banned"  # type: ignore[index]


def test_a_manufacturer_correction_moves_the_chip_to_the_other_company_from_its_report(
        container: Container, clock: FakeClock) -> None:
    registered = [_append(container, body) for body in (
        b.company("nvidia"), b.company("amd"), b.chip("x1", manufacturer="nvidia"))][2]
    container.catch_up()
    before = clock.now
    clock.advance(days=1)
    _append(container, b.correction(registered.event_id,
                                    data={**registered.data, "manufacturer": "amd"}))
    assert _state(container, "company", "amd")["chips"] == ["x1"]  # type: ignore[index]
    assert _state(container, "company", "nvidia")["chips"] == []  # type: ignore[index]
    known_before = Coordinates(END_OF_2025, before, container.log.head())
    assert _state(container, "company", "amd", known_before)["chips"] == []  # type: ignore[index]
