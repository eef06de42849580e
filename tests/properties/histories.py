"""Random histories for the point-in-time properties: the vocabulary of an example (its
chips, companies, payloads and clocks) and the Hypothesis strategies that draw the operations
a run appends — registrations, creations, lifecycle events, corrections, retractions and
reinstatements. References are indices, named when the history is played
(tests/properties/runs.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.properties import catalog_v2 as v2

# -- the vocabulary of a generated history ---------------------------------------------------

WINDOW = 60  # days; an example's dates fall around [start, start + WINDOW), the clock mid-way
DESTINATIONS = ("CN", "RU", "US", "EU")
JURISDICTIONS = ("US", "EU", "CN")
SPEC_VALUES: dict[str, tuple[Any, ...]] = {
    "tpp": (1000, 1600, "2368", 4800, 6000),
    "performance_density": ("2.5", "5.92", 8),
    "hbm_gb": (24, "80", 96),
    "process_node_nm": (4, 5, 7),
    "memory_bandwidth_density": ("1.4", 2, "3.3"),
}
# Creators get a fresh id at run time; lifecycle events name one of the created objects.
CREATORS = {
    "ExportBanImposed": "measure_id",
    "LicenseGranted": "license_id",
    "LicenseDenied": "application_id",
    "RevenueShareAgreed": "agreement_id",
    "AdvisoryIssued": "advisory_id",
    "InvestigationOpened": "case_id",
    "DestinationGroupDefined": "group_id",
    "LicenseApplied": "application_id",
    "TariffImposed": "tariff_id",
    "PolicyAnnounced": "announcement_id",
}
FOLLOWS = {
    "ExportBanImposed": "ExportBanAmended",
    "LicenseGranted": "LicenseRevoked",
    "RevenueShareAgreed": "RevenueShareEnded",
    "AdvisoryIssued": "AdvisoryWithdrawn",
    "InvestigationOpened": "InvestigationConcluded",
    "ProductionHalted": "ProductionResumed",
    "DestinationGroupDefined": "DestinationGroupAmended",
    "LicenseApplied": "LicenseDenied",  # or a withdrawal, or a grant: chosen at run time
    "TariffImposed": "TariffAmended",  # or its lift
    "PolicyAnnounced": "PolicyAnnouncementWithdrawn",
    "OwnershipRecorded": "OwnershipEnded",  # or a new percent
}
CHIP_KEYS = ("chip", "chips", "successor_of")
COMPANY_KEYS = (
    "company",
    "companies",
    "suppliers",
    "licensee",
    "manufacturer",
    "owner",
    "owned",
    "end_users",
)
# What a full-data correction may change, per target type (identity fields never).
MUTABLE = {
    "CompanyRegistered": ("name", "country"),
    "ChipRegistered": ("specs", "manufacturer", "name", "successor_of"),
    "ExportBanImposed": (
        "chips",
        "criteria",
        "companies",
        "control",
        "destinations",
        "except_destinations",
        "review_policy",
    ),
    "ExportBanAmended": ("chips", "criteria", "companies", "control", "destinations"),
    "ExportBanSuspended": ("until", "reason"),
    "DestinationGroupDefined": ("members", "name"),
    "TariffImposed": ("rate_percent", "chips", "destinations", "origins"),
    "PolicyAnnounced": ("chips", "companies", "destinations"),
    "OwnershipRecorded": ("percent",),
    "LicenseApplied": ("chips", "destinations"),
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
    return names.flatmap(
        lambda ns: st.fixed_dictionaries({n: st.sampled_from(SPEC_VALUES[n]) for n in ns})
    )


def _criteria(min_size: int = 0) -> st.SearchStrategy[list[dict[str, Any]]]:
    names = st.lists(st.sampled_from(sorted(SPEC_VALUES)), min_size=1, max_size=2, unique=True)
    clause = names.flatmap(
        lambda ns: st.fixed_dictionaries({f"{n}_min": st.sampled_from(SPEC_VALUES[n]) for n in ns})
    )
    return st.lists(clause | v2.bounded_clause(SPEC_VALUES), min_size=min_size, max_size=2)


def _some(candidates: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A non-empty part of `candidates` (what an amendment or a correction changes)."""
    keys = st.lists(
        st.sampled_from(sorted(candidates)), min_size=1, max_size=len(candidates), unique=True
    )
    return keys.map(lambda ks: {k: candidates[k] for k in sorted(ks)})


