"""A realistic synthetic log, built straight in the stored form (no HTTP, no validation).

Used by the rebuild benchmark to fill a fresh database with `BENCH_SCALE` × 1M events in
large `EventLog.append` batches. The mix follows the catalog: registrations first (chips
with specs, companies), then measures (named chips, threshold criteria, named end users)
with amendments and lifts, licences granted / revoked / denied, revenue-share deals,
advisories, production halts and resumes, investigations, and revisions (corrections of
clocks and of data, retractions). Versions, references and lifecycle order follow the
write rules, so every event is one the service itself could have stored;
`check_sample` re-validates a sample through the real envelope parser.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.clocks import format_instant
from domain.dossier import aggregate_id, aggregate_key
from domain.events import EVENT_CLASSES, SCHEMA_VERSION, Recorded

DESTINATIONS = ["CN", "RU", "IR", "KP", "BY", "VE", "CU", "SY", "HK", "MO", "AE", "SA"]
JURISDICTIONS = ["US", "NL", "JP", "GB", "DE", "KR", "TW", "EU", "CN"]
AUTHORITIES = {"US": "BIS", "NL": "MinBuZa", "JP": "METI", "GB": "ECJU", "DE": "BAFA",
               "KR": "MOTIE", "TW": "MOEA", "EU": "DG TRADE", "CN": "MOFCOM"}
GUIDANCE = ["caution", "avoid_purchase", "purchase_ban", "import_blocked", "security_review",
            "other"]
EPOCH = datetime(2018, 1, 1, tzinfo=UTC)
RECORDED_FROM = datetime(2026, 1, 1, tzinfo=UTC)

# (weight, kind of step) after the registry; weights are per thousand events.
MIX = [
    (180, "impose"), (200, "amend"), (50, "lift"),
    (90, "grant"), (30, "revoke"), (30, "deny"),
    (50, "agree"), (20, "end"),
    (60, "advise"), (20, "withdraw"),
    (50, "halt"), (30, "resume"),
    (40, "open_case"), (20, "conclude"),
    (90, "correct"), (40, "retract"),
]


class LogGenerator:
    """Deterministic stream of stored events (`Recorded`) for `total` log entries."""

    def __init__(self, total: int, seed: int = 7):
        self.total, self.rng = total, random.Random(seed)
        self.companies = [f"co-{i}" for i in range(max(20, total // 250))]
        self.chips = [f"chip-{i}" for i in range(max(40, total // 100))]
        self.maker = {c: self.rng.choice(self.companies) for c in self.chips}
        self.versions: dict[str, int] = {}
        self.last_effective: dict[str, datetime] = {}
        self.open: dict[str, list[str]] = {k: [] for k in (
            "measure", "license", "agreement", "advisory", "case", "halt")}
        self.halted: set[str] = set()  # open halts, "company|chip"
        self.data: dict[str, dict[str, Any]] = {}  # open measures' current fields
        # recent base events that revisions may target: event_id -> (key, type, data, eff)
        self.targets: list[tuple[str, str, str, dict[str, Any], str | None]] = []
        self.emitted = 0
        self.serial = 0
        self.kinds, weights = zip(*((k, w) for w, k in MIX), strict=True)
        self.cumulative = [sum(weights[: i + 1]) for i in range(len(weights))]

    # -- helpers -------------------------------------------------------------------------
    def _uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _sample(self, pool: list[str], low: int, high: int) -> list[str]:
        return sorted(self.rng.sample(pool, min(len(pool), self.rng.randint(low, high))))

    def _slug(self, prefix: str) -> str:
        self.serial += 1
        return f"{prefix}-{self.serial}"

    def _event(self, type_: str, key: str, data: dict[str, Any],
               effective: datetime | None) -> Recorded:
        recorded = RECORDED_FROM + timedelta(milliseconds=self.emitted)
        version = self.versions.get(key, 0) + 1
        self.versions[key] = version
        revision = type_ in ("EventCorrected", "EventRetracted")
        reported = recorded if effective is None or revision else min(effective, recorded)
        if effective is not None:
            self.last_effective[key] = max(effective, self.last_effective.get(key, effective))
        self.emitted += 1
        event_id = self._uuid()
        event = EVENT_CLASSES[type_](
            originator_id=aggregate_id(key),
            originator_version=version,
            timestamp=recorded,
            event_id=event_id,
            aggregate=key,
            effective_at=None if effective is None else format_instant(effective),
            reported_at=format_instant(reported),
            recorded_at=format_instant(recorded),
            recorded_by="bench-loader",
            summary=f"{type_} of {key}: synthetic event {self.emitted} for the rebuild benchmark.",
            sources=[{"url": f"https://example.org/news/{self.emitted}",
                      "title": f"Report {self.emitted}", "publisher": "Example Wire"}],
            data=data,
            schema_version=SCHEMA_VERSION,
        )
        if not revision and type_ not in ("CompanyRegistered",):
            self.targets.append((event_id, key, type_, data, event.effective_at))
            if len(self.targets) > 20_000:
                del self.targets[: 10_000]
        return event

    def _when(self) -> datetime:
        return EPOCH + timedelta(days=self.rng.randint(0, 8 * 365),
                                 seconds=self.rng.choice((0, 0, 0, 43_200)))

    def _after(self, key: str) -> datetime:
        return self.last_effective[key] + timedelta(days=self.rng.randint(1, 90))

    # -- the stream ----------------------------------------------------------------------
    def __iter__(self) -> Iterator[Recorded]:
        for company in self.companies:
            if self.emitted >= self.total:
                return
            yield self._event("CompanyRegistered", aggregate_key("company", company), {
                "company": company, "name": company.upper(),
                "country": self.rng.choice(JURISDICTIONS[:-2])}, None)
        for i, chip in enumerate(self.chips):
            if self.emitted >= self.total:
                return
            specs = None if i % 10 == 9 else {
                "tpp": str(self.rng.randint(500, 9000)),
                "performance_density": f"{self.rng.randint(100, 1500) / 100:g}",
                "hbm_gb": str(self.rng.choice((24, 48, 80, 96, 141)))}
            successor = self.chips[i - 1] if i and i % 7 == 0 else None
            yield self._event("ChipRegistered", aggregate_key("chip", chip), {
                "chip": chip, "name": chip.upper(), "manufacturer": self.maker[chip],
                "successor_of": successor, "specs": specs}, None)
        while self.emitted < self.total:
            event = self._step()
            if event is not None:
                yield event

    def _step(self) -> Recorded | None:
        roll = self.rng.randrange(self.cumulative[-1])
        kind = next(k for k, c in zip(self.kinds, self.cumulative, strict=True) if roll < c)
        return getattr(self, f"_{kind}")()

    def _pick_open(self, kind: str, close: bool = False) -> str | None:
        """A random open object of `kind`; `close`: also remove it (swap-remove, O(1))."""
        pool = self.open[kind]
        if not pool:
            return None
        index = self.rng.randrange(len(pool))
        item = pool[index]
        if close:
            pool[index] = pool[-1]
            pool.pop()
        return item

    def _impose(self) -> Recorded:
        mid = self._slug("m")
        jurisdiction = self.rng.choice(JURISDICTIONS)
        roll = self.rng.random()
        chips = self._sample(self.chips, 1, 4) if roll < 0.85 else []
        criteria = ([{"tpp_min": str(self.rng.randint(1000, 6000))}] if roll >= 0.75 else [])
        companies = self._sample(self.companies, 1, 2) if roll >= 0.92 or not (chips or criteria) else []
        data = {"measure_id": mid, "authority": AUTHORITIES[jurisdiction],
                "jurisdiction": jurisdiction, "destinations": self._sample(DESTINATIONS, 1, 3),
                "chips": chips, "criteria": criteria, "companies": companies,
                "control": self.rng.choice(("ban", "license_required"))}
        key = aggregate_key("measure", mid)
        self.open["measure"].append(mid)
        self.data[mid] = data
        return self._event("ExportBanImposed", key, data, self._when())

    def _amend(self) -> Recorded | None:
        mid = self._pick_open("measure")
        if mid is None:
            return None
        current = self.data[mid]
        change: dict[str, Any] = {"measure_id": mid}
        roll = self.rng.random()
        if roll < 0.4:
            change["control"] = "ban" if current["control"] == "license_required" else "license_required"
        elif roll < 0.7:
            change["destinations"] = self._sample(DESTINATIONS, 1, 4)
        elif current["chips"] or not (current["criteria"] or current["companies"]):
            change["chips"] = self._sample(self.chips, 1, 5)
        else:
            change["destinations"] = self._sample(DESTINATIONS, 1, 4)
        self.data[mid] = {**current, **{k: v for k, v in change.items() if k != "measure_id"}}
        key = aggregate_key("measure", mid)
        return self._event("ExportBanAmended", key, change, self._after(key))

    def _lift(self) -> Recorded | None:
        mid = self._pick_open("measure", close=True)
        if mid is None:
            return None
        del self.data[mid]
        key = aggregate_key("measure", mid)
        return self._event("ExportBanLifted", key, {
            "measure_id": mid, "reason": self.rng.choice(("rescinded", "superseded", "other"))},
            self._after(key))

    def _grant(self) -> Recorded:
        lid = self._slug("lic")
        jurisdiction = self.rng.choice(JURISDICTIONS)
        effective = self._when()
        expires = (None if self.rng.random() < 0.5
                   else format_instant(effective + timedelta(days=self.rng.randint(90, 900))))
        self.open["license"].append(lid)
        return self._event("LicenseGranted", aggregate_key("license", lid), {
            "license_id": lid, "authority": AUTHORITIES[jurisdiction],
            "jurisdiction": jurisdiction, "licensee": self.rng.choice(self.companies),
            "chips": self._sample(self.chips, 1, 3),
            "destinations": self._sample(DESTINATIONS, 1, 2), "expires_at": expires}, effective)

    def _revoke(self) -> Recorded | None:
        lid = self._pick_open("license", close=True)
        if lid is None:
            return None
        key = aggregate_key("license", lid)
        return self._event("LicenseRevoked", key, {"license_id": lid}, self._after(key))

    def _deny(self) -> Recorded:
        aid = self._slug("app")
        jurisdiction = self.rng.choice(JURISDICTIONS)
        return self._event("LicenseDenied", aggregate_key("application", aid), {
            "application_id": aid, "authority": AUTHORITIES[jurisdiction],
            "jurisdiction": jurisdiction, "licensee": self.rng.choice(self.companies),
            "chips": self._sample(self.chips, 1, 3),
            "destinations": self._sample(DESTINATIONS, 1, 2)}, self._when())

    def _agree(self) -> Recorded:
        gid = self._slug("deal")
        self.open["agreement"].append(gid)
        return self._event("RevenueShareAgreed", aggregate_key("agreement", gid), {
            "agreement_id": gid, "company": self.rng.choice(self.companies),
            "chips": self._sample(self.chips, 1, 3), "destinations": ["CN"],
            "beneficiary": self.rng.choice(JURISDICTIONS),
            "percent": str(self.rng.choice((5, 10, 15, 20)))}, self._when())

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
        return self._event("AdvisoryIssued", aggregate_key("advisory", vid), {
            "advisory_id": vid, "authority": AUTHORITIES[jurisdiction],
            "jurisdiction": jurisdiction, "chips": self._sample(self.chips, 1, 3),
            "companies": self._sample(self.companies, 0, 2),
            "guidance": self.rng.choice(GUIDANCE)}, self._when())

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
        return self._event("ProductionHalted", key, {
            "company": company, "chips": [chip], "suppliers": self._sample(self.companies, 0, 3),
            "reason": "synthetic halt"}, effective)

    def _resume(self) -> Recorded | None:
        slot = self._pick_open("halt", close=True)
        if slot is None:
            return None
        self.halted.discard(slot)
        company, chip = slot.split("|")
        key = aggregate_key("production", company)
        return self._event("ProductionResumed", key, {"company": company, "chips": [chip]},
                           self._after(key))

    def _open_case(self) -> Recorded:
        cid = self._slug("case")
        jurisdiction = self.rng.choice(JURISDICTIONS)
        self.open["case"].append(cid)
        return self._event("InvestigationOpened", aggregate_key("case", cid), {
            "case_id": cid, "authority": AUTHORITIES[jurisdiction], "jurisdiction": jurisdiction,
            "companies": self._sample(self.companies, 1, 2), "chips": self._sample(self.chips, 0, 2),
            "kind": self.rng.choice(("antitrust", "security", "summons", "other"))}, self._when())

    def _conclude(self) -> Recorded | None:
        cid = self._pick_open("case", close=True)
        if cid is None:
            return None
        key = aggregate_key("case", cid)
        return self._event("InvestigationConcluded", key, {
            "case_id": cid, "finding": self.rng.choice(("violation", "cleared", "other"))},
            self._after(key))

    def _correct(self) -> Recorded | None:
        if not self.targets:
            return None
        event_id, key, type_, data, effective = self.targets[self.rng.randrange(len(self.targets))]
        changes: dict[str, Any]
        if type_ == "ChipRegistered":
            specs = dict(data["specs"] or {})
            specs["tpp"] = str(self.rng.randint(500, 9000))
            changes = {"data": {**data, "specs": specs}}
        elif type_ == "ExportBanImposed" and data["chips"]:
            changes = {"data": {**data, "chips": self._sample(self.chips, 1, 4)}}
        elif type_ in ("ExportBanImposed", "LicenseGranted", "AdvisoryIssued",
                       "InvestigationOpened", "RevenueShareAgreed") and effective is not None:
            # an earlier creation never breaks the lifecycle order (SPEC §3)
            earlier = datetime.fromisoformat(effective.replace("Z", "+00:00")) - timedelta(
                days=self.rng.randint(1, 30))
            changes = {"effective_at": format_instant(earlier)}
        else:
            changes = {"reported_at": format_instant(
                RECORDED_FROM + timedelta(milliseconds=self.emitted))}
        return self._event("EventCorrected", key, {"event_id": event_id, "changes": changes}, None)

    def _retract(self) -> Recorded | None:
        if not self.targets:
            return None
        index = self.rng.randrange(len(self.targets))
        event_id, key, type_, _data, _effective = self.targets[index]
        if type_ not in ("AdvisoryIssued", "ExportBanAmended", "LicenseDenied",
                         "InvestigationOpened"):
            return None
        self.targets[index] = self.targets[-1]
        self.targets.pop()
        return self._event("EventRetracted", key, {"event_id": event_id,
                                                    "reason": "reported in error"}, None)


def batches(total: int, size: int, seed: int = 7) -> Iterator[list[Recorded]]:
    batch: list[Recorded] = []
    for event in LogGenerator(total, seed):
        batch.append(event)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def check_sample(events: list[Recorded]) -> None:
    """Every generated `data` is what the real envelope parser would store (canonical)."""
    from domain.catalog import CATALOG
    from domain.decide import canonical_data
    from services.parsing import parse_envelope

    for event in events:
        body: dict[str, Any] = {"type": event.type, "summary": event.summary,
                                "sources": event.sources, "data": event.data}
        if event.effective_at is not None and event.type not in ("EventCorrected", "EventRetracted"):
            body["effective_at"] = event.effective_at
        envelope = parse_envelope(body)
        stored = canonical_data(CATALOG[event.type], envelope.data)
        assert stored == event.data, (event.type, stored, event.data)
