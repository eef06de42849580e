"""The export check (docs/checks.md) over a MemoryLedger's reference fold, and the catalog v2
envelopes its unit tests write."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.export_check import NotRegistered, Question, export_check
from tests.support import builders_v2 as v2
from tests.unit.memory_ledger import EVERYTHING_KNOWN, MemoryLedger


def ask(
    log: MemoryLedger,
    as_of: str,
    chip: str = "h20",
    destination: str = "CN",
    *,
    exporter: str | None = None,
    end_user: str | None = None,
    known_at: datetime = EVERYTHING_KNOWN,
    at_position: int | None = None,
) -> dict[str, Any] | NotRegistered:
    world = log.world(as_of, known_at, at_position)
    return export_check(world, Question(chip, destination, exporter, end_user))


def check(log: MemoryLedger, as_of: str, chip: str = "h20", **kwargs: Any) -> dict[str, Any]:
    answer = ask(log, as_of, chip, **kwargs)
    assert not isinstance(answer, NotRegistered), answer
    return answer


def reason(answer: dict[str, Any], kind: str, id_: str) -> dict[str, Any]:
    found = [r for r in answer["reasons"] if (r["kind"], r["id"]) == (kind, id_)]
    assert len(found) == 1, answer["reasons"]
    return found[0]


def kinds_and_ids(answer: dict[str, Any]) -> list[tuple[str, str]]:
    return [(r["kind"], r["id"]) for r in answer["reasons"]]


def sourced(body: dict[str, Any], *titles: str) -> dict[str, Any]:
    return {**body, "sources": [{"title": title} for title in titles]}


def owns(owner: str, owned: str, percent: str, effective_at: str = "2025-01-01") -> dict[str, Any]:
    return v2.owns(owner, owned, percent, effective_at)


def applied(
    application_id: str = "app-1", effective_at: str = "2025-07-14", **data: Any
) -> dict[str, Any]:
    return v2.applied(application_id, effective_at, **data)


def tariff(
    tariff_id: str = "us-232", effective_at: str = "2025-05-01", **data: Any
) -> dict[str, Any]:
    return v2.tariff(tariff_id, effective_at, **{"authority": "White House", **data})


def announced(
    announcement_id: str = "us-2025-12-08", effective_at: str = "2025-05-01", **data: Any
) -> dict[str, Any]:
    defaults = {"authority": "White House", "companies": []}
    return v2.announced(announcement_id, effective_at, **{**defaults, **data})