def _affiliates_rule(data: dict[str, Any]) -> dict[str, Any]:
    """affiliates_min_percent only with named companies (the writer refuses it otherwise)."""
    if not data.get("companies"):
        data = {k: v for k, v in data.items() if k != "affiliates_min_percent"}
    return data


def _covering(data: dict[str, Any], keys: tuple[str, ...], default: str) -> dict[str, Any]:
    return data if any(data[k] for k in keys) else {**data, default: [0]}


class Vocabulary:
    """Strategies for one example's payloads; references are indices, named at run time."""

    def __init__(self, chips: int, companies: int, focus: str | None = None):
        self.n_chips, self.n_companies, self.focus = chips, companies, focus

    def chips(self, lo: int = 0, hi: int = 3) -> st.SearchStrategy[list[int]]:
        return st.lists(st.integers(0, self.n_chips - 1), min_size=lo, max_size=hi, unique=True)

    def companies(self, lo: int = 0, hi: int = 2) -> st.SearchStrategy[list[int]]:
        return st.lists(st.integers(0, self.n_companies - 1), min_size=lo, max_size=hi, unique=True)

    def company(self) -> st.SearchStrategy[int]:
        return st.integers(0, self.n_companies - 1)

    @staticmethod
    def destinations() -> st.SearchStrategy[list[str]]:
        return st.lists(st.sampled_from(DESTINATIONS), min_size=1, max_size=3, unique=True)

    @staticmethod
    def measure_destinations() -> st.SearchStrategy[list[str]]:
        """Codes or groups ("G<i>", docs/events.md, "Destination groups")."""
        return v2.entries()

    @staticmethod
    def issuer() -> dict[str, st.SearchStrategy[str]]:
        return {
            "authority": st.sampled_from(("BIS", "EC", "MOFCOM")),
            "jurisdiction": st.sampled_from(JURISDICTIONS),
        }

    def end_users(self) -> st.SearchStrategy[list[int]]:
        """Mostly none: a measure naming end users changes no export status (with the
        ownership focus, always some: their affiliates are what is tested)."""
        if self.focus == "ownership":
            return self.companies(1)
        return st.just([]) | st.just([]) | self.companies(1)

    def _affiliated(self, data: dict[str, Any]) -> dict[str, Any]:
        """With the ownership focus, every measure reaches affiliates."""
        if self.focus == "ownership" and "affiliates_min_percent" not in data:
            return {**data, "affiliates_min_percent": "25"}
        return data

    def creators(self) -> dict[str, st.SearchStrategy[dict[str, Any]]]:
        control = st.sampled_from(("ban", "license_required"))
        return {
            "ExportBanImposed": st.fixed_dictionaries(
                {
                    **self.issuer(),
                    "destinations": self.measure_destinations(),
                    "chips": self.chips(),
                    "criteria": _criteria(),
                    "companies": self.end_users(),
                    "control": control,
                },
                optional={
                    **v2.parts(self.chips(1), _criteria(1)),
                    "compliance_days": st.integers(0, 20),
                    "affiliates_min_percent": st.sampled_from(("50", "25", "20", "60")),
                    "implements": v2.implements(),
                },
            )
            .map(lambda d: _covering(d, ("chips", "criteria", "companies"), "chips"))
            .map(v2.with_policy_rule)
            .map(self._affiliated)
            .map(_affiliates_rule),
            "DestinationGroupDefined": v2.group_definition(),
            "LicenseApplied": st.fixed_dictionaries(
                {
                    **self.issuer(),
                    "licensee": self.company(),
                    "chips": self.chips(1, 2),
                    "destinations": self.destinations(),
                }
            ),
            "TariffImposed": v2.tariff(self.chips(), _criteria()).map(
                lambda d: _covering(d, ("chips", "criteria"), "chips")
            ),
            "PolicyAnnounced": v2.announcement(self.chips(), self.companies()),
            "OwnershipRecorded": st.fixed_dictionaries(
                {
                    # two different companies (a company owning itself is refused)
                    "pair": st.lists(self.company(), min_size=2, max_size=2, unique=True),
                    "percent": st.sampled_from(("20", "25", "30", "50", "60", 100)),
                }
            ).map(
                lambda d: {"owner": d["pair"][0], "owned": d["pair"][1], "percent": d["percent"]}
            ),
            "LicenseGranted": st.fixed_dictionaries(
                {
                    **self.issuer(),
                    "licensee": self.company(),
                    "chips": self.chips(1),
                    "destinations": self.destinations(),
                },
                optional={
                    "expires_at": whens(-5, WINDOW + 5),
                    "implements": v2.implements(),
                    "end_users": self.companies(1),
                },
            ),
            "LicenseDenied": st.fixed_dictionaries(
                {
                    **self.issuer(),
                    "licensee": self.company(),
                    "chips": self.chips(1, 2),
                    "destinations": self.destinations(),
                }
            ),
            "RevenueShareAgreed": st.fixed_dictionaries(
                {
                    "company": self.company(),
                    "chips": self.chips(1),
                    "destinations": self.destinations(),
                    "beneficiary": st.sampled_from(JURISDICTIONS),
                    "percent": st.sampled_from(("15", 5, "12.5", 100)),
                },
                optional={"implements": v2.implements()},
            ),
            "AdvisoryIssued": st.fixed_dictionaries(
                {
                    **self.issuer(),
                    "chips": self.chips(),
                    "companies": self.companies(),
                    "guidance": st.sampled_from(("caution", "avoid_purchase", "purchase_ban")),
                }
            ).map(lambda d: _covering(d, ("chips", "companies"), "companies")),
            "InvestigationOpened": st.fixed_dictionaries(
                {
                    **self.issuer(),
                    "companies": self.companies(),
                    "chips": self.chips(0, 2),
                    "kind": st.sampled_from(("antitrust", "security", "summons")),
                }
            ).map(lambda d: _covering(d, ("chips", "companies"), "chips")),
            "ProductionHalted": st.fixed_dictionaries(
                {
                    "company": self.company(),
                    "chips": self.chips(1),
                    "suppliers": self.companies(),
                },
                optional={"reason": st.just("told to stop")},
            ),
        }

    def follow_up(self) -> dict[str, st.SearchStrategy[Any]]:
        """What a lifecycle event may say; which one it is depends on its object, found at
        run time (an amendment's changes, a lift's reason, a finding, a resume's chips as
        indices into its halt's)."""
        return {
            "amend": st.fixed_dictionaries(
                {
                    "destinations": self.measure_destinations(),
                    "chips": self.chips(),
                    "criteria": _criteria(),
                    "companies": self.end_users(),
                    "control": st.sampled_from(("ban", "license_required")),
                    "except_destinations": v2.entries(0),
                    "review_policy": st.none() | st.sampled_from(v2.POLICIES),
                }
            )
            .flatmap(_some)
            .map(v2.with_policy_rule),
            "measure_kind": v2.measure_follow_up(),
            "suspension": v2.suspension(),
            "group_change": v2.group_amendment(),
            **v2.follow_ups_v2(),
            "reason": st.sampled_from(("rescinded", "suspended", "superseded")),
            "finding": st.sampled_from(("violation", "cleared", "other")),
            "resumed": st.lists(st.integers(0, 2), min_size=1, max_size=2, unique=True),
        }

    def replacement(self) -> st.SearchStrategy[dict[str, Any]]:
        """Material for a full-data correction: which fields change, and to what."""
        return st.fixed_dictionaries(
            {
                "change": st.integers(1, 127),  # a bit mask over the target type's MUTABLE fields
                "chips": self.chips(1),
                "companies": self.companies(),
                "suppliers": self.companies(),
                "criteria": _criteria(1),
                "control": st.sampled_from(("ban", "license_required")),
                "destinations": self.destinations(),
                "specs": st.none() | _specs(),
                "expires_at": st.none() | whens(-5, WINDOW + 5),
                "licensee": self.company(),
                "percent": st.sampled_from(("15", "7.5")),
                "manufacturer": self.company(),
                "successor_of": st.none() | st.integers(0, self.n_chips - 1),
                "guidance": st.sampled_from(("caution", "other")),
                "name": st.just("Renamed"),
                "kind": st.sampled_from(("security", "other")),
                "country": st.sampled_from(("CN", "TW")),
                "finding": st.sampled_from(("violation", "cleared")),
                "reason": st.sampled_from(("expired", "other")),
                "except_destinations": v2.entries(),
                "review_policy": st.sampled_from(v2.POLICIES),
                "until": st.none() | whens(0, WINDOW + 5),
                "members": v2.codes(),
                "rate_percent": st.sampled_from(("25", "12.5")),
                "origins": v2.codes(),
            }
        )


