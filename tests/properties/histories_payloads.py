"""The payloads of a generated history (tests/properties/histories.py): what each creation
says, what a lifecycle event may say of its object, and the material of a full-data
correction. References are indices, named when the history is played
(tests/properties/runs.py).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from tests.properties import catalog_v2 as v2
from tests.properties.histories_vocabulary import (
    JURISDICTIONS,
    WINDOW,
    References,
    criteria,
    some_of,
    spec_sheets,
    whens,
)


def _affiliates_rule(data: dict[str, Any]) -> dict[str, Any]:
    """affiliates_min_percent only with named companies (the writer refuses it otherwise)."""
    if not data.get("companies"):
        data = {k: v for k, v in data.items() if k != "affiliates_min_percent"}
    return data


def _covering(data: dict[str, Any], keys: tuple[str, ...], default: str) -> dict[str, Any]:
    return data if any(data[k] for k in keys) else {**data, default: [0]}


class Vocabulary(References):
    """Strategies for one example's payloads; references are indices, named at run time."""

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
                    "criteria": criteria(),
                    "companies": self.end_users(),
                    "control": control,
                },
                optional={
                    **v2.parts(self.chips(1), criteria(1)),
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
            "TariffImposed": v2.tariff(self.chips(), criteria()).map(
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
                    "criteria": criteria(),
                    "companies": self.end_users(),
                    "control": st.sampled_from(("ban", "license_required")),
                    "except_destinations": v2.entries(0),
                    "review_policy": st.none() | st.sampled_from(v2.POLICIES),
                }
            )
            .flatmap(some_of)
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
                "criteria": criteria(1),
                "control": st.sampled_from(("ban", "license_required")),
                "destinations": self.destinations(),
                "specs": st.none() | spec_sheets(),
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
