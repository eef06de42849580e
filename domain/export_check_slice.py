"""What the served export check folds (docs/checks.md, "How it is served"): the chip's slice
(with the criteria measures that may cover it, as chip state), the parts of the exporter's
and the end user's slices the check reads, and apart the criteria measures that only leave
a clause the chip cannot be checked against.

The check reads of the exporter only its registration and the advisories naming it
(licences, agreements and applications that matter name the chip too); of the end user its
registration, the measures naming it or reaching affiliates, ownership and groups. Leaving
the rest out changes no answer (the property tests compare the served check with the check
over the reference fold of the whole log) and keeps each read a short fold.
"""

from __future__ import annotations

from domain.coverage import matches_criteria
from domain.export_check_lists import undecided
from domain.knowledge import Belief
from domain.prepared import criteria_versions, spec_versions

EXPORTER_PARTS = ("company:", "advisory:")
END_USER_PARTS = ("company:", "measure:", "ownership:", "group:")


def company_part(written: list[Belief], prefixes: tuple[str, ...]) -> list[Belief]:
    """The events of a company's slice whose aggregates the check reads."""
    return [b for b in written if b.event.aggregate.startswith(prefixes)]


def unknown_candidates(own: list[Belief], criteria: list[Belief]) -> list[Belief]:
    """The criteria aggregates, not in the chip's own slice, that `unknowns` may need and
    chip state does not fold (`domain.prepared.relevant_criteria`): no version of their
    criteria matches any version of the chip's specs, and some clause leaves the chip
    unchecked for some version. They never cover the chip, so they change nothing but
    `unknowns`: the served check folds them apart (a superset is safe)."""
    specs = spec_versions(own)
    mine = {b.event.aggregate for b in own}
    wanted = {
        aggregate
        for aggregate, lists in criteria_versions(criteria).items()
        if aggregate not in mine
        and not any(matches_criteria(c, s) is not None for c in lists for s in specs)
        and any(undecided(clause, s) for c in lists for clause in c for s in specs)
    }
    return [b for b in criteria if b.event.aggregate in wanted]


def manufacturers(own: list[Belief], chip: str) -> set[str]:
    """Every manufacturer any registration of the chip in its slice states, as written or
    as corrected (the default exporter is the chip's manufacturer as known at K)."""
    registered = {
        b.event.event_id: b.data["manufacturer"]
        for b in own
        if b.type == "ChipRegistered" and b.data.get("chip") == chip
    }
    found = set(registered.values())
    for belief in own:
        if belief.type == "EventCorrected" and belief.data.get("event_id") in registered:
            data = belief.data.get("changes", {}).get("data")
            if data is not None and data.get("manufacturer"):
                found.add(data["manufacturer"])
    return found
