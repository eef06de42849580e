"""Catalog v2 in the random histories (docs/events.md, "Catalog v2"): destination groups and
their amendments, measures naming groups in destinations and exceptions, review policies and
overrides, licence exceptions, compliance dates, suspensions and reinstatements, and criteria
with every bound. A group is named in generated data as "G<i>" (an index into the groups the
run has defined); `tests/properties/runs_names.py` renders it as `group:<id>`.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

DESTINATIONS = ("CN", "RU", "US", "EU")
GROUP_REFS = ("G0", "G1", "G2")
POLICIES = ("policy_of_denial", "presumption_of_denial", "case_by_case", "presumption_of_approval")
BOUND_SUFFIXES = ("_min", "_gt", "_max", "_lt")


def entries(min_size: int = 1) -> st.SearchStrategy[list[str]]:
    """Destination entries: mostly codes, now and then a group."""
    entry = st.sampled_from(DESTINATIONS) | st.sampled_from(GROUP_REFS)
    return st.lists(entry, min_size=min_size, max_size=3, unique=True)


def codes(min_size: int = 0) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(DESTINATIONS), min_size=min_size, max_size=3, unique=True)


def group_definition() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "name": st.just("A group"),
            "authority": st.just("BIS"),
            "jurisdiction": st.sampled_from(("US", "EU")),
            "members": codes(),
        }
    )


def group_amendment() -> st.SearchStrategy[dict[str, Any]]:
    """`add` and `remove`, disjoint, at least one non-empty."""
    return st.lists(st.sampled_from(DESTINATIONS), min_size=1, max_size=3, unique=True).flatmap(
        lambda picked: st.integers(0, len(picked)).map(
            lambda cut: {"add": picked[:cut], "remove": picked[cut:]}
        )
    )


def bounded_clause(values: dict[str, tuple[Any, ...]]) -> st.SearchStrategy[dict[str, Any]]:
    names = st.lists(st.sampled_from(sorted(values)), min_size=1, max_size=2, unique=True)
    return names.flatmap(
        lambda ns: st.fixed_dictionaries(
            {n: st.sampled_from(values[n]) for n in ns}  # the values, keyed below
        ).flatmap(
            lambda picked: st.lists(
                st.sampled_from(BOUND_SUFFIXES), min_size=len(picked), max_size=len(picked)
            ).map(lambda sfx: {f"{n}{s}": v for (n, v), s in zip(picked.items(), sfx, strict=True)})
        )
    )


def parts(chips: st.SearchStrategy[list[int]], criteria: Any) -> dict[str, Any]:
    """Optional measure fields: a review policy (kept only under license_required), overrides
    and exceptions over chips, criteria and destinations, exceptions of destinations."""
    override = st.fixed_dictionaries(
        {"policy": st.sampled_from(POLICIES)},
        optional={"chips": chips, "criteria": criteria, "destinations": entries()},
    )
    exception = st.fixed_dictionaries(
        {"conditions": st.just("notify and ship")},
        optional={"chips": chips, "criteria": criteria, "destinations": entries()},
    )
    return {
        "except_destinations": entries(),
        "review_policy": st.sampled_from(POLICIES),
        "review_overrides": st.lists(override, min_size=1, max_size=2),
        "exceptions": st.lists(exception, min_size=1, max_size=2),
    }


def measure_follow_up() -> st.SearchStrategy[str]:
    """Which lifecycle event follows a measure."""
    return st.sampled_from(("amend", "amend", "amend", "lift", "suspend", "suspend", "reinstate"))


def suspension() -> st.SearchStrategy[dict[str, Any]]:
    """A suspension's `until` in days after it takes effect (None: until reinstated)."""
    return st.fixed_dictionaries(
        {"until_days": st.none() | st.integers(1, 30), "reason": st.just("paused")}
    )


def with_policy_rule(data: dict[str, Any]) -> dict[str, Any]:
    """A review policy only under license_required (the writer refuses it under a ban)."""
    if data.get("control") == "ban":
        data = {k: v for k, v in data.items() if k != "review_policy"}
    return data


# -- part 2: applications, ownership, tariffs, announcements ---------------------------------

ANNOUNCEMENT_REFS = ("A0", "A1")  # rendered as one of the run's announcements
APPLICATION_REFS = ("P0", "P1")  # rendered as one of the run's filed applications


def implements() -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(ANNOUNCEMENT_REFS), min_size=1, max_size=2, unique=True)


def tariff(chips: Any, criteria: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "authority": st.just("USTR"),
            "jurisdiction": st.sampled_from(("US", "CN")),
            "direction": st.sampled_from(("import", "export")),
            "rate_percent": st.sampled_from(("25", 10, "7.5", 200)),
            "chips": chips,
            "criteria": criteria,
        },
        optional={
            "origins": codes(1),
            "destinations": entries(),
            "basis": st.just("Section 232"),
            "implements": implements(),
        },
    )


def announcement(chips: Any, companies: Any) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "authority": st.just("White House"),
            "jurisdiction": st.just("US"),
            "chips": chips,
            "companies": companies,
            "destinations": codes(),
        },
        optional={"expected_effective_at": st.integers(0, 30)},  # days after it
    )


def follow_ups_v2() -> dict[str, st.SearchStrategy[Any]]:
    """What follows an application, a tariff or an ownership (chosen at run time)."""
    return {
        "application_kind": st.sampled_from(("deny", "withdraw", "grant", "grant")),
        "tariff_kind": st.sampled_from(("amend", "amend", "lift")),
        "tariff_change": st.fixed_dictionaries(
            {},
            optional={
                "rate_percent": st.sampled_from(("15", 30)),
                "destinations": entries(0),
                "origins": codes(),
            },
        ),
        "ownership_kind": st.sampled_from(("end", "again")),
        "percent": st.sampled_from(("20", "25", "30", "50", "60", 100)),
    }