TICK = st.integers(1, 600)  # minutes the clock moves before each append
REPORTED = st.none() | st.none() | st.integers(-20, 20)  # days after effective_at; None: default
TARGET = st.integers(0, 10**6)  # an index into what the run has stored, modulo its size


def weighted(*choices: tuple[st.SearchStrategy[Any], int]) -> st.SearchStrategy[Any]:
    """One of the strategies, in proportion to its weight (`st.one_of` merges repeats)."""
    return st.sampled_from([s for s, weight in choices for _ in range(weight)]).flatmap(lambda s: s)


FOCUS_WEIGHTS = {  # a focus makes some histories common that are rare otherwise
    None: {
        "ExportBanImposed": 4,
        "LicenseGranted": 2,
        "ProductionHalted": 2,
        "DestinationGroupDefined": 2,
        "OwnershipRecorded": 4,
    },
    # ownership chains under measures with affiliates: pairs that name neither end of a
    # company's restriction decide it (docs/state.md, "Ownership and affiliates")
    "ownership": {"ExportBanImposed": 4, "OwnershipRecorded": 10},
}


def _creations(vocabulary: Vocabulary) -> list[tuple[st.SearchStrategy[dict[str, Any]], int]]:
    weights = FOCUS_WEIGHTS[vocabulary.focus]
    return [
        (
            st.fixed_dictionaries(
                {
                    "op": st.just("create"),
                    "type": st.just(kind),
                    "data": payload,
                    "effective_at": whens(),
                    "reported": REPORTED,
                    "tick": TICK,
                }
            ),
            weights.get(kind, 1),
        )
        for kind, payload in vocabulary.creators().items()
    ]


