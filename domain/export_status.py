"""A chip's export status by destination (docs/state.md, "Export status"): the measures in
force that cover it, the licences that apply, and the most restrictive status per
destination — with, for catalog v2, the review policy, the licence exceptions and the
entry (a country or a group) through which each measure reaches the destination."""

from __future__ import annotations

from collections.abc import Container, Iterable
from typing import Any

from domain.coverage import coverage
from domain.dealings_state import pending_applications, pending_for
from domain.destinations import destinations, resolve
from domain.export_memo import export_memo, groups_of, remembered
from domain.in_force import in_force, license_active
from domain.payloads import REVIEW_POLICIES
from domain.world import Obj, World

RESTRICTIVENESS = {"licensed": 0, "license_required": 1, "banned": 2}
POLICY_RANK = {policy: rank for rank, policy in enumerate(REVIEW_POLICIES)}  # 0: most restrictive


class Reach:
    """One measure in force that covers the chip and reaches a destination."""

    __slots__ = ("how", "measure", "via")

    def __init__(self, measure: Obj, how: dict[str, Any], via: str):
        self.measure, self.how, self.via = measure, how, via


def export_status(
    world: World, chip: str, specs: dict[str, Any]
) -> tuple[dict[str, Any], list[Any]]:
    """The chip's `export` (by destination) and its `end_user_restrictions` (unsorted).
    What the answer, each measure's reach and each destination's entry are computed from
    is compared with the last answer from this world, and an unchanged part reused
    (domain/export_memo.py)."""
    memo = export_memo(world)
    groups = groups_of(world)
    covering = []
    for measure in world.of_kind("measure"):
        if not in_force(measure, world.as_of):
            continue
        how, reached = remembered(
            memo.reaches,
            (measure.id, chip),
            (measure, groups, specs),
            reach_of,
            world,
            measure,
            chip,
            specs,
        )
        if how is not None:
            covering.append((measure, how, reached))
    licences = tuple(
        lic
        for lic in world.of_kind("license")
        if license_active(lic, world.as_of) and chip in lic.fields["chips"]
    )
    # what every destination's entry is also made of, besides the measures reaching it
    shared = (groups, specs, licences, tuple(pending_applications(world)))
    inputs = (*shared, tuple(m for m, _, _ in covering))
    return remembered(  # type: ignore[no-any-return]
        memo.answers, (chip, ""), inputs, _answer, world, chip, specs, covering, shared
    )


def _answer(
    world: World,
    chip: str,
    specs: dict[str, Any],
    covering: list[tuple[Obj, dict[str, Any], dict[str, str]]],
    shared: tuple[Any, ...],
) -> tuple[dict[str, Any], list[Any]]:
    memo, licences = export_memo(world), shared[2]
    by_destination: dict[str, dict[str, list[Reach]]] = {}
    end_user: list[dict[str, Any]] = []
    for measure, how, reached in covering:
        fields = measure.fields
        if fields.get("companies"):
            end_user.append(
                {
                    "measure_id": measure.id,
                    "companies": sorted(fields["companies"]),
                    "destinations": sorted(reached),
                    "control": fields["control"],
                }
            )
            continue
        for destination, via in reached.items():
            per = by_destination.setdefault(destination, {})
            per.setdefault(fields["jurisdiction"], []).append(Reach(measure, how, via))
    export = {}
    for destination, per_jurisdiction in by_destination.items():
        reaches = tuple(
            (jurisdiction, r.measure, r.via)
            for jurisdiction, entries in per_jurisdiction.items()
            for r in entries
        )
        export[destination] = remembered(
            memo.entries,
            (chip, destination),
            (*shared, reaches),
            destination_entry,
            world,
            chip,
            specs,
            destination,
            per_jurisdiction,
            licences,
        )
    return export, end_user


def reach_of(
    world: World, measure: Obj, chip: str, specs: dict[str, Any]
) -> tuple[dict[str, Any] | None, dict[str, str]]:
    """How the measure covers the chip, and the destinations it reaches at T with their `via`."""
    how = coverage(measure.fields, chip, specs)
    return how, ({} if how is None else destinations(world, measure.fields))


def destination_entry(
    world: World,
    chip: str,
    specs: dict[str, Any],
    destination: str,
    per_jurisdiction: dict[str, list[Reach]],
    licences: tuple[Obj, ...],
) -> dict[str, Any]:
    entry = _destination_status(per_jurisdiction, licences, destination)
    entry["pending_applications"] = pending_for(world, chip, destination)
    return {**entry, **_review(world, chip, specs, destination, entry, per_jurisdiction)}


