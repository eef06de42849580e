"""Chip and company state (docs/state.md) from a folded World: the shape the API serves.
A chip's export status is computed in domain/export_status.py, its `upcoming` changes in
domain/upcoming.py."""

from __future__ import annotations

from typing import Any

from domain.affiliates import affiliates, owners_of, ownership_lists
from domain.clocks import format_instant
from domain.coverage import coverage
from domain.dealings_state import (
    announcement_item,
    duties,
    open_announcements,
    pending_applications,
)
from domain.destinations import destinations
from domain.export_status import export_status
from domain.in_force import in_force, license_active, suspended
from domain.upcoming import upcoming_for_chip
from domain.world import Obj, World


def agreement_item(a: Obj) -> dict[str, Any]:
    """A revenue-share agreement as a chip's answers list it (its state and its export check)."""
    return {
        "agreement_id": a.id,
        "company": a.fields["company"],
        "beneficiary": a.fields["beneficiary"],
        "percent": a.fields["percent"],
        "destinations": sorted(a.fields["destinations"]),
    }


def _sorted(items: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: item[key])


def _live(world: World, kind: str) -> list[Obj]:
    return [o for o in world.of_kind(kind) if o.live]


def chip_view(world: World, chip: str, *, upcoming: bool = True) -> dict[str, Any] | None:
    """The chip's state at the world's T; without `upcoming` for a history span, which never
    shows it (docs/state.md, "Timelines, history and diffs")."""
    info = world.chips.get(chip)
    if info is None:
        return None
    specs = info.get("specs") or {}
    export, end_user = export_status(world, chip, specs)
    return {
        "chip": chip,
        "name": info["name"],
        "manufacturer": info["manufacturer"],
        "successor_of": info.get("successor_of"),
        "specs": specs,
        "export": export,
        "end_user_restrictions": _sorted(end_user, "measure_id"),
        "suspended_measures": _suspended_measures(world, chip, specs),
        "duties": duties(world, chip, specs),
        "announcements": [
            announcement_item(a)
            for a in sorted(open_announcements(world), key=lambda a: a.id)
            if chip in (a.fields.get("chips") or [])
        ],
        **({"upcoming": upcoming_for_chip(world, chip, specs)} if upcoming else {}),
        "revenue_share": _sorted(
            [agreement_item(a) for a in _live(world, "agreement") if chip in a.fields["chips"]],
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
        "production": production(world, chip),
        "anomalies": _anomalies(world, f"chip:{chip}", chip, specs),
    }


def _suspended_measures(world: World, chip: str, specs: dict[str, Any]) -> list[dict[str, Any]]:
    """Measures imposed, not lifted, suspended at T, that cover the chip (docs/state.md,
    "Suspensions")."""
    found = []
    for measure in world.of_kind("measure"):
        if suspended(measure, world.as_of) and coverage(measure.fields, chip, specs):
            assert measure.suspension is not None
            until = measure.suspension.until
            found.append(
                {
                    "measure_id": measure.id,
                    "since": format_instant(measure.suspension.since),
                    "until": None if until is None else format_instant(until),
                }
            )
    return _sorted(found, "measure_id")


def _export_restrictions(world: World, company: str) -> list[dict[str, Any]]:
    """Measures in force naming the company as end user (`via` null), or reaching it as an
    affiliate of the companies they name (docs/state.md, "Ownership and affiliates")."""
    owners = owners_of(world) if world.holdings else {}
    found = []
    for m in world.of_kind("measure"):
        if not in_force(m, world.as_of):
            continue
        if company in (m.fields.get("companies") or []):
            via = None
        else:
            reached = affiliates(m, owners) if owners else {}
            if company not in reached:
                continue
            via = reached[company]
        found.append(
            {
                "measure_id": m.id,
                "authority": m.fields["authority"],
                "jurisdiction": m.fields["jurisdiction"],
                "destinations": sorted(destinations(world, m.fields)),
                "control": m.fields["control"],
                "chips": sorted(m.fields.get("chips") or []),
                "via": via,
            }
        )
    return _sorted(found, "measure_id")


def _case(case: Obj) -> dict[str, Any]:
    return {
        "case_id": case.id,
        "authority": case.fields["authority"],
        "jurisdiction": case.fields["jurisdiction"],
        "kind": case.fields["kind"],
        "status": "open" if case.live else "concluded",
        "finding": None if case.live else case.fields.get("finding"),
    }


def production(world: World, chip: str) -> dict[str, Any]:
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


def subject_view(
    world: World, kind: str, subject: str, *, upcoming: bool = True
) -> dict[str, Any] | None:
    """`chip_view` or `company_view`, by kind (a company's state has no `upcoming`)."""
    if kind == "chip":
        return chip_view(world, subject, upcoming=upcoming)
    return company_view(world, subject)


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
        "export_restrictions": _export_restrictions(world, company),
        "applications": [
            {
                "application_id": a.id,
                "authority": a.fields["authority"],
                "jurisdiction": a.fields["jurisdiction"],
                "chips": sorted(a.fields["chips"]),
                "destinations": sorted(a.fields["destinations"]),
                "status": "pending",
            }
            for a in sorted(pending_applications(world), key=lambda a: a.id)
            if a.fields["licensee"] == company
        ],
        **ownership_lists(world, company),
        "announcements": [
            announcement_item(a)
            for a in sorted(open_announcements(world), key=lambda a: a.id)
            if company in (a.fields.get("companies") or [])
        ],
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
