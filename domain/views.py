"""Chip and company state (docs/state.md) from a folded World: the shape the API serves."""

from __future__ import annotations

from copy import copy
from datetime import datetime
from typing import Any

from domain.clocks import format_instant, parse_instant
from domain.world import Obj, World, apply, coverage, license_active

RESTRICTIVENESS = {"licensed": 0, "license_required": 1, "banned": 2}
UPCOMING_LIMIT = 50
LISTED_AHEAD = ("measure:", "license:")  # the aggregates whose future changes `upcoming` lists


def _sorted(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: item[key])


def _live(world: World, kind: str) -> list[Obj]:
    return [o for o in world.of_kind(kind) if o.live]


def chip_view(world: World, chip: str) -> dict[str, Any] | None:
    info = world.chips.get(chip)
    if info is None:
        return None
    specs = info.get("specs") or {}
    export, end_user = _export(world, chip, specs)
    return {
        "chip": chip,
        "name": info["name"],
        "manufacturer": info["manufacturer"],
        "successor_of": info.get("successor_of"),
        "specs": specs,
        "export": export,
        "end_user_restrictions": _sorted(end_user, "measure_id"),
        "upcoming": upcoming_for_chip(world, chip, specs),
        "revenue_share": _sorted(
            [
                {
                    "agreement_id": a.id,
                    "company": a.fields["company"],
                    "beneficiary": a.fields["beneficiary"],
                    "percent": a.fields["percent"],
                    "destinations": sorted(a.fields["destinations"]),
                }
                for a in _live(world, "agreement")
                if chip in a.fields["chips"]
            ],
            "agreement_id",
        ),
        "advisories": _sorted(
            [
                {
                    "advisory_id": a.id,
                    "authority": a.fields["authority"],
                    "jurisdiction": a.fields["jurisdiction"],
                    "guidance": a.fields["guidance"],
                }
                for a in _live(world, "advisory")
                if chip in a.fields["chips"]
            ],
            "advisory_id",
        ),
        "investigations": _sorted(
            [_case(c) for c in world.of_kind("case") if chip in c.fields["chips"]], "case_id"
        ),
        "production": _production(world, chip),
        "anomalies": _anomalies(world, f"chip:{chip}", chip, specs),
    }


def _case(case: Obj) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "authority": case.fields["authority"],
        "jurisdiction": case.fields["jurisdiction"],
        "kind": case.fields["kind"],
        "status": "open" if case.live else "concluded",
        "finding": None if case.live else case.fields.get("finding"),
    }


