"""Domain exceptions: they carry what went wrong and where; HTTP status is mapped once, in the API."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Problem:
    """One thing wrong with a request, located by a JSON Pointer into its body."""

    detail: str
    pointer: str = ""


@dataclass
class DomainError(Exception):
    """Base: a request the domain refuses. `problems` locate each cause."""

    detail: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.detail

    def at(self, prefix: str) -> DomainError:
        """The same error with every pointer moved under `prefix` (a batch item)."""
        moved = [Problem(p.detail, prefix + p.pointer) for p in self.problems]
        return type(self)(self.detail, moved)


class InvalidEvent(DomainError):
    """The event breaks a rule of the catalog or the log (422)."""


class DuplicateId(DomainError):
    """An id was created twice (409)."""


@dataclass
class VersionConflict(DomainError):
    """`expected_version` does not match the aggregate's current version (409)."""

    current_version: int = 0

    def at(self, prefix: str) -> DomainError:
        moved = [Problem(p.detail, prefix + p.pointer) for p in self.problems]
        return VersionConflict(self.detail, moved, self.current_version)


def invalid(detail: str, pointer: str) -> InvalidEvent:
    return InvalidEvent(detail, [Problem(detail, pointer)])