def _follow_ups(vocabulary: Vocabulary) -> st.SearchStrategy[dict[str, Any]]:
    """A lifecycle event of one of the run's objects, a few days after its creation as
    stored (or, now and then, before it: the writer refuses those)."""
    return st.fixed_dictionaries(
        {
            "op": st.just("follow"),
            "target": TARGET,
            **vocabulary.follow_up(),
            "after": st.integers(-2, 40),
            "hour": st.none() | st.sampled_from((0, 12)),
            "reported": REPORTED,
            "tick": TICK,
        }
    )


def _revisions(vocabulary: Vocabulary) -> list[tuple[st.SearchStrategy[dict[str, Any]], int]]:
    reported = st.none() | whens(-10, WINDOW + 10)  # None: recorded_at (docs/clocks.md)
    changes = st.fixed_dictionaries(
        {
            "effective_at": whens(),
            "reported_at": whens(-20, WINDOW + 20),
            "data": vocabulary.replacement(),
        }
    ).flatmap(_some)
    reinstating = st.one_of(
        st.just({"same_data": True}),
        st.fixed_dictionaries({"effective_at": whens()}),
        st.fixed_dictionaries({"reported_at": whens(-20, WINDOW + 20)}),
    )
    correct = st.fixed_dictionaries(
        {
            "op": st.just("correct"),
            "pool": st.sampled_from(("any", "registry", "creator", "follow")),
            "target": TARGET,
            "changes": changes,
            "reported": reported,
            "tick": TICK,
        }
    )
    retract = st.fixed_dictionaries(
        {
            "op": st.just("retract"),
            "pool": st.sampled_from(("domain", "creator", "follow")),
            "target": TARGET,
            "reported": reported,
            "tick": TICK,
        }
    )
    reinstate = st.fixed_dictionaries(
        {
            "op": st.just("reinstate"),
            "target": TARGET,
            "changes": reinstating,
            "reported": reported,
            "tick": TICK,
        }
    )
    return [(correct, 6), (retract, 3), (reinstate, 2)]


def _registrations(
    draw: st.DrawFn, vocabulary: Vocabulary, later: int
) -> tuple[list[Any], list[Any]]:
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
def histories(draw: st.DrawFn, focus: str | None = None) -> History:
    vocabulary = Vocabulary(
        chips=draw(st.integers(4, 8)), companies=draw(st.integers(3, 5)), focus=focus
    )
    kinds = weighted(*_creations(vocabulary), (_follow_ups(vocabulary), 8), *_revisions(vocabulary))
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
