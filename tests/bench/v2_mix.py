"""Catalog v2 in a generated log: the destination groups the generators define, and a count
of what each log holds of catalog v2 (docs/performance.md, "What the generated logs hold").

Both generators (tests/bench/pit/ for the point-in-time data set, tests/bench/loggen/ for the
rebuild's log) draw their groups from GROUPS: the US country groups of the EAR, and a few
of the EU, Japan, the UK and Korea. The members are plausible, not a legal reference."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from domain.ids import GROUP_PREFIX
from tests.bench.v2_part2_mix import count_part2

# (group_id, name, authority, jurisdiction, first members)
GROUPS: list[tuple[str, str, str, str, list[str]]] = [
    ("ear-a5", "EAR Country Group A:5", "BIS", "US", ["GB", "DE", "JP", "NL", "FR", "IT", "CA"]),
    ("ear-a6", "EAR Country Group A:6", "BIS", "US", ["KR", "TW", "SG", "IL"]),
    ("ear-d1", "EAR Country Group D:1", "BIS", "US", ["CN", "RU", "BY", "VE", "KP", "MO"]),
    ("ear-d3", "EAR Country Group D:3", "BIS", "US", ["CN", "IR", "SY", "PK", "IN"]),
    ("ear-d4", "EAR Country Group D:4", "BIS", "US", ["CN", "IR", "KP", "SY", "SA"]),
    ("ear-d5", "EAR Country Group D:5", "BIS", "US", ["CN", "RU", "IR", "KP", "BY", "VE", "CU"]),
    ("ear-e1", "EAR Country Group E:1", "BIS", "US", ["IR", "KP", "SY"]),
    ("ear-e2", "EAR Country Group E:2", "BIS", "US", ["CU"]),
    ("ai-tier-2", "AI diffusion tier 2", "BIS", "US", ["AE", "SA", "IN", "VN", "MY", "SG"]),
    ("eu-annex-russia", "EU Russia and Belarus measures", "DG TRADE", "EU", ["RU", "BY"]),
    ("eu-high-risk", "EU high-risk destinations", "DG TRADE", "EU", ["IR", "KP", "SY", "RU"]),
    ("jp-group-a", "Japan Group A (white list)", "METI", "JP", ["US", "GB", "DE", "NL", "FR"]),
    ("jp-group-d", "Japan Group D", "METI", "JP", ["IR", "KP", "SY"]),
    ("uk-embargo", "UK embargoed destinations", "ECJU", "GB", ["RU", "BY", "IR", "KP", "SY"]),
    ("kr-ga", "Korea strategic group Ga", "MOTIE", "KR", ["US", "JP", "GB", "DE"]),
]
# Codes a group amendment may add (a country newly listed), besides removing a member.
GROUP_POOL = [
    "CN", "RU", "IR", "KP", "BY", "VE", "CU", "SY", "HK", "MO", "AE", "SA", "IN", "VN", "MY",
    "SG", "PK", "NI", "MM", "AF", "IQ", "LY",
]  # fmt: skip
# Groups a measure may name in `destinations` (restrictive) or `except_destinations` (allies).
FRIENDLY = {"ear-a5", "ear-a6", "jp-group-a", "kr-ga"}
RESTRICTIVE = {
    jurisdiction: [g[0] for g in GROUPS if g[3] == jurisdiction and g[0] not in FRIENDLY]
    for jurisdiction in {g[3] for g in GROUPS}
}
EXCEPTING = {
    jurisdiction: [g[0] for g in GROUPS if g[3] == jurisdiction and g[0] in FRIENDLY]
    for jurisdiction in {g[3] for g in GROUPS}
}
POLICIES = [
    "policy_of_denial",
    "presumption_of_denial",
    "presumption_of_denial",
    "case_by_case",
    "case_by_case",
    "presumption_of_approval",
]
EXCEPTION_IDS = ["nac", "acm", "lvs", "tmp", "gbs", "enc"]
CAPPED_CLAUSES = [  # clauses bounded above: a tier below a threshold
    {"tpp_min": "1600", "tpp_lt": "4800"},
    {"tpp_lt": "21000", "memory_bandwidth_gbps_lt": "6500"},
    {"performance_density_min": "1.6", "performance_density_max": "5.92"},
    {"hbm_gb_max": "80", "tpp_gt": "2400"},
]


def group_change(rng: random.Random, members: list[str]) -> tuple[list[str], list[str]]:
    """A group amendment's `add` and `remove` (both sorted, not both empty): up to two codes of
    GROUP_POOL outside the group, and, for a group of more than two, sometimes a member."""
    outside = [c for c in GROUP_POOL if c not in members]
    add = sorted(rng.sample(outside, min(len(outside), rng.randint(0, 2))))
    remove: list[str] = []
    if len(members) > 2 and (not add or rng.random() < 0.3):
        remove = sorted(rng.sample(members, 1))
    if not add and not remove:
        add = [rng.choice(outside)]
    return add, remove


Parts = Callable[[dict[str, Any]], list[dict[str, Any]]]  # a measure's data -> overrides etc.


def licence_review(
    rng: random.Random,
    data: dict[str, Any],
    shares: tuple[float, float, float],
    overrides: Parts,
    exceptions: Parts,
) -> bool:
    """A new license_required measure's review fields, drawn in this order with `shares`:
    a review policy, review overrides and licence exceptions. True if a policy was set;
    nothing drawn for another control."""
    if data["control"] != "license_required":
        return False
    policy_share, override_share, exception_share = shares
    policied = rng.random() < policy_share
    if policied:
        data["review_policy"] = rng.choice(POLICIES)
    if rng.random() < override_share:
        data["review_overrides"] = overrides(data)
    if rng.random() < exception_share:
        data["exceptions"] = exceptions(data)
    return policied


def names_group(entries: list[str] | None) -> bool:
    return any(e.startswith(GROUP_PREFIX) for e in entries or ())


def _capped(criteria: list[dict[str, Any]] | None) -> bool:
    return any(k.endswith(("_lt", "_max")) for clause in criteria or () for k in clause)


def count_v2(
    events: Iterable[tuple[str, dict[str, Any]]], known: set[str] | None = None
) -> dict[str, int]:
    """What a log holds of catalog v2, from each event's (type, data); part 2's counts need
    `known` kept across a log's batches (tests/bench/v2_part2_mix.py `count_part2`)."""
    seen: Counter[str] = Counter()
    known = set() if known is None else known
    for type_, data in events:
        count_part2(seen, type_, data, known)
        if type_ in ("DestinationGroupDefined", "DestinationGroupAmended"):
            seen["groups" if type_ == "DestinationGroupDefined" else "group_amendments"] += 1
        elif type_ == "ExportBanSuspended":
            seen["suspensions_until" if data.get("until") else "suspensions_open"] += 1
        elif type_ == "ExportBanReinstated":
            seen["reinstatements"] += 1
        elif type_ in ("ExportBanImposed", "ExportBanAmended"):
            prefix = "measures" if type_ == "ExportBanImposed" else "amendments"
            seen[prefix] += 1
            checks = {
                "naming_groups": names_group(data.get("destinations")),
                "with_except_destinations": bool(data.get("except_destinations")),
                "with_review_policy": bool(data.get("review_policy")),
                "with_review_overrides": bool(data.get("review_overrides")),
                "with_exceptions": bool(data.get("exceptions")),
                "with_compliance_at": bool(data.get("compliance_at")),
                "with_lt_max_bounds": _capped(data.get("criteria"))
                or any(_capped(o.get("criteria")) for o in data.get("review_overrides") or ()),
            }
            seen.update(f"{prefix}_{name}" for name, hit in checks.items() if hit)
    return dict(sorted(seen.items()))


def v2_in_answer(answer: dict[str, Any] | None) -> set[str]:
    """Which catalog v2 parts a chip's state shows: a destination reached through a group, a
    suspended measure, a review policy, a licence exception."""
    found: set[str] = set()
    if not answer:
        return found
    if answer.get("suspended_measures"):
        found.add("suspended")
    for entry in (answer.get("export") or {}).values():
        if any(v.startswith(GROUP_PREFIX) for v in (entry.get("via") or {}).values()):
            found.add("via_group")
        if entry.get("review_policy"):
            found.add("review_policy")
        if entry.get("exceptions"):
            found.add("exceptions")
    return found
