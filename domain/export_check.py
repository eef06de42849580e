"""The export check (docs/checks.md): may exporter E ship chip C to destination D (for end
user U) at T, as known at K, and why — a second view over the same fold as chip state.

Per exporting jurisdiction J, the measures of J in force that restrict this shipment:
- chip measures: naming no end users, covering C (named or by criteria) and reaching D;
- with U, end-user measures: their end users (named, or affiliates through ownership)
  include U and their destinations include D; one naming only companies covers every chip.
E's licences of J that count are active, name C and D and are held by E. A chip measure is
cleared by any of them, an end-user measure only by one also naming U in `end_users`.
J's verdict: all cleared → licensed; else an uncleared ban → banned; else license_required.
Decision support, not legal advice (docs/checks.md).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from domain.affiliates import owners_of
from domain.coverage import coverage
from domain.destinations import destinations
from domain.export_check_lists import (
    Party,
    context_lists,
    events_and_sources,
    party_of,
    unknown_clauses,
)
from domain.export_status import POLICY_RANK, RESTRICTIVENESS, _part_matches, policy_for
from domain.in_force import in_force, license_active, suspended
from domain.world import Obj, World

UNRESTRICTED = "unrestricted"
EFFECT = {"ban": "banned", "license_required": "license_required"}


@dataclass(frozen=True)
class NotRegistered:
    """The chip or a company the question names is not registered at (K, P): a 404 naming
    `parameter` (docs/checks.md, "Errors")."""

    parameter: str  # chip | exporter | end_user
    subject: str


@dataclass(frozen=True)
class Restriction:
    """A measure (in force or suspended) that restricts this shipment."""

    measure: Obj
    how: dict[str, Any] | None  # matched_by; None for a measure naming only companies
    via: str  # the first destination entry, as written, that reaches D
    party: Party | None  # set for an end-user measure

    @property
    def jurisdiction(self) -> str:
        jurisdiction: str = self.measure.fields["jurisdiction"]
        return jurisdiction


@dataclass(frozen=True)
class Question:
    chip: str
    destination: str
    exporter: str | None = None  # None: the chip's manufacturer
    end_user: str | None = None


def export_check(
    world: World, question: Question, beside: World | None = None
) -> dict[str, Any] | NotRegistered:
    """The check's answer without its coordinates, or what is not registered. `beside`:
    measures that never cover the chip, folded apart at the same (T, K), which only
    `unknowns` reads (docs/checks.md, "How it is served")."""
    chip, destination, end_user = question.chip, question.destination, question.end_user
    info = world.chips.get(chip)
    if info is None:
        return NotRegistered("chip", chip)
    for parameter, company in (("exporter", question.exporter), ("end_user", end_user)):
        if company is not None and company not in world.companies:
            return NotRegistered(parameter, company)
    exporter: str = question.exporter or info["manufacturer"]
    specs: dict[str, Any] = info.get("specs") or {}
    restrictions, suspensions = _restrictions(world, chip, specs, destination, end_user)
    licences = [
        lic
        for lic in world.of_kind("license")
        if license_active(lic, world.as_of)
        and lic.fields["licensee"] == exporter
        and chip in lic.fields["chips"]
        and destination in lic.fields["destinations"]
    ]
    per_jurisdiction: dict[str, list[Restriction]] = defaultdict(list)
    for restriction in restrictions:
        per_jurisdiction[restriction.jurisdiction].append(restriction)
    uncleared: list[Restriction] = []
    verdicts: dict[str, str] = {}
    for jurisdiction, found in per_jurisdiction.items():
        mine = [lic for lic in licences if lic.fields["jurisdiction"] == jurisdiction]
        blocking = [r for r in found if not _cleared(r, mine, end_user)]
        verdicts[jurisdiction] = _verdict(blocking)
        uncleared += blocking
    decision = max(verdicts.values(), key=RESTRICTIVENESS.__getitem__) if verdicts else UNRESTRICTED
    deciding = [
        r.measure
        for r in uncleared
        if r.measure.fields["control"] == "license_required"
        and verdicts[r.jurisdiction] == "license_required"
    ]
    counted = [lic for lic in licences if lic.fields["jurisdiction"] in verdicts]
    review = _review(world, chip, specs, destination, deciding, decision)
    return {
        "chip": chip,
        "destination": destination,
        "exporter": exporter,
        "end_user": end_user,
        "decision": decision,
        "by_jurisdiction": verdicts,
        **review,
        "reasons": _reasons(
            world, chip, specs, destination, [*restrictions, *suspensions], counted
        ),
        **context_lists(world, chip, specs, destination, exporter),
        "unknowns": unknown_clauses(world, chip, specs, destination, end_user, beside),
    }


def _restrictions(
    world: World, chip: str, specs: dict[str, Any], destination: str, end_user: str | None
) -> tuple[list[Restriction], list[Restriction]]:
    """(the measures in force, the suspended ones) that restrict this shipment."""
    owners = owners_of(world) if end_user is not None and world.holdings else {}
    in_effect: list[Restriction] = []
    paused: list[Restriction] = []
    for measure in world.of_kind("measure"):
        if in_force(measure, world.as_of):
            into = in_effect
        elif suspended(measure, world.as_of):
            into = paused
        else:
            continue
        via = destinations(world, measure.fields).get(destination)
        if via is None:
            continue
        party = party_of(measure, end_user, owners)
        if party is False:
            continue  # it names end users, and not this one
        fields = measure.fields
        if party is not None and not (fields.get("chips") or fields.get("criteria")):
            how = None  # naming only companies: every chip (docs/checks.md)
        else:
            how = coverage(fields, chip, specs)
            if how is None:
                continue
        into.append(Restriction(measure, how, via, party))
    return in_effect, paused


def _cleared(restriction: Restriction, licences: list[Obj], end_user: str | None) -> bool:
    if restriction.party is None:
        return bool(licences)
    return any(end_user in (lic.fields.get("end_users") or []) for lic in licences)


def _verdict(blocking: list[Restriction]) -> str:
    if not blocking:
        return "licensed"
    if any(r.measure.fields["control"] == "ban" for r in blocking):
        return "banned"
    return "license_required"


def _review(
    world: World,
    chip: str,
    specs: dict[str, Any],
    destination: str,
    deciding: list[Obj],
    decision: str,
) -> dict[str, Any]:
    """`review_policy` and `exceptions` when the decision is license_required: from the
    uncleared license_required measures of jurisdictions whose verdict is license_required
    (docs/checks.md, "Review policy")."""
    if decision != "license_required":
        return {"review_policy": None, "exceptions": []}
    policies = [p for m in deciding if (p := policy_for(world, m, chip, specs, destination))]
    exceptions = {
        (m.id, e["exception_id"]): {
            "measure_id": m.id,
            "exception_id": e["exception_id"],
            "conditions": e["conditions"],
        }
        for m in deciding
        for e in m.fields.get("exceptions") or []
        if _part_matches(world, e, chip, specs, destination)
    }
    return {
        "review_policy": min(policies, key=POLICY_RANK.__getitem__) if policies else None,
        "exceptions": [exceptions[key] for key in sorted(exceptions)],
    }


def _reasons(
    world: World,
    chip: str,
    specs: dict[str, Any],
    destination: str,
    restrictions: list[Restriction],
    licences: list[Obj],
) -> list[dict[str, Any]]:
    """Every measure, counted licence and suspended measure that decided or could have
    decided the answer, sorted by (kind, id), each with its events and their sources."""
    wanted = [f"measure:{r.measure.id}" for r in restrictions]
    history = events_and_sources(world, [*wanted, *(f"license:{lic.id}" for lic in licences)])
    reasons = []
    for r in restrictions:
        fields = r.measure.fields
        live = in_force(r.measure, world.as_of)
        item: dict[str, Any] = {
            "kind": "measure" if live else "suspended_measure",
            "id": r.measure.id,
            "jurisdiction": r.jurisdiction,
            "effect": EFFECT[fields["control"]] if live else "suspended",
            "matched_by": r.how,
            "via": r.via,
            "review_policy": policy_for(world, r.measure, chip, specs, destination)
            if fields["control"] == "license_required"
            else None,
            **history[f"measure:{r.measure.id}"],
        }
        if r.party is not None:
            item.update(company=r.party.company, via_owners=r.party.via_owners)
        reasons.append(item)
    for lic in licences:
        reasons.append(
            {
                "kind": "license",
                "id": lic.id,
                "jurisdiction": lic.fields["jurisdiction"],
                "effect": "licensed",
                "matched_by": {"by": "named"},
                "via": destination,
                **history[f"license:{lic.id}"],
            }
        )
    return sorted(reasons, key=lambda reason: (reason["kind"], reason["id"]))