def _destination_status(
    per_jurisdiction: dict[str, list[Reach]], licences: tuple[Obj, ...], destination: str
) -> dict[str, Any]:
    statuses, licence_ids = verdicts(per_jurisdiction, licences, destination)
    measures: dict[str, dict[str, Any]] = {}
    via: dict[str, str] = {}
    for entries in per_jurisdiction.values():
        measures.update({r.measure.id: r.how for r in entries})
        via.update({r.measure.id: r.via for r in entries})
    return {
        "status": strictest(statuses),
        "measures": sorted(measures),
        "licenses": sorted(licence_ids),
        "matched_by": measures,
        "by_jurisdiction": statuses,
        "via": via,
    }


def verdicts(
    per_jurisdiction: dict[str, list[Reach]], licences: tuple[Obj, ...], destination: str
) -> tuple[dict[str, str], set[str]]:
    """Each jurisdiction's own verdict for the destination (`jurisdiction_verdicts`), and
    the licences that license it."""
    licensing: dict[str, list[str]] = {}
    for lic in licences:
        if destination in lic.fields["destinations"]:
            licensing.setdefault(lic.fields["jurisdiction"], []).append(lic.id)
    statuses = jurisdiction_verdicts(_measures(per_jurisdiction), licensing)
    licence_ids = {
        lic for j, status in statuses.items() if status == "licensed" for lic in licensing[j]
    }
    return statuses, licence_ids


def jurisdiction_verdicts(measures: Iterable[Obj], licensed: Container[str]) -> dict[str, str]:
    """Per jurisdiction of the measures reaching a destination: licensed when it licensed the
    chip there (`licensed`: those jurisdictions), else banned when one of its measures bans,
    else license_required."""
    bans: dict[str, bool] = {}
    for measure in measures:
        fields = measure.fields
        jurisdiction = fields["jurisdiction"]
        bans[jurisdiction] = bans.get(jurisdiction, False) or fields["control"] == "ban"
    return {j: verdict(j in licensed, banning) for j, banning in bans.items()}


def verdict(licensed: bool, banning: bool) -> str:
    """One jurisdiction's verdict: licensed, else banned when one of its measures bans, else
    license_required."""
    return "licensed" if licensed else "banned" if banning else "license_required"


def _measures(per_jurisdiction: dict[str, list[Reach]]) -> list[Obj]:
    return [r.measure for reaches in per_jurisdiction.values() for r in reaches]


def strictest(statuses: dict[str, str]) -> str:
    return max(statuses.values(), key=RESTRICTIVENESS.__getitem__)


def _review(
    world: World,
    chip: str,
    specs: dict[str, Any],
    destination: str,
    entry: dict[str, Any],
    per_jurisdiction: dict[str, list[Reach]],
) -> dict[str, Any]:
    """`review_policy` and `exceptions` of a destination that requires a licence: from its
    license_required measures in jurisdictions whose own verdict is license_required."""
    if entry["status"] != "license_required":
        return {"review_policy": None, "exceptions": []}
    deciding_ = deciding(entry["by_jurisdiction"], _measures(per_jurisdiction))
    exceptions = [
        {"measure_id": m.id, "exception_id": e["exception_id"], "conditions": e["conditions"]}
        for m in deciding_
        for e in m.fields.get("exceptions") or []
        if _part_matches(world, e, chip, specs, destination)
    ]
    return {
        "review_policy": review_policy(world, chip, specs, destination, deciding_),
        "exceptions": sorted(exceptions, key=lambda e: (e["measure_id"], e["exception_id"])),
    }


def deciding(statuses: dict[str, str], measures: Iterable[Obj]) -> list[Obj]:
    """The measures a license_required destination's review policy and exceptions come
    from: its license_required measures in jurisdictions whose own verdict is that."""
    return [
        m
        for m in measures
        if m.fields["control"] == "license_required"
        and statuses[m.fields["jurisdiction"]] == "license_required"
    ]


def review_policy(
    world: World, chip: str, specs: dict[str, Any], destination: str, deciding: list[Obj]
) -> str | None:
    """The most restrictive of the deciding measures' policies (None: none states one)."""
    return most_restrictive(policy_for(world, m, chip, specs, destination) for m in deciding)


def most_restrictive(policies: Iterable[str | None]) -> str | None:
    stated = [p for p in policies if p]
    return min(stated, key=POLICY_RANK.__getitem__) if stated else None


def policy_for(
    world: World, measure: Obj, chip: str, specs: dict[str, Any], destination: str
) -> str | None:
    """The measure's review policy for this chip and destination: its first matching
    override's, else its own `review_policy`."""
    for override in measure.fields.get("review_overrides") or []:
        if _part_matches(world, override, chip, specs, destination):
            policy: str = override["policy"]
            return policy
    own: str | None = measure.fields.get("review_policy")
    return own


def _part_matches(
    world: World, part: dict[str, Any], chip: str, specs: dict[str, Any], destination: str
) -> bool:
    """An override or exception applies to the chip (named, or matching its criteria; neither
    given: every chip the measure covers) and the destination (none given: all)."""
    if (part.get("chips") or part.get("criteria")) and coverage(part, chip, specs) is None:
        return False
    places = part.get("destinations")
    return not places or destination in resolve(world, places)
