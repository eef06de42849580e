"""Schemathesis over the whole published schema, every phase (examples, coverage, fuzzing,
stateful), against the app on a migrated SQLite database with the demo loaded.

It checks what docs/api.md promises: no 5xx for any input, only documented statuses,
content types, headers and answer schemas. Seeded and derandomized, so a CI failure
reproduces locally; the example budget keeps the run near a minute on two cores.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema

from domain.clocks import utc_now
from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.cli.main import REPO_DEMO
from services.cli.transfer import load, read_items
from services.settings import Settings
from services.storage import migrate

SEED = 20250415
MAX_EXAMPLES = 8
PHASES = ("examples", "coverage", "fuzzing", "stateful")
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)


@pytest.fixture
def demo_container(tmp_path: Path) -> Iterator[Container]:
    # No webhook worker: fuzzed subscription URLs must never be dialled from a test run.
    settings = Settings(database_url=f"sqlite:///{tmp_path}/regtimeline.db", data_dir=tmp_path)
    migrate.upgrade(settings)
    container = bootstrap(settings)
    load(container, read_items(REPO_DEMO))
    container.catch_up()
    container.runner.start()  # the projector, as `regtl serve` runs it: min_position resolves
    try:
        yield container
    finally:
        container.runner.stop()
        container.close()


def _config(token: str) -> SchemathesisConfig:
    return SchemathesisConfig.from_dict(
        {
            "seed": SEED,
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
            "phases": {phase: {"enabled": True} for phase in PHASES},
            "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
        }
    )


def _failures(event: events.ScenarioFinished) -> list[str]:
    found = []
    for case_id, checks in event.recorder.checks.items():
        for check in checks:
            if check.status.name == "SUCCESS":
                continue
            case = event.recorder.cases.get(case_id)
            failure: Any = check.failure_info.failure if check.failure_info else None
            found.append(
                f"{event.phase.name} {event.label} {check.name}: "
                f"{getattr(failure, 'title', '')} {getattr(failure, 'message', '')[:300]}"
                f"\n  {case.value.as_curl_command() if case else ''}"
            )
    return found


def test_the_whole_schema_holds_in_every_phase(demo_container: Container) -> None:
    token = demo_container.keys.create("admin", "schemathesis", utc_now())[1]
    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", create_app(demo_container), config=_config(token)
    )
    failures: list[str] = []
    phases_run: set[str] = set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            phases_run.add(event.phase.name.lower())
            if event.status in (Status.FAILURE, Status.ERROR):
                failures += _failures(event) or [f"{event.phase.name} {event.label}: error"]
        elif isinstance(event, (events.NonFatalError, events.FatalError)):
            failures.append(f"{type(event).__name__}: {getattr(event, 'value', event)}")
    assert not failures, "\n".join(sorted(set(failures)))
    assert {"examples", "coverage", "fuzzing"} <= phases_run, phases_run
