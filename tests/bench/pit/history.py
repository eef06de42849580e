"""A valid history in store order: registrations first, then the mix of domain events, with
catalog v2 part 2's events (~1.7 %, catalog_v2_part2.py) and ~5 % corrections and
retractions of earlier events."""

from __future__ import annotations

from typing import Any

from domain.catalog import CATALOG, Role
from domain.clocks import parse_instant
from tests.bench.pit.catalog_v2_part2 import CatalogV2Part2
from tests.bench.pit.generator import Base, Planned, text_day
from tests.bench.pit.workload import (
    DAY,
    GUIDANCE,
    INITIAL_CHIPS,
    LIFT_REASONS,
    RETRACTION_SHARE,
    REVISION_SHARE,
)
from tests.bench.v2_part2_mix import PART2_SHARE


class History(CatalogV2Part2):
    """Generates a valid, realistic log in store order (random but reproducible)."""

    # generation ------------------------------------------------------------------------
    def generate(self) -> list[Planned]:
        index = 0
        for company in self.companies:
            self._emit(
                index,
                "CompanyRegistered",
                f"company:{company}",
                {
                    "company": company,
                    "name": company.upper(),
                    "country": self.rng.choice(["US", "US", "CN", "TW", "KR", "NL", "JP"]),
                },
                None,
            )
            index += 1
        initial = max(1, int(self.n_chips * INITIAL_CHIPS))
        for _ in range(initial):
            self._register_chip(index)
            index += 1
        index = self._define_groups(index)
        later_chips = self.n_chips - initial
        while index < self.total:
            remaining = self.total - index
            if self.group_due and index >= self.group_due[-1]:
                self.group_due.pop()
                self._amend_group(index)
            elif later_chips and self.rng.random() < later_chips / remaining:
                self._register_chip(index)
                later_chips -= 1
            elif self.rng.random() < PART2_SHARE:
                self._part2(index)
            elif self.rng.random() < REVISION_SHARE and self.bases:
                self._revision(index)
            else:
                self._domain(index, self.rng.choices(self._mix_types, cum_weights=self._mix_cum)[0])
            index += 1
        return self.out

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
        self._emit(
            index,
            "EventRetracted",
            target.key,
            {"event_id": target.event_id, "reason": "Report withdrawn by its source"},
            None,
            base=False,
        )
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
            replaced = self._corrected_data(target.type, data, target.key)
            if replaced is not None:
                changes["data"] = replaced
        if not changes and target.effective_at is not None:
            if roll < 0.7 and role in (Role.CREATOR, Role.TERMINAL):
                # creators move earlier, endings later: later writes stay valid
                shift = DAY * self.rng.randint(1, 10)
                moved = (
                    target.effective_at - shift
                    if role is Role.CREATOR
                    else target.effective_at + shift
                )
                changes["effective_at"] = text_day(moved)
                target.effective_at = moved
            else:
                changes["reported_at"] = text_day(
                    target.effective_at - DAY * self.rng.randint(1, 30)
                )
        if not changes:  # a registry event with nothing to change: rename it
            changes["data"] = {**data, "name": data["name"] + " (corrected)"}
        self._emit(
            index,
            "EventCorrected",
            target.key,
            {"event_id": target.event_id, "changes": changes},
            None,
            base=False,
        )
        if "data" in changes:
            kept = {k: v for k, v in target.data.items() if k.startswith("_")}
            target.data = {**changes["data"], **kept}
            thing = self.things.get(target.key)
            if thing is not None and CATALOG[target.type].role is Role.CREATOR:
                thing.data = changes["data"]

    def _corrected_data(self, type_: str, data: dict[str, Any], key: str) -> dict[str, Any] | None:
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
            if "control" in data and "review_policy" not in data and key not in self.policied:
                # (a policy and its control change together: catalog_v2.py)
                new["control"] = (
                    "ban" if data["control"] == "license_required" else "license_required"
                )
            elif "destinations" in data:
                new["destinations"] = self._destinations("US")
            else:
                return None
        elif type_ == "ExportBanLifted":
            new["reason"] = self.rng.choice(LIFT_REASONS)
        elif type_ == "LicenseGranted":
            if "expires_at" in data or self.rng.random() < 0.5:
                new["expires_at"] = text_day(
                    parse_instant(data.get("expires_at") or "2026-01-01")
                    + DAY * self.rng.randint(-60, 60)
                )
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
