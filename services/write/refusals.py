"""Why a write was refused, as one problem kind each: the one mapping the API and the
idempotency records share (a remembered refusal must replay exactly as first answered)."""

from __future__ import annotations

from typing import Any

from domain.errors import DomainError, DuplicateId, InvalidEvent, Problem, VersionConflict


class BatchRefused(DomainError):
    """Some items of a batch were refused; `problems` point at each (status by worst kind)."""

    def __init__(self, detail: str, problems: list[Problem], errors: list[DomainError]):
        super().__init__(detail, problems)
        self.errors = errors


class IdempotencyKeyReused(DomainError):
    """The Idempotency-Key was used for another request body (422)."""


class StoredRefusal(DomainError):
    """A refusal read back from an idempotency record: its kind and extras as first sent."""

    def __init__(self, detail: str, problems: list[Problem], kind: str, extra: dict[str, Any]):
        super().__init__(detail, problems)
        self.kind, self.extra = kind, extra


def problem_kind(error: DomainError) -> str:
    if isinstance(error, StoredRefusal):
        return error.kind
    if isinstance(error, BatchRefused):
        invalid = any(isinstance(e, InvalidEvent) for e in error.errors)
        return "validation-error" if invalid else "batch-conflict"
    if isinstance(error, VersionConflict):
        return "version-conflict"
    if isinstance(error, DuplicateId):
        return "duplicate-id"
    if isinstance(error, IdempotencyKeyReused):
        return "idempotency-key-reused"
    return "invalid-event"


def problem_extra(error: DomainError) -> dict[str, Any]:
    if isinstance(error, StoredRefusal):
        return error.extra
    if isinstance(error, VersionConflict):
        return {"current_version": error.current_version}
    return {}


def to_record(error: DomainError) -> dict[str, Any]:
    return {
        "kind": problem_kind(error),
        "detail": error.detail,
        "extra": problem_extra(error),
        "problems": [[p.detail, p.pointer] for p in error.problems],
    }


def from_record(record: dict[str, Any]) -> StoredRefusal:
    problems = [Problem(detail, pointer) for detail, pointer in record["problems"]]
    return StoredRefusal(record["detail"], problems, record["kind"], record["extra"])
