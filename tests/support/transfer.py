"""`regtl load`, `regtl export` and `regtl projections rebuild` as the transfer tests run them
(tests/cli): a log's round trip into another database, and the states compared on both
sides."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.clocks import format_instant
from projections.state_queries import Reading
from services.bootstrap import bootstrap
from services.read.pit import Coordinates
from services.settings import Settings
from tests.support.cli import regtl

States = dict[str, Any]  # "{subject}@{as_of}/{known_at}" -> the subject's state there


def exported_events(settings: Settings, out: Path) -> list[dict[str, Any]]:
    """`regtl export -o out`, read back: the log's events in order."""
    result = regtl(settings, "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text().splitlines()]


def states_at(
    settings: Settings,
    subjects: Sequence[tuple[str, str]],
    as_ofs: Sequence[str],
    known_ats: Sequence[datetime],
) -> States:
    """Each (kind, subject)'s state at every (as_of, known_at), at the head."""
    container = bootstrap(settings)
    try:
        container.catch_up()
        head = container.projected_position()
        found: States = {}
        with Reading(container.engine) as db:
            for kind, subject in subjects:
                for as_of in as_ofs:
                    for known_at in known_ats:
                        at = Coordinates(
                            datetime.fromisoformat(as_of).replace(tzinfo=UTC), known_at, head
                        )
                        key = f"{subject}@{as_of}/{format_instant(known_at)}"
                        found[key] = container.pit.state(db, kind, subject, at)
        return found
    finally:
        container.close()


def round_trip(
    log: list[dict[str, Any]],
    source: Settings,
    target: Settings,
    tmp_path: Path,
    states: Callable[[Settings], States],
) -> States:
    """`log` loaded into `source` and exported (event for event, in order), the export loaded
    into the empty `target`: its export equals, and so do its `states` after the load and
    after a rebuild; loading it again stores nothing. Returns the states compared (the caller
    checks they hold what it tests)."""
    given = tmp_path / "log.json"
    given.write_text(json.dumps(log))
    loaded = regtl(source, "load", str(given))
    assert loaded.exit_code == 0, loaded.output
    written = exported_events(source, tmp_path / "a.ndjson")
    assert [e["type"] for e in written] == [e["type"] for e in log]
    before = states(source)

    assert regtl(target, "load", str(tmp_path / "a.ndjson")).exit_code == 0
    assert exported_events(target, tmp_path / "b.ndjson") == written
    assert states(target) == before

    rebuilt = regtl(target, "projections", "rebuild")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert states(target) == before
    again = regtl(target, "load", str(tmp_path / "a.ndjson"))
    assert f"already stored {len(written)}" in again.output
    return before


def stored_data_by_type(
    settings: Settings, log: list[dict[str, Any]], tmp_path: Path
) -> dict[str, list[dict[str, Any]]]:
    """`log` loaded into `settings`' database, then exported: each type's events' data, in
    log order."""
    given = tmp_path / "log.json"
    given.write_text(json.dumps(log))
    assert regtl(settings, "load", str(given)).exit_code == 0
    by_type: dict[str, list[dict[str, Any]]] = {}
    for event in exported_events(settings, tmp_path / "a.ndjson"):
        by_type.setdefault(event["type"], []).append(event["data"])
    return by_type
