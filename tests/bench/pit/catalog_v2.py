"""Catalog v2 in the point-in-time history (docs/performance.md, "What the generated logs
hold"): destination groups defined before the first measure and amended a few times over the
timeline; measures naming groups in `destinations`, some with `except_destinations`; licence
requirements with a review policy, some with review overrides and licence exceptions; some
compliance dates; suspensions (with and without `until`) and reinstatements.

Every event keeps the write rules (docs/events.md, "Write rules"): a group is defined before
a measure names it and is never retracted; a review policy is set only together with
`control: license_required`, and a measure that ever had one is set to `ban` only with
`review_policy: null`, so no subset of its amendments (some are retracted) leaves a policy
under a ban; a compliance date is never before the measure takes effect, an `until` after
the suspension does."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.bench.pit.generator import Generator, Thing, text_day
from tests.bench.pit.workload import (
    COMPLIANCE_SHARE,
    DAY,
    EXCEPT_SHARE,
    EXCEPTION_SHARE,
    GROUP_AMENDMENTS,
    GROUP_SHARE,
    OVERRIDE_SHARE,
    POLICY_SHARE,
    START,
    UNTIL_SHARE,
)
from tests.bench.v2_mix import (
    CAPPED_CLAUSES,
    EXCEPTING,
    EXCEPTION_IDS,
    GROUPS,
    POLICIES,
    RESTRICTIVE,
    group_change,
    licence_review,
)

REVIEW_SHARES = (POLICY_SHARE, OVERRIDE_SHARE, EXCEPTION_SHARE)
SUSPENSION_REASONS = [
    "Suspended for one year under a bilateral trade arrangement",
    "Suspended pending review of the rule's scope",
    "Enforcement suspended by court order",
]


class CatalogV2(Generator):
    """Groups, v2 measure fields, suspensions and reinstatements; `Lifecycles` calls these."""

    def __init__(self, events: int, chips: int, companies: int, **kwargs: Any):
        super().__init__(events, chips, companies, **kwargs)
        self.members: dict[str, list[str]] = {}  # group id -> members now
        self.control: dict[str, str] = {}  # measure key -> control after its last amendment
        self.policied: set[str] = set()  # measure keys that ever had a review policy
        self.suspended: dict[str, Thing] = {}  # measures suspended without an end
        self.v2_chips: dict[str, None] = {}  # chips named by a measure using catalog v2
        self.group_due: list[int] = []  # log indices of the group amendments, last first

    def _define_groups(self, index: int) -> int:
        """Every group, before any domain event; the amendments spread over the rest."""
        for group_id, name, authority, jurisdiction, members in GROUPS:
            data = {
                "group_id": group_id,
                "name": name,
                "authority": authority,
                "jurisdiction": jurisdiction,
                "members": sorted(members),
            }
            effective = START - DAY * self.rng.randint(30, 2000)
            key = f"group:{group_id}"
            self._emit(index, "DestinationGroupDefined", key, data, effective, base=False)
            self._create("group", group_id, key, data, effective)
            self.members[group_id] = sorted(members)
            index += 1
        due = round(len(GROUPS) * GROUP_AMENDMENTS)
        if self.total > index:
            self.group_due = sorted(
                (self.rng.randrange(index, self.total) for _ in range(due)), reverse=True
            )
        return index

    def _amend_group(self, index: int) -> None:
        group_id = self.rng.choice(list(self.members))
        members = self.members[group_id]
        add, remove = group_change(self.rng, members)
        thing = self.things[f"group:{group_id}"]
        effective = self._later(self._recorded(index), thing.last_effective)
        data = {"group_id": group_id, "add": add, "remove": remove}
        self._emit(index, "DestinationGroupAmended", thing.key, data, effective)
        thing.last_effective = effective
        self.members[group_id] = sorted((set(members) | set(add)) - set(remove))

    # measures --------------------------------------------------------------------------
    def _v2_destinations(self, data: dict[str, Any]) -> None:
        """Name one or two of the jurisdiction's groups (and maybe a code or two), some with
        exceptions: a friendly group, or members of the named ones."""
        jurisdiction = data["jurisdiction"]
        groups = RESTRICTIVE.get(jurisdiction, [])
        if not groups or self.rng.random() >= GROUP_SHARE:
            return
        named = self.rng.sample(groups, self.rng.randint(1, min(2, len(groups))))
        codes = data["destinations"][: self.rng.randint(0, 2)]
        data["destinations"] = [f"group:{g}" for g in named] + codes
        if self.rng.random() < EXCEPT_SHARE:
            friendly = EXCEPTING.get(jurisdiction)
            if friendly and self.rng.random() < 0.5:
                data["except_destinations"] = [f"group:{self.rng.choice(friendly)}"]
            else:
                inside = sorted({c for g in named for c in self.members[g]} - set(codes))
                data["except_destinations"] = self.rng.sample(inside, min(len(inside), 2))
            if not data["except_destinations"]:
                del data["except_destinations"]

    def _v2_measure(self, key: str, data: dict[str, Any], effective: datetime) -> None:
        self._v2_destinations(data)
        self.control[key] = data["control"]
        if licence_review(self.rng, data, REVIEW_SHARES, self._overrides, self._exceptions):
            self.policied.add(key)
        if self.rng.random() < COMPLIANCE_SHARE:
            data["compliance_at"] = text_day(effective + DAY * self.rng.randint(30, 180))
        if any(k in data for k in ("review_policy", "review_overrides", "exceptions")) or any(
            d.startswith("group:") for d in data["destinations"]
        ):
            self.v2_chips.update(dict.fromkeys(data.get("chips") or ()))

    def _part_scope(self, data: dict[str, Any]) -> dict[str, Any]:
        """Which chips and destinations an override or exception is for."""
        part: dict[str, Any] = {}
        roll = self.rng.random()
        if roll < 0.4 and data.get("chips"):
            chips = data["chips"]
            part["chips"] = self.rng.sample(chips, self.rng.randint(1, min(3, len(chips))))
        elif roll < 0.7:
            part["criteria"] = [dict(self.rng.choice(CAPPED_CLAUSES))]
        if self.rng.random() < 0.7:
            named = [d for d in data["destinations"] if not d.startswith("group:")]
            part["destinations"] = named[:2] or ["CN", "MO"]
        return part

    def _overrides(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        return [
            {**self._part_scope(data), "policy": self.rng.choice(POLICIES)}
            for _ in range(self.rng.randint(1, 2))
        ]

    def _exceptions(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        ids = self.rng.sample(EXCEPTION_IDS, self.rng.randint(1, 2))
        return [
            {
                "exception_id": exception_id,
                **self._part_scope(data),
                "conditions": "Notify the authority 25 days before shipping; end-use statement",
            }
            for exception_id in ids
        ]

    def _v2_amendment(self, thing: Thing, data: dict[str, Any], effective: datetime) -> bool:
        """A catalog v2 change to a measure, or False if none fits."""
        roll = self.rng.random()
        if roll < 0.35:
            self._set_control(thing, data, "license_required")
            data["review_policy"] = self.rng.choice(POLICIES)
            self.policied.add(thing.key)
        elif roll < 0.55 and RESTRICTIVE.get(thing.data["jurisdiction"]):
            groups = RESTRICTIVE[thing.data["jurisdiction"]]
            data["destinations"] = [f"group:{self.rng.choice(groups)}", "MO"]
        elif roll < 0.7:
            data["compliance_at"] = text_day(effective + DAY * self.rng.randint(30, 120))
        elif self.control.get(thing.key) == "license_required":
            merged = {**thing.data, **data}
            if roll < 0.85:
                data["review_overrides"] = self._overrides(merged)
            else:
                data["exceptions"] = self._exceptions(merged)
        else:
            return False
        self.v2_chips.update(dict.fromkeys(thing.data.get("chips") or ()))
        return True

    def _set_control(self, thing: Thing, data: dict[str, Any], control: str) -> None:
        data["control"] = control
        if control == "ban" and thing.key in self.policied:
            data["review_policy"] = None
        self.control[thing.key] = control

    # suspensions -----------------------------------------------------------------------
    def _suspension(self, thing: Thing, data: dict[str, Any], effective: datetime) -> None:
        data["reason"] = self.rng.choice(SUSPENSION_REASONS)
        if self.rng.random() < UNTIL_SHARE:
            data["until"] = text_day(effective + DAY * self.rng.randint(90, 730))
            self.suspended.pop(thing.key, None)
        else:
            self.suspended[thing.key] = thing
        self.v2_chips.update(dict.fromkeys(thing.data.get("chips") or ()))

    def _suspended_measure(self) -> Thing | None:
        """A live measure suspended without an end (for a reinstatement)."""
        while self.suspended:
            key = self.rng.choice(list(self.suspended))
            thing = self.suspended.pop(key)
            if thing.index >= 0:  # not lifted, its imposition not retracted
                return thing
        return None
