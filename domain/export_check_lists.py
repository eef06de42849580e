"""The parts of the export check (docs/checks.md) beside its decision: the end user a measure
reaches, each reason's events and sources, what else bears on the shipment (duties,
revenue shares, the destination's advisories, ...) and the clauses the chip could not be
checked against."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from domain.affiliates import affiliates, owners_of
from domain.coverage import coverage
from domain.dealings_state import (
    announcement_item,
    duties,
    open_announcements,
    pending_applications,
)
from domain.destinations import destinations
from domain.in_force import in_force
from domain.payloads import BOUNDS
from domain.upcoming import upcoming_for_chip
from domain.views import _suspended_measures, agreement_item
from domain.world import Obj, World


@dataclass(frozen=True)
class Party:
    """The end user an end-user measure reaches: named (`via_owners` None), or as an
    affiliate through the listed owners (docs/state.md, "Ownership and affiliates")."""

    company: str
    via_owners: list[str] | None


def party_of(measure: Obj, end_user: str | None, owners: Any) -> Party | None | Literal[False]:
    """None for a measure naming no end users; for one that does, the end user it reaches,
    or False when it does not reach U (or no U was given)."""
    named = measure.fields.get("companies") or []
    if not named:
        return None
    if end_user is None:
        return False
    if end_user in named:
        return Party(end_user, None)
    reached = affiliates(measure, owners) if owners else {}
    if end_user not in reached:
        return False
    return Party(end_user, reached[end_user]["owners"])


def events_and_sources(world: World, keys: list[str]) -> dict[str, dict[str, list[Any]]]:
    """Per aggregate key: the ids of its events as known at K with effective_at ≤ T, not
    retracted, in fold order, and their sources in the same order (revisions applied to
    the events, not listed: docs/checks.md, "Reasons")."""
    found: dict[str, dict[str, list[Any]]] = {k: {"events": [], "sources": []} for k in keys}
    for belief in world.believed:  # every visible domain belief, in fold order
        entry = found.get(belief.event.aggregate)
        if entry is None or belief.effective_at is None or belief.effective_at > world.as_of:
            continue
        entry["events"].append(belief.event.event_id)
        entry["sources"] += _sources(belief.event)
    return found


def _sources(event: Any) -> list[dict[str, Any]]:
    """A stored event's sources (a `Recorded`'s field, a `LoggedEvent`'s public body)."""
    sources = getattr(event, "sources", None)
    if sources is None:
        sources = event.body.get("sources") or []
    return list(sources)


def context_lists(
    world: World, chip: str, specs: dict[str, Any], destination: str, exporter: str
) -> dict[str, Any]:
    """What bears on the shipment without deciding it (docs/checks.md, "Fields")."""
    return {
        "pending_applications": sorted(
            a.id
            for a in pending_applications(world)
            if a.fields["licensee"] == exporter
            and chip in a.fields["chips"]
            and destination in a.fields["destinations"]
        ),
        "duties": [
            d
            for d in duties(world, chip, specs)
            if not d["destinations"] or destination in d["destinations"]
        ],
        "revenue_share": sorted(
            (
                agreement_item(a)
                for a in world.of_kind("agreement")
                if a.live
                and a.fields["company"] == exporter
                and chip in a.fields["chips"]
                and destination in a.fields["destinations"]
            ),
            key=lambda a: a["agreement_id"],
        ),
        "destination_advisories": sorted(
            (
                {
                    "advisory_id": a.id,
                    "authority": a.fields["authority"],
                    "jurisdiction": a.fields["jurisdiction"],
                    "guidance": a.fields["guidance"],
                    "chips": sorted(a.fields["chips"]),
                    "companies": sorted(a.fields["companies"]),
                }
                for a in world.of_kind("advisory")
                if a.live
                and a.fields["jurisdiction"] == destination
                and (chip in a.fields["chips"] or exporter in a.fields["companies"])
            ),
            key=lambda a: a["advisory_id"],
        ),
        "suspended_measures": _suspended_measures(world, chip, specs),
        "announcements": [
            announcement_item(a)
            for a in sorted(open_announcements(world), key=lambda a: a.id)
            if chip in (a.fields.get("chips") or [])
            and (not a.fields.get("destinations") or destination in a.fields["destinations"])
        ],
        "upcoming": upcoming_for_chip(world, chip, specs),
    }


def unknown_clauses(
    world: World,
    chip: str,
    specs: dict[str, Any],
    destination: str,
    end_user: str | None,
    beside: World | None = None,
) -> list[dict[str, Any]]:
    """Clauses of measures in force reaching D, that would restrict this shipment if the
    chip met them, which the chip could not be checked against: a spec the clause bounds is
    missing and no spec it has already fails the clause. Measures that cover the chip
    otherwise are left out; tariffs are not considered (docs/checks.md, "Unknowns").

    `beside`: a fold of more measures at the same (T, K) — ones that never cover the chip,
    which the served check folds apart (docs/checks.md, "How it is served")."""
    owners = owners_of(world) if end_user is not None and world.holdings else {}
    measures = [(world, m) for m in world.of_kind("measure")]
    if beside is not None:
        measures += [
            (beside, m) for m in beside.of_kind("measure") if f"measure:{m.id}" not in world.objects
        ]
    found = []
    for folded, measure in measures:
        criteria = measure.fields.get("criteria") or []
        if (
            not criteria
            or not in_force(measure, folded.as_of)
            or destination not in destinations(folded, measure.fields)
            or party_of(measure, end_user, owners) is False
            or coverage(measure.fields, chip, specs) is not None
        ):
            continue
        for index, clause in enumerate(criteria):
            missing = undecided(clause, specs)
            if missing:
                found.append({"measure_id": measure.id, "clause": index, "missing": missing})
    return sorted(found, key=lambda u: (u["measure_id"], u["clause"]))


def undecided(clause: dict[str, Any], specs: dict[str, Any] | None) -> list[str]:
    """The specs a clause bounds that the chip lacks, sorted — or [] when it lacks none, or
    when a spec it has already fails the clause (then it is decided: not met)."""
    specs = specs or {}
    missing: set[str] = set()
    for key, threshold in clause.items():
        spec, _, suffix = key.rpartition("_")
        value = specs.get(spec)
        if value is None:
            missing.add(spec)
        elif not _meets(Decimal(value), BOUNDS[f"_{suffix}"], Decimal(threshold)):
            return []
    return sorted(missing)


def _meets(value: Decimal, how: str, threshold: Decimal) -> bool:
    return {
        "ge": value >= threshold,
        "gt": value > threshold,
        "le": value <= threshold,
        "lt": value < threshold,
    }[how]
