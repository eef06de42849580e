"""The synthetic log's catalog v2 part 2 (docs/performance.md, "What the generated logs
hold"; steps and vocabulary in tests/bench/v2_part2_mix.py, as in the point-in-time
history): licence applications granted, denied or withdrawn; ownership chains, re-recorded
and ended; measures reaching affiliates; tariffs amended and lifted; announcements
implemented or withdrawn. Data is built in the stored (canonical) form.

The write rules (docs/events.md, "Catalog v2 write rules") hold by construction: a grant,
denial or withdrawal names a pending application and takes effect after its filing; each
object's or pair's events take effect after its last one (`_after`), so an end finds its
pair recorded; `implements` names an announcement recorded earlier. The new types are
emitted with `revisable=False` (v2_part2_mix.py says why)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from domain.clocks import format_instant
from domain.dossier import aggregate_key
from domain.events import Recorded
from tests.bench.loggen.steps import AUTHORITIES, DESTINATIONS, Steps
from tests.bench.loggen.stream import JURISDICTIONS
from tests.bench.v2_part2_mix import (
    AFFILIATE_PERCENTS,
    AFFILIATES_SHARE,
    ANNOUNCEMENT_WITHDRAWALS,
    APPLICATION_WITHDRAWALS,
    CHAIN_SHARE,
    IMPLEMENTERS,
    OWNER_PERCENTS,
    PARENTS,
    PART2_SHARE,
    TARIFF_LIFTS,
    step,
    tariff_change,
    tariff_data,
)


class LogGenerator(Steps):
    """Deterministic stream of stored events (`Recorded`) for `total` log entries."""

    def __init__(self, total: int, seed: int = 7):
        super().__init__(total, seed)
        self.pending: dict[str, dict[str, Any]] = {}  # application id -> its filing's data
        self.pairs: dict[str, tuple[str, str]] = {}  # ownership key -> (owner, owned)
        self.held: dict[str, None] = {}  # pairs recorded and not ended
        self.owned: dict[str, None] = {}  # companies some pair owns (chains start there)
        self.tariffs: dict[str, dict[str, Any]] = {}  # open tariffs' current fields
        self.announced: dict[str, None] = {}  # announcements neither implemented nor withdrawn

    def _step(self) -> Recorded | None:
        if self.rng.random() >= PART2_SHARE:
            return super()._step()
        event: Recorded = getattr(self, f"_p2_{step(self.rng, self)}")()
        return event

    def _pop(self, pool: dict[str, Any]) -> tuple[str, Any]:
        key = self.rng.choice(list(pool))
        return key, pool.pop(key)

    # applications ------------------------------------------------------------------------
    def _p2_apply(self) -> Recorded:
        aid = self._slug("apl")
        jurisdiction = self.rng.choice(JURISDICTIONS)
        data = {
            "application_id": aid,
            "authority": AUTHORITIES[jurisdiction],
            "jurisdiction": jurisdiction,
            "licensee": self.rng.choice(self.companies),
            "chips": self._sample(self.chips, 1, 3),
            "destinations": self._sample(DESTINATIONS, 1, 2),
        }
        self.pending[aid] = data
        key = aggregate_key("application", aid)
        return self._event("LicenseApplied", key, data, self._when(), revisable=False)

    def _p2_grant_application(self) -> Recorded:
        lid = self._slug("lic")
        aid, application = self._pop(self.pending)
        effective = self._after(aggregate_key("application", aid))
        data = {**application, "license_id": lid}
        if self.rng.random() < 0.3:
            data["conditions"] = ["No re-export without authorisation", "Quarterly end-use reports"]
        data["expires_at"] = format_instant(effective + timedelta(days=self.rng.randint(180, 900)))
        self.open["license"].append(lid)
        return self._event("LicenseGranted", aggregate_key("license", lid), data, effective)

    def _p2_deny_application(self) -> Recorded:
        aid, data = self._pop(self.pending)
        key = aggregate_key("application", aid)
        return self._event("LicenseDenied", key, data, self._after(key), revisable=False)

    def _p2_withdraw_application(self) -> Recorded:
        aid, _data = self._pop(self.pending)
        key = aggregate_key("application", aid)
        data = {"application_id": aid, "reason": self.rng.choice(APPLICATION_WITHDRAWALS)}
        return self._event(
            "LicenseApplicationWithdrawn", key, data, self._after(key), revisable=False
        )

    # ownership ---------------------------------------------------------------------------
    def _p2_own(self) -> Recorded:
        parents = self.companies[: max(2, int(len(self.companies) * PARENTS))]
        chain = self.owned and self.rng.random() < CHAIN_SHARE
        owner = self.rng.choice(list(self.owned) if chain else parents)
        owned = self.rng.choice([c for c in self.rng.sample(self.companies, 2) if c != owner])
        return self._ownership(owner, owned)

    def _p2_reown(self) -> Recorded:
        return self._ownership(*self.pairs[self.rng.choice(list(self.held))])

    def _ownership(self, owner: str, owned: str) -> Recorded:
        key = f"ownership:{owner}:{owned}"
        effective = self._after(key) if key in self.pairs else self._when()
        self.pairs[key] = (owner, owned)
        self.held[key] = None
        self.owned[owned] = None
        data = {"owner": owner, "owned": owned, "percent": self.rng.choice(OWNER_PERCENTS)}
        return self._event("OwnershipRecorded", key, data, effective, revisable=False)

    def _p2_disown(self) -> Recorded:
        key, _ = self._pop(self.held)
        owner, owned = self.pairs[key]
        data = {"owner": owner, "owned": owned}
        return self._event("OwnershipEnded", key, data, self._after(key), revisable=False)

    def _v2_imposition(self, mid: str, data: dict[str, Any], effective: datetime) -> None:
        """Part 1's fields, and for some measures naming end users, their affiliates (most
        naming a company that owns another, so the affiliates reach someone)."""
        super()._v2_imposition(mid, data, effective)
        if data["companies"] and self.rng.random() < AFFILIATES_SHARE:
            owners = sorted({o for o, _ in self.pairs.values()} - set(data["companies"]))
            if owners and self.rng.random() < 0.8:
                data["companies"] = sorted([*data["companies"][:1], self.rng.choice(owners)])
            data["affiliates_min_percent"] = self.rng.choice(AFFILIATE_PERCENTS)

    # tariffs -----------------------------------------------------------------------------
    def _p2_tariff(self, implements: str | None = None) -> Recorded:
        tid = self._slug("tar")
        data = tariff_data(self.rng, tid, self._sample(self.chips, 1, 4), self._criteria())
        if implements is not None:
            data["implements"] = [implements]
        self.tariffs[tid] = data
        key = aggregate_key("tariff", tid)
        return self._event("TariffImposed", key, data, self._when(), revisable=False)

    def _p2_amend_tariff(self) -> Recorded:
        tid = self.rng.choice(list(self.tariffs))
        change = tariff_change(self.rng, self.tariffs[tid], self._sample(self.chips, 1, 4))
        self.tariffs[tid] = {**self.tariffs[tid], **change}
        key = aggregate_key("tariff", tid)
        data = {"tariff_id": tid, **change}
        return self._event("TariffAmended", key, data, self._after(key), revisable=False)

    def _p2_lift_tariff(self) -> Recorded:
        tid, _ = self._pop(self.tariffs)
        key = aggregate_key("tariff", tid)
        data = {"tariff_id": tid, "reason": self.rng.choice(TARIFF_LIFTS)}
        return self._event("TariffLifted", key, data, self._after(key), revisable=False)

    # announcements -----------------------------------------------------------------------
    def _p2_announce(self) -> Recorded:
        nid = self._slug("ann")
        jurisdiction = self.rng.choice(JURISDICTIONS)
        effective = self._when()
        data: dict[str, Any] = {
            "announcement_id": nid,
            "authority": AUTHORITIES[jurisdiction],
            "jurisdiction": jurisdiction,
            "chips": self._sample(self.chips, 0, 3),
            "companies": self._sample(self.companies, 0, 2),
            "destinations": self._sample(DESTINATIONS, 0, 2),
        }
        if self.rng.random() < 0.6:
            expected = effective + timedelta(days=self.rng.randint(30, 180))
            data["expected_effective_at"] = format_instant(expected)
        self.announced[nid] = None
        key = aggregate_key("announcement", nid)
        return self._event("PolicyAnnounced", key, data, effective, revisable=False)

    def _p2_implement(self) -> Recorded:
        """A measure, tariff, licence or agreement putting an open announcement into effect
        (the v1 steps make it; `implements` is added to the data they store)."""
        nid, _ = self._pop(self.announced)
        implementer = self.rng.choice(IMPLEMENTERS)
        if implementer == "tariff":
            return self._p2_tariff(nid)
        event = {"measure": self._impose, "license": self._grant, "agreement": self._agree}[
            implementer
        ]()
        event.data["implements"] = [nid]
        return event

    def _p2_withdraw_announcement(self) -> Recorded:
        nid, _ = self._pop(self.announced)
        key = aggregate_key("announcement", nid)
        data = {"announcement_id": nid, "reason": self.rng.choice(ANNOUNCEMENT_WITHDRAWALS)}
        return self._event(
            "PolicyAnnouncementWithdrawn", key, data, self._after(key), revisable=False
        )
