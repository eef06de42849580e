"""The vocabulary of a generated history (tests/properties/histories.py): an example's window,
places, spec values, the catalog facts a run needs to name and follow objects, the moments
of its window, and the strategies for what payloads refer to. References are indices, named
when the history is played (tests/properties/runs.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.properties import catalog_v2 as v2

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


def whens(lo: int = 0, hi: int = WINDOW - 1) -> st.SearchStrategy[When]:
    return st.builds(When, st.integers(lo, hi), st.none() | st.sampled_from((0, 9, 12, 23)))


def spec_sheets() -> st.SearchStrategy[dict[str, Any]]:
    names = st.lists(st.sampled_from(sorted(SPEC_VALUES)), min_size=1, max_size=3, unique=True)
    return names.flatmap(
        lambda ns: st.fixed_dictionaries({n: st.sampled_from(SPEC_VALUES[n]) for n in ns})
    )


def criteria(min_size: int = 0) -> st.SearchStrategy[list[dict[str, Any]]]:
    names = st.lists(st.sampled_from(sorted(SPEC_VALUES)), min_size=1, max_size=2, unique=True)
    clause = names.flatmap(
        lambda ns: st.fixed_dictionaries({f"{n}_min": st.sampled_from(SPEC_VALUES[n]) for n in ns})
    )
    return st.lists(clause | v2.bounded_clause(SPEC_VALUES), min_size=min_size, max_size=2)


def some_of(candidates: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A non-empty part of `candidates` (what an amendment or a correction changes)."""
    keys = st.lists(
        st.sampled_from(sorted(candidates)), min_size=1, max_size=len(candidates), unique=True
    )
    return keys.map(lambda ks: {k: candidates[k] for k in sorted(ks)})


class References:
    """One example's sizes and focus, and the strategies for what its payloads name: chips,
    companies, destinations and issuers (indices and codes, named at run time)."""

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