def _export(world: World, chip: str, specs: dict[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    by_destination: dict[str, dict[str, list[tuple[Obj, dict[str, Any]]]]] = {}
    end_user: list[dict[str, Any]] = []
    for measure in _live(world, "measure"):
        fields = measure.fields
        how = coverage(fields, chip, specs)
        if how is None:
            continue
        if fields.get("companies"):
            end_user.append(
                {
                    "measure_id": measure.id,
                    "companies": sorted(fields["companies"]),
                    "destinations": sorted(fields["destinations"]),
                    "control": fields["control"],
                }
            )
            continue
        for destination in fields["destinations"]:
            per = by_destination.setdefault(destination, {})
            per.setdefault(fields["jurisdiction"], []).append((measure, how))
    licences = [
        lic
        for lic in world.of_kind("license")
        if license_active(lic, world.as_of) and chip in lic.fields["chips"]
    ]
    export = {}
    for destination, per_jurisdiction in by_destination.items():
        export[destination] = _destination_status(per_jurisdiction, licences, destination)
    return export, end_user


def _destination_status(
    per_jurisdiction: dict[str, list[tuple[Obj, dict[str, Any]]]],
    licences: list[Obj],
    destination: str,
) -> dict[str, Any]:
    statuses: dict[str, str] = {}
    licence_ids: set[str] = set()
    measures: dict[str, dict[str, Any]] = {}
    for jurisdiction, entries in per_jurisdiction.items():
        mine = [
            lic.id
            for lic in licences
            if lic.fields["jurisdiction"] == jurisdiction
            and destination in lic.fields["destinations"]
        ]
        if mine:
            statuses[jurisdiction] = "licensed"
            licence_ids.update(mine)
        elif any(m.fields["control"] == "ban" for m, _ in entries):
            statuses[jurisdiction] = "banned"
        else:
            statuses[jurisdiction] = "license_required"
        measures.update({m.id: how for m, how in entries})
    return {
        "status": max(statuses.values(), key=RESTRICTIVENESS.__getitem__),
        "measures": sorted(measures),
        "licenses": sorted(licence_ids),
        "matched_by": measures,
        "by_jurisdiction": statuses,
    }


def _production(world: World, chip: str) -> dict[str, Any]:
    halts = [h for h in world.halts.values() if h.chip == chip]
    if not halts:
        return {"status": "active", "since": None, "halted_by": [], "suppliers": []}
    return {
        "status": "halted",
        "since": format_instant(min(h.since for h in halts)),
        "halted_by": sorted({h.company for h in halts}),
        "suppliers": sorted(set().union(*(h.suppliers for h in halts))),
    }


def _anomalies(
    world: World, subject: str, chip: str | None = None, specs: dict[str, Any] | None = None
) -> list[dict[str, str]]:
    found = {}
    for anomaly in world.anomalies:
        concerned = subject in world.concerns(anomaly.aggregate)
        if not concerned and chip is not None and anomaly.aggregate.startswith("measure:"):
            measure = world.objects.get(anomaly.aggregate)
            concerned = measure is not None and coverage(measure.fields, chip, specs) is not None
        if concerned:
            found[anomaly.event_id] = {"event_id": anomaly.event_id, "reason": anomaly.reason}
    return [found[k] for k in sorted(found)]


def upcoming_for_chip(world: World, chip: str, specs: dict[str, Any]) -> list[dict[str, str]]:
    """Known changes after T that concern the chip: measures covering it (at T or at the
    change's own time), licence grants, revocations and expiries naming it."""
    ahead = copy(world)
    ahead.objects, ahead.halts = dict(world.objects), dict(world.halts)
    ahead.anomalies = []
    changes: list[tuple[datetime, str, str]] = []
    for belief in world.pending:
        key = belief.event.aggregate
        if not key.startswith(LISTED_AHEAD):
            continue  # other objects' changes are not listed, nor do they touch these
        before = ahead.objects.get(key)
        anomalies = len(ahead.anomalies)
        apply(ahead, belief)
        if len(ahead.anomalies) > anomalies or belief.effective_at is None:
            continue  # a no-op changes nothing
        after = ahead.objects.get(key)
        if key.startswith("measure:") and after is not None:
            at_t = world.objects.get(key)
            if any(
                o is not None and coverage(o.fields, chip, specs) for o in (at_t, before, after)
            ):
                changes.append((belief.effective_at, after.id, belief.type))
        elif key.startswith("license:") and after is not None and chip in after.fields["chips"]:
            changes.append((belief.effective_at, after.id, belief.type))
    ending_times = {
        b.event.event_id: b.effective_at
        for b in world.pending
        if b.event.aggregate.startswith("license:")
    }
    for licence in ahead.of_kind("license"):
        expires = licence.fields.get("expires_at")
        if expires is None or chip not in licence.fields["chips"]:
            continue
        moment = parse_instant(expires)
        ended = ahead.objects.get(f"license:{licence.id}")
        revoked_first = (
            ended is not None and not ended.live and _ended_before(ending_times, ended, moment)
        )
        if moment > world.as_of and not revoked_first:
            changes.append((moment, licence.id, "LicenseExpired"))
    changes.sort(key=lambda c: (c[0], c[1], c[2]))
    return [
        {"effective_at": format_instant(t), "kind": k, "id": i}
        for t, i, k in changes[:UPCOMING_LIMIT]
    ]


def _ended_before(ending_times: dict[str, datetime | None], licence: Obj, moment: datetime) -> bool:
    """Whether the licence's revocation takes effect before `moment` (its expiry);
    `ending_times`: the pending licence events' effective times, by event id."""
    if licence.ended_by not in ending_times:
        return True  # revoked at or before T
    effective = ending_times[licence.ended_by]
    return effective is not None and effective < moment


def subject_view(world: World, kind: str, subject: str) -> dict[str, Any] | None:
    """`chip_view` or `company_view`, by kind."""
    return chip_view(world, subject) if kind == "chip" else company_view(world, subject)


def company_view(world: World, company: str) -> dict[str, Any] | None:
    info = world.companies.get(company)
    if info is None:
        return None
    return {
        "company": company,
        "name": info["name"],
        "country": info.get("country"),
        "licenses": _sorted(
            [
                {
                    "license_id": lic.id,
                    "authority": lic.fields["authority"],
                    "jurisdiction": lic.fields["jurisdiction"],
                    "chips": sorted(lic.fields["chips"]),
                    "destinations": sorted(lic.fields["destinations"]),
                    "expires_at": lic.fields.get("expires_at"),
                }
                for lic in world.of_kind("license")
                if license_active(lic, world.as_of) and lic.fields["licensee"] == company
            ],
            "license_id",
        ),
        "revenue_share": _sorted(
            [
                {
                    "agreement_id": a.id,
                    "chips": sorted(a.fields["chips"]),
                    "destinations": sorted(a.fields["destinations"]),
                    "beneficiary": a.fields["beneficiary"],
                    "percent": a.fields["percent"],
                }
                for a in _live(world, "agreement")
                if a.fields["company"] == company
            ],
            "agreement_id",
        ),
        "advisories": _sorted(
            [
                {
                    "advisory_id": a.id,
                    "authority": a.fields["authority"],
                    "jurisdiction": a.fields["jurisdiction"],
                    "guidance": a.fields["guidance"],
                    "chips": sorted(a.fields["chips"]),
                }
                for a in _live(world, "advisory")
                if company in a.fields["companies"]
            ],
            "advisory_id",
        ),
        "export_restrictions": _sorted(
            [
                {
                    "measure_id": m.id,
                    "authority": m.fields["authority"],
                    "jurisdiction": m.fields["jurisdiction"],
                    "destinations": sorted(m.fields["destinations"]),
                    "control": m.fields["control"],
                    "chips": sorted(m.fields.get("chips") or []),
                }
                for m in _live(world, "measure")
                if company in (m.fields.get("companies") or [])
            ],
            "measure_id",
        ),
        "investigations": _sorted(
            [_case(c) for c in world.of_kind("case") if company in c.fields["companies"]], "case_id"
        ),
        "production_halts": sorted(
            (
                {"chip": h.chip, "since": format_instant(h.since), "suppliers": sorted(h.suppliers)}
                for h in world.halts.values()
                if h.company == company
            ),
            key=lambda h: h["chip"],
        ),
        "production_orders_received": sorted(
            (
                {"company": h.company, "chip": h.chip, "since": format_instant(h.since)}
                for h in world.halts.values()
                if company in h.suppliers
            ),
            key=lambda h: (h["company"], h["chip"]),
        ),
        "chips": sorted(c for c, info in world.chips.items() if info["manufacturer"] == company),
        "anomalies": _anomalies(world, f"company:{company}"),
    }
