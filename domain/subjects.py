"""Which chips and companies an event's payload names ("chip:h20", "company:nvidia")."""

from __future__ import annotations

from typing import Any

from domain.catalog import CHIP_FIELDS, COMPANY_FIELDS


def named_subjects(data: dict[str, Any]) -> set[str]:
    subjects: set[str] = set()
    for kind, fields in (("chip", (*CHIP_FIELDS, "chip")), ("company", COMPANY_FIELDS)):
        for name in fields:
            value = data.get(name)
            for slug in value if isinstance(value, list) else [value]:
                if isinstance(slug, str):
                    subjects.add(f"{kind}:{slug}")
    return subjects
