"""Which chips, companies, destination groups, announcements (implemented) and applications
(granted) an event's payload names ("chip:h20", "company:nvidia", "group:ear-d5",
"announcement:us-2025-12-h200", "application:nvidia-h20-2025-07")."""

from __future__ import annotations

from typing import Any

from domain.catalog import CHIP_FIELDS, COMPANY_FIELDS
from domain.ids import GROUP_PREFIX

# Where a measure names groups (docs/events.md, "Destination groups").
GROUP_LISTS = ("destinations", "except_destinations")
GROUP_PARTS = ("review_overrides", "exceptions")


# What a payload names, remembered per payload, for the reads that ask it of every event of
# a slice at each request (history and its spans: docs/performance.md, "Histories").
# Payloads are never changed in place, and each is held beside its answer, so its id stays
# its own. Only an event's payload as stored (cached with its event) belongs here: a dict
# made per request, such as an amended object's fields, would be held until the memo is
# cleared and make every full collection walk more (services/heap.py).
_NAMES: dict[int, tuple[dict[str, Any], frozenset[str], frozenset[str]]] = {}
NAMES_HELD = 100_000  # forgotten all at once beyond this many payloads


def names_of(data: dict[str, Any]) -> frozenset[str]:
    """`named_subjects`, remembered per payload."""
    return _names(data)[1]


def groups_of(data: dict[str, Any]) -> frozenset[str]:
    """`named_groups`, remembered per payload."""
    return _names(data)[2]


def _names(data: dict[str, Any]) -> tuple[dict[str, Any], frozenset[str], frozenset[str]]:
    held = _NAMES.get(id(data))
    if held is not None and held[0] is data:
        return held
    if len(_NAMES) >= NAMES_HELD:
        _NAMES.clear()
    names = frozenset(named_subjects(data))
    held = (data, names, frozenset(n for n in names if n.startswith(GROUP_PREFIX)))
    _NAMES[id(data)] = held
    return held


def named_subjects(data: dict[str, Any]) -> set[str]:
    subjects: set[str] = set()
    for kind, fields in (("chip", (*CHIP_FIELDS, "chip")), ("company", COMPANY_FIELDS)):
        for name in fields:
            value = data.get(name)
            for slug in value if isinstance(value, list) else [value]:
                if isinstance(slug, str):
                    subjects.add(f"{kind}:{slug}")
    subjects.update(named_groups(data))
    # what an event grants or implements: indexed under that object's key (docs/state.md)
    subjects.update(f"announcement:{a}" for a in data.get("implements") or () if isinstance(a, str))
    if isinstance(data.get("application_id"), str) and "license_id" in data:
        subjects.add(f"application:{data['application_id']}")
    return subjects


def named_groups(data: dict[str, Any]) -> set[str]:
    """The destination groups a payload names: in its destination lists, or in those of its
    overrides and exceptions."""
    found = {
        e
        for name in GROUP_LISTS
        for e in data.get(name) or ()
        if isinstance(e, str) and e.startswith(GROUP_PREFIX)
    }
    for part in GROUP_PARTS:
        for item in data.get(part) or ():
            found.update(
                e
                for e in item.get("destinations") or ()
                if isinstance(e, str) and e.startswith(GROUP_PREFIX)
            )
    return found
