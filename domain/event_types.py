"""What the write side needs to know about an event type (docs/events.md, "The catalog"):
its role, the aggregate it belongs to and its id field. The types are listed in
domain/catalog.py."""

from __future__ import annotations

from enum import Enum
from typing import Any

from domain.payloads import Data


class Role(Enum):
    REGISTRY = "registry"  # creates a chip or company id (not in valid time)
    CREATOR = "creator"  # creates a measure, licence, application, agreement, advisory, case,
    # group, tariff or announcement
    LIFECYCLE = "lifecycle"  # changes a created object
    TERMINAL = "terminal"  # ends a created object
    PRODUCTION = "production"  # a company's halt or resume of some chips
    OWNERSHIP = "ownership"  # who owns how much of whom, keyed by (owner, owned)
    REVISION = "revision"  # corrects or retracts an earlier event


class EventType:
    """What the write side needs to know about a type: its aggregate, id field and role."""

    def __init__(self, name: str, model: type[Data], role: Role, kind: str, id_field: str):
        self.name, self.model, self.role, self.kind, self.id_field = (
            name,
            model,
            role,
            kind,
            id_field,
        )

    def key_of(self, data: dict[str, Any]) -> str:
        """The aggregate an event of this type joins: `<kind>:<id>`, or for ownership
        `ownership:<owner>:<owned>` (one aggregate per pair, docs/events.md, "Ownership")."""
        if self.role is Role.OWNERSHIP:
            return f"{self.kind}:{data['owner']}:{data['owned']}"
        return f"{self.kind}:{data[self.id_field]}"

    @property
    def is_domain(self) -> bool:
        """Domain events live in valid time: they require `effective_at`."""
        return self.role not in (Role.REGISTRY, Role.REVISION)
