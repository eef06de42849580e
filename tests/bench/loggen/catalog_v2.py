"""The synthetic log's catalog v2 (docs/performance.md, "What the generated logs hold"):
destination groups (tests/bench/v2_mix.py GROUPS) defined after the registrations and amended
a few times each over the timeline; measures naming groups in `destinations`, some with
`except_destinations`; licence requirements with a review policy, some with review overrides
and licence exceptions; compliance dates; suspensions with and without `until`, and
reinstatements. Data is built in the stored (canonical) form.

The write rules hold as in tests/bench/pit/catalog_v2.py: a review policy is set only with
`control: license_required`, and a measure that ever had one goes to `ban` only with
`review_policy: null` (amendments may be retracted); compliance dates are not before the
measure takes effect, an `until` is after its suspension."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.clocks import format_instant
from domain.dossier import aggregate_key
from domain.events import Recorded
from tests.bench.loggen.stream import EPOCH, LogStream
from tests.bench.v2_mix import (
    CAPPED_CLAUSES,
    EXCEPTING,
    EXCEPTION_IDS,
    POLICIES,
    RESTRICTIVE,
    group_change,
    licence_review,
)

GROUP_SHARE = 0.55  # of measures of a jurisdiction with groups (US, EU, JP, GB): name some
EXCEPT_SHARE = 0.4  # of those: with except_destinations
POLICY_SHARE = 0.6  # of license_required measures: a review_policy
OVERRIDE_SHARE = 0.2  # ... review_overrides
EXCEPTION_SHARE = 0.12  # ... licence exceptions
REVIEW_SHARES = (POLICY_SHARE, OVERRIDE_SHARE, EXCEPTION_SHARE)
COMPLIANCE_SHARE = 0.12  # of measures: a compliance_at 30-180 days after effective_at
V2_AMENDMENT_SHARE = 0.3  # of amendments: a catalog v2 change
CAPPED_SHARE = 0.15  # of criteria: one more clause bounded above (_lt / _max)
UNTIL_SHARE = 0.5  # of suspensions
CONDITIONS = "Notify the authority 25 days before shipping; end-use statement on file"
REASONS = [
    "Suspended for one year under a bilateral trade arrangement",
    "Suspended pending review of the rule's scope",
    "Enforcement suspended by court order",
]


class CatalogV2Steps(LogStream):
    """Groups, v2 measure fields, suspensions and reinstatements."""

    def _define_group(
        self, group_id: str, name: str, authority: str, jurisdiction: str, members: list[str]
    ) -> Recorded:
        data = {
            "group_id": group_id,
            "name": name,
            "authority": authority,
            "jurisdiction": jurisdiction,
            "members": sorted(members),
        }
        self.members[group_id] = sorted(members)
        effective = EPOCH - timedelta(days=self.rng.randint(30, 2000))
        key = aggregate_key("group", group_id)
        return self._event("DestinationGroupDefined", key, data, effective)

    def _amend_group(self) -> Recorded:
        group_id = self.rng.choice(sorted(self.members))
        members = self.members[group_id]
        add, remove = group_change(self.rng, members)
        self.members[group_id] = sorted((set(members) | set(add)) - set(remove))
        key = aggregate_key("group", group_id)
        effective = self.last_effective[key] + timedelta(days=self.rng.randint(60, 500))
        data = {"group_id": group_id, "add": add, "remove": remove}
        return self._event("DestinationGroupAmended", key, data, effective)

    # measures --------------------------------------------------------------------------
    def _criteria(self) -> list[dict[str, str]]:
        clauses = [{"tpp_min": str(self.rng.randint(1000, 6000))}]
        if self.rng.random() < CAPPED_SHARE:
            clauses.append(dict(self.rng.choice(CAPPED_CLAUSES)))
        return clauses

    def _v2_imposition(self, mid: str, data: dict[str, Any], effective: datetime) -> None:
        """Catalog v2's fields of a new measure (only those it has: as stored)."""
        jurisdiction = data["jurisdiction"]
        groups = RESTRICTIVE.get(jurisdiction)
        if groups and self.rng.random() < GROUP_SHARE:
            named = self.rng.sample(groups, self.rng.randint(1, min(2, len(groups))))
            codes = data["destinations"][: self.rng.randint(0, 2)]
            data["destinations"] = [f"group:{g}" for g in named] + codes
            if self.rng.random() < EXCEPT_SHARE:
                friendly = EXCEPTING.get(jurisdiction)
                inside = sorted({c for g in named for c in self.members[g]} - set(codes))
                excepted = (
                    [f"group:{self.rng.choice(friendly)}"]
                    if friendly and self.rng.random() < 0.5
                    else self._sample(inside, 1, 2)
                )
                if excepted:  # stored only when not empty
                    data["except_destinations"] = excepted
        if licence_review(self.rng, data, REVIEW_SHARES, self._overrides, self._exceptions):
            self.policied.add(mid)
        if self.rng.random() < COMPLIANCE_SHARE:
            compliance = effective + timedelta(days=self.rng.randint(30, 180))
            data["compliance_at"] = format_instant(compliance)

    def _scope(self, data: dict[str, Any]) -> dict[str, Any]:
        """An override's or exception's chips, criteria and destinations, as stored."""
        roll = self.rng.random()
        chips = data["chips"]
        codes = [d for d in data["destinations"] if not d.startswith("group:")]
        return {
            "chips": self._sample(chips, 1, 3) if roll < 0.4 and chips else [],
            "criteria": [dict(self.rng.choice(CAPPED_CLAUSES))] if 0.4 <= roll < 0.7 else [],
            "destinations": (codes[:2] or ["CN", "MO"]) if self.rng.random() < 0.7 else [],
        }

    def _overrides(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {**self._scope(data), "policy": self.rng.choice(POLICIES)}
            for _ in range(self.rng.randint(1, 2))
        ]

    def _exceptions(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {"exception_id": exception_id, **self._scope(data), "conditions": CONDITIONS}
            for exception_id in self.rng.sample(EXCEPTION_IDS, self.rng.randint(1, 2))
        ]

    def _v2_change(self, mid: str, change: dict[str, Any], effective: datetime) -> bool:
        """A catalog v2 amendment of an open measure, or False if none fits."""
        current = self.data[mid]
        roll = self.rng.random()
        if roll < 0.35:
            change["control"] = "license_required"
            change["review_policy"] = self.rng.choice(POLICIES)
            self.policied.add(mid)
        elif roll < 0.55 and RESTRICTIVE.get(current["jurisdiction"]):
            group = self.rng.choice(RESTRICTIVE[current["jurisdiction"]])
            change["destinations"] = [f"group:{group}", "MO"]
        elif roll < 0.7:
            compliance = effective + timedelta(days=self.rng.randint(30, 120))
            change["compliance_at"] = format_instant(compliance)
        elif current["control"] == "license_required":
            merged = {**current, **change}
            if roll < 0.85:
                change["review_overrides"] = self._overrides(merged)
            else:
                change["exceptions"] = self._exceptions(merged)
        else:
            return False
        return True

    # suspensions -----------------------------------------------------------------------
    def _suspend(self) -> Recorded | None:
        mid = self._pick_open("measure")
        if mid is None:
            return None
        key = aggregate_key("measure", mid)
        effective = self._after(key)
        until = None
        if self.rng.random() < UNTIL_SHARE:
            until = format_instant(effective + timedelta(days=self.rng.randint(90, 730)))
        else:
            self.open["suspended"].append(mid)
        data = {"measure_id": mid, "until": until, "reason": self.rng.choice(REASONS)}
        return self._event("ExportBanSuspended", key, data, effective)

    def _reinstate(self) -> Recorded | None:
        mid = self._pick_open("suspended", close=True)
        if mid is None or mid not in self.data:  # none, or lifted since
            return None
        key = aggregate_key("measure", mid)
        return self._event("ExportBanReinstated", key, {"measure_id": mid}, self._after(key))
