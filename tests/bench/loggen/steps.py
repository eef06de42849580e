"""The synthetic log's steps, one method per kind in MIX: measures imposed, amended and
lifted, licences granted, revoked and denied, revenue-share deals, advisories, production
halts and resumes, investigations. Catalog v2 (groups, review policies, suspensions) is in
catalog_v2.py, part 2's (applications, ownership, tariffs, announcements) in
part2.py, corrections and retractions in revisions.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from domain.clocks import format_instant
from domain.dossier import aggregate_key
from domain.events import Recorded
from tests.bench.loggen.catalog_v2 import V2_AMENDMENT_SHARE
from tests.bench.loggen.revisions import Revisions
from tests.bench.loggen.stream import JURISDICTIONS

DESTINATIONS = ["CN", "RU", "IR", "KP", "BY", "VE", "CU", "SY", "HK", "MO", "AE", "SA"]
AUTHORITIES = {
    "US": "BIS",
    "NL": "MinBuZa",
    "JP": "METI",
    "GB": "ECJU",
    "DE": "BAFA",
    "KR": "MOTIE",
    "TW": "MOEA",
    "EU": "DG TRADE",
    "CN": "MOFCOM",
}
GUIDANCE = [
    "caution",
    "avoid_purchase",
    "purchase_ban",
    "import_blocked",
    "security_review",
    "other",
]


class Steps(Revisions):
    """The version 1 steps; `LogGenerator` (part2.py) adds catalog v2 part 2's."""

    def _impose(self) -> Recorded:
        mid = self._slug("m")
        jurisdiction = self.rng.choice(JURISDICTIONS)
        roll = self.rng.random()
        chips = self._sample(self.chips, 1, 4) if roll < 0.85 else []
        criteria = self._criteria() if roll >= 0.75 else []
        companies = (
            self._sample(self.companies, 1, 2) if roll >= 0.92 or not (chips or criteria) else []
        )
        data = {
            "measure_id": mid,
            "authority": AUTHORITIES[jurisdiction],
            "jurisdiction": jurisdiction,
            "destinations": self._sample(DESTINATIONS, 1, 3),
            "chips": chips,
            "criteria": criteria,
            "companies": companies,
            "control": self.rng.choice(("ban", "license_required")),
        }
        key = aggregate_key("measure", mid)
        effective = self._when()
        self._v2_imposition(mid, data, effective)
        self.open["measure"].append(mid)
        self.data[mid] = data
        return self._event("ExportBanImposed", key, data, effective)

    def _amend(self) -> Recorded | None:
        mid = self._pick_open("measure")
        if mid is None:
            return None
        current = self.data[mid]
        change: dict[str, Any] = {"measure_id": mid}
        key = aggregate_key("measure", mid)
        effective = self._after(key)
        roll = self.rng.random()
        if self.rng.random() < V2_AMENDMENT_SHARE and self._v2_change(mid, change, effective):
            pass
        elif roll < 0.4:
            change["control"] = (
                "ban" if current["control"] == "license_required" else "license_required"
            )
            if change["control"] == "ban" and mid in self.policied:
                change["review_policy"] = None  # (catalog_v2.py: no policy under a ban)
        elif roll < 0.7:
            change["destinations"] = self._sample(DESTINATIONS, 1, 4)
        elif current["chips"] or not (current["criteria"] or current["companies"]):
            change["chips"] = self._sample(self.chips, 1, 5)
        else:
            change["destinations"] = self._sample(DESTINATIONS, 1, 4)
        self.data[mid] = {**current, **{k: v for k, v in change.items() if k != "measure_id"}}
        return self._event("ExportBanAmended", key, change, effective)

    def _lift(self) -> Recorded | None:
        mid = self._pick_open("measure", close=True)
        if mid is None:
            return None
        del self.data[mid]
        key = aggregate_key("measure", mid)
        return self._event(
            "ExportBanLifted",
            key,
            {"measure_id": mid, "reason": self.rng.choice(("rescinded", "superseded", "other"))},
            self._after(key),
        )

    def _grant(self) -> Recorded:
        lid = self._slug("lic")
        jurisdiction = self.rng.choice(JURISDICTIONS)
        effective = self._when()
        expires = (
            None
            if self.rng.random() < 0.5
            else format_instant(effective + timedelta(days=self.rng.randint(90, 900)))
        )
        self.open["license"].append(lid)
        return self._event(
            "LicenseGranted",
            aggregate_key("license", lid),
            {
                "license_id": lid,
                "authority": AUTHORITIES[jurisdiction],
                "jurisdiction": jurisdiction,
                "licensee": self.rng.choice(self.companies),
                "chips": self._sample(self.chips, 1, 3),
                "destinations": self._sample(DESTINATIONS, 1, 2),
                "expires_at": expires,
            },
            effective,
        )

    def _revoke(self) -> Recorded | None:
        lid = self._pick_open("license", close=True)
        if lid is None:
            return None
        key = aggregate_key("license", lid)
        return self._event("LicenseRevoked", key, {"license_id": lid}, self._after(key))

    def _deny(self) -> Recorded:
        aid = self._slug("app")
        jurisdiction = self.rng.choice(JURISDICTIONS)
        return self._event(
            "LicenseDenied",
            aggregate_key("application", aid),
            {
                "application_id": aid,
                "authority": AUTHORITIES[jurisdiction],
                "jurisdiction": jurisdiction,
                "licensee": self.rng.choice(self.companies),
                "chips": self._sample(self.chips, 1, 3),
                "destinations": self._sample(DESTINATIONS, 1, 2),
            },
            self._when(),
        )

    def _agree(self) -> Recorded:
        gid = self._slug("deal")
        self.open["agreement"].append(gid)
        return self._event(
            "RevenueShareAgreed",
            aggregate_key("agreement", gid),
            {
                "agreement_id": gid,
                "company": self.rng.choice(self.companies),
                "chips": self._sample(self.chips, 1, 3),
                "destinations": ["CN"],
                "beneficiary": self.rng.choice(JURISDICTIONS),
                "percent": str(self.rng.choice((5, 10, 15, 20))),
            },
            self._when(),
        )

    def _end(self) -> Recorded | None:
        gid = self._pick_open("agreement", close=True)
        if gid is None:
            return None
        key = aggregate_key("agreement", gid)
        return self._event("RevenueShareEnded", key, {"agreement_id": gid}, self._after(key))

    def _advise(self) -> Recorded:
        vid = self._slug("adv")
        jurisdiction = self.rng.choice(JURISDICTIONS)
        self.open["advisory"].append(vid)
        return self._event(
            "AdvisoryIssued",
            aggregate_key("advisory", vid),
            {
                "advisory_id": vid,
                "authority": AUTHORITIES[jurisdiction],
                "jurisdiction": jurisdiction,
                "chips": self._sample(self.chips, 1, 3),
                "companies": self._sample(self.companies, 0, 2),
                "guidance": self.rng.choice(GUIDANCE),
            },
            self._when(),
        )

    def _withdraw(self) -> Recorded | None:
        vid = self._pick_open("advisory", close=True)
        if vid is None:
            return None
        key = aggregate_key("advisory", vid)
        return self._event("AdvisoryWithdrawn", key, {"advisory_id": vid}, self._after(key))

    def _halt(self) -> Recorded | None:
        chip = self.rng.choice(self.chips)
        company = self.maker[chip]
        slot = f"{company}|{chip}"
        if slot in self.halted:
            return None
        self.halted.add(slot)
        self.open["halt"].append(slot)
        key = aggregate_key("production", company)
        effective = self._after(key) if key in self.last_effective else self._when()
        return self._event(
            "ProductionHalted",
            key,
            {
                "company": company,
                "chips": [chip],
                "suppliers": self._sample(self.companies, 0, 3),
                "reason": "synthetic halt",
            },
            effective,
        )

    def _resume(self) -> Recorded | None:
        slot = self._pick_open("halt", close=True)
        if slot is None:
            return None
        self.halted.discard(slot)
        company, chip = slot.split("|")
        key = aggregate_key("production", company)
        return self._event(
            "ProductionResumed", key, {"company": company, "chips": [chip]}, self._after(key)
        )

    def _open_case(self) -> Recorded:
        cid = self._slug("case")
        jurisdiction = self.rng.choice(JURISDICTIONS)
        self.open["case"].append(cid)
        return self._event(
            "InvestigationOpened",
            aggregate_key("case", cid),
            {
                "case_id": cid,
                "authority": AUTHORITIES[jurisdiction],
                "jurisdiction": jurisdiction,
                "companies": self._sample(self.companies, 1, 2),
                "chips": self._sample(self.chips, 0, 2),
                "kind": self.rng.choice(("antitrust", "security", "summons", "other")),
            },
            self._when(),
        )

    def _conclude(self) -> Recorded | None:
        cid = self._pick_open("case", close=True)
        if cid is None:
            return None
        key = aggregate_key("case", cid)
        return self._event(
            "InvestigationConcluded",
            key,
            {"case_id": cid, "finding": self.rng.choice(("violation", "cleared", "other"))},
            self._after(key),
        )
