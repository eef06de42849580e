"""Catalog v2 part 2 in the point-in-time history (docs/performance.md, "What the generated
logs hold"; steps and vocabulary in tests/bench/v2_part2_mix.py): licence applications, most
granted by a licence naming them, some denied or withdrawn; ownership chains among the
companies, some re-recorded with a new percent, some ended; end-user measures reaching
affiliates; tariffs with amendments and lifts; announcements, some implemented, some
withdrawn.

The write rules (docs/events.md, "Catalog v2 write rules") hold by construction: a grant,
denial or withdrawal names a pending application and takes effect after its filing; the
events of one object or ownership pair take effect in log order (`_later`), so an end
finds its pair recorded; `implements` names an announcement recorded earlier. The new
types are emitted with `base=False`: never revision targets (v2_part2_mix.py says why)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.bench.pit.generator import Thing, text_day
from tests.bench.pit.lifecycles import Lifecycles
from tests.bench.pit.workload import AUTHORITY, DAY, EXPORTERS
from tests.bench.v2_part2_mix import (
    AFFILIATE_PERCENTS,
    AFFILIATES_SHARE,
    ANNOUNCEMENT_WITHDRAWALS,
    APPLICATION_WITHDRAWALS,
    CHAIN_SHARE,
    IMPLEMENTERS,
    OWNER_PERCENTS,
    PARENTS,
    TARIFF_LIFTS,
    step,
    tariff_change,
    tariff_data,
)


class CatalogV2Part2(Lifecycles):
    """One part-2 event per `_part2` call; `History` draws when."""

    def __init__(self, events: int, chips: int, companies: int, **kwargs: Any):
        super().__init__(events, chips, companies, **kwargs)
        self.pending: dict[str, Thing] = {}  # applications filed and not yet ended
        self.pairs: dict[str, Thing] = {}  # ownership pairs ever recorded (data: percent)
        self.held: dict[str, None] = {}  # pairs recorded and not ended
        self.owned: dict[str, None] = {}  # companies some pair owns (chains start there)
        self.tariffs: dict[str, Thing] = {}  # tariffs not lifted
        self.announced: dict[str, Thing] = {}  # announcements neither implemented nor withdrawn

    def _part2(self, index: int) -> None:
        getattr(self, f"_p2_{step(self.rng, self)}")(index, self._recorded(index))

    def _pick(self, pool: dict[str, Any]) -> Any:
        return pool.pop(self.rng.choice(list(pool)))

    # applications ------------------------------------------------------------------------
    def _p2_apply(self, index: int, recorded: datetime) -> None:
        application = self._next_id("apl")
        data = self._application_terms(application)
        effective, key = self._effective(recorded), f"application:{application}"
        self._emit(index, "LicenseApplied", key, data, effective, base=False)
        self.pending[key] = Thing("application", application, key, data, effective)

    def _p2_grant_application(self, index: int, recorded: datetime) -> None:
        application = self._pick(self.pending)
        licence = self._next_id("lic")
        effective = self._later(recorded, application.last_effective)
        data = {**application.data, "license_id": licence}
        if self.rng.random() < 0.3:
            data["conditions"] = ["No re-export without authorisation", "Quarterly end-use reports"]
        key = f"license:{licence}"
        self._emit(index, "LicenseGranted", key, data, effective)
        self._create("license", licence, key, data, effective)

    def _p2_deny_application(self, index: int, recorded: datetime) -> None:
        application = self._pick(self.pending)
        effective = self._later(recorded, application.last_effective)
        self._emit(index, "LicenseDenied", application.key, application.data, effective, base=False)

    def _p2_withdraw_application(self, index: int, recorded: datetime) -> None:
        application = self._pick(self.pending)
        data = {"application_id": application.id}
        if self.rng.random() < 0.7:
            data["reason"] = self.rng.choice(APPLICATION_WITHDRAWALS)
        effective = self._later(recorded, application.last_effective)
        self._emit(
            index, "LicenseApplicationWithdrawn", application.key, data, effective, base=False
        )

    # ownership ---------------------------------------------------------------------------
    def _p2_own(self, index: int, recorded: datetime) -> None:
        """A new pair: from a parent, or from an owned company (a chain of holdings)."""
        parents = self.companies[: max(2, int(len(self.companies) * PARENTS))]
        chain = self.owned and self.rng.random() < CHAIN_SHARE
        owner = self.rng.choice(list(self.owned) if chain else parents)
        owned = self.rng.choice([c for c in self.rng.sample(self.companies, 2) if c != owner])
        key = f"ownership:{owner}:{owned}"
        self._ownership(index, recorded, owner, owned, self.pairs.get(key))

    def _p2_reown(self, index: int, recorded: datetime) -> None:
        pair = self.pairs[self.rng.choice(list(self.held))]  # a new percent of a held stake
        self._ownership(index, recorded, pair.data["owner"], pair.data["owned"], pair)

    def _ownership(
        self, index: int, recorded: datetime, owner: str, owned: str, pair: Thing | None
    ) -> None:
        data = {"owner": owner, "owned": owned, "percent": self.rng.choice(OWNER_PERCENTS)}
        key = f"ownership:{owner}:{owned}"
        effective = (
            self._effective(recorded)
            if pair is None
            else self._later(recorded, pair.last_effective)
        )
        self._emit(index, "OwnershipRecorded", key, data, effective, base=False)
        self.pairs[key] = Thing("ownership", key, key, data, effective)
        self.held[key] = None
        self.owned[owned] = None

    def _p2_disown(self, index: int, recorded: datetime) -> None:
        key = self.rng.choice(list(self.held))
        del self.held[key]
        pair = self.pairs[key]
        pair.last_effective = self._later(recorded, pair.last_effective)
        data = {"owner": pair.data["owner"], "owned": pair.data["owned"]}
        self._emit(index, "OwnershipEnded", key, data, pair.last_effective, base=False)

    def _v2_measure(self, key: str, data: dict[str, Any], effective: datetime) -> None:
        """Part 1's fields, and for some measures naming end users, their affiliates; most
        of those name a company that owns another, so the affiliates reach someone."""
        super()._v2_measure(key, data, effective)
        if data.get("companies") and self.rng.random() < AFFILIATES_SHARE:
            owners = sorted({p.data["owner"] for p in self.pairs.values()} - set(data["companies"]))
            if owners and self.rng.random() < 0.8:
                data["companies"] = [*data["companies"][:2], self.rng.choice(owners)]
            data["affiliates_min_percent"] = self.rng.choice(AFFILIATE_PERCENTS)

    # tariffs -----------------------------------------------------------------------------
    def _p2_tariff(self, index: int, recorded: datetime, implements: str | None = None) -> None:
        tariff = self._next_id("tar")
        data = tariff_data(self.rng, tariff, self._chips(1, 5), self._criteria()[:2])
        if implements is not None:
            data["implements"] = [implements]
        effective, key = self._effective(recorded), f"tariff:{tariff}"
        self._emit(index, "TariffImposed", key, data, effective, base=False)
        self.tariffs[key] = Thing("tariff", tariff, key, data, effective)

    def _p2_amend_tariff(self, index: int, recorded: datetime) -> None:
        thing = self.tariffs[self.rng.choice(list(self.tariffs))]
        change = tariff_change(self.rng, thing.data, self._chips(1, 5))
        thing.last_effective = self._later(recorded, thing.last_effective)
        data = {"tariff_id": thing.id, **change}
        self._emit(index, "TariffAmended", thing.key, data, thing.last_effective, base=False)
        thing.data = {**thing.data, **change}

    def _p2_lift_tariff(self, index: int, recorded: datetime) -> None:
        thing = self._pick(self.tariffs)
        data = {"tariff_id": thing.id, "reason": self.rng.choice(TARIFF_LIFTS)}
        effective = self._later(recorded, thing.last_effective)
        self._emit(index, "TariffLifted", thing.key, data, effective, base=False)

    # announcements -----------------------------------------------------------------------
    def _p2_announce(self, index: int, recorded: datetime) -> None:
        announcement = self._next_id("ann")
        jurisdiction = self.rng.choice(EXPORTERS)
        effective = self._effective(recorded)
        data: dict[str, Any] = {
            "announcement_id": announcement,
            "authority": AUTHORITY[jurisdiction],
            "jurisdiction": jurisdiction,
            "chips": self._chips(0, 3),
            "companies": self._companies(0, 2),
            "destinations": self._destinations(jurisdiction, 0, 2),
        }
        if self.rng.random() < 0.6:
            data["expected_effective_at"] = text_day(effective + DAY * self.rng.randint(30, 180))
        key = f"announcement:{announcement}"
        self._emit(index, "PolicyAnnounced", key, data, effective, base=False)
        self.announced[key] = Thing("announcement", announcement, key, data, effective)

    def _p2_implement(self, index: int, recorded: datetime) -> None:
        """A measure, tariff, licence or agreement that puts an open announcement into effect
        (the v1 creators make it; `implements` is added to the data they emitted)."""
        announcement = self._pick(self.announced)
        implementer = self.rng.choice(IMPLEMENTERS)
        if implementer == "tariff":
            self._p2_tariff(index, recorded, announcement.id)
            return
        getattr(self, f"_new_{implementer}")(index, recorded)
        self.out[-1].body["data"]["implements"] = [announcement.id]

    def _p2_withdraw_announcement(self, index: int, recorded: datetime) -> None:
        announcement = self._pick(self.announced)
        data = {
            "announcement_id": announcement.id,
            "reason": self.rng.choice(ANNOUNCEMENT_WITHDRAWALS),
        }
        effective = self._later(recorded, announcement.last_effective)
        self._emit(
            index, "PolicyAnnouncementWithdrawn", announcement.key, data, effective, base=False
        )
