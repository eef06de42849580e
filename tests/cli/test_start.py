"""`regtl` starts small (docs/cli.md) and its help says what the commands do today.

Not timed: the guard is what the CLI module imports. Alembic alone took 0.4 s of every
call, the HTTP stack and the event-sourcing library most of the rest.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support.cli import ROOT, regtl_process

HEAVY = (
    "alembic",
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "eventsourcing",
    "psycopg",
    "pydantic",
    "rich",
    "orjson",
)
COMMANDS = [
    (),
    ("serve",),
    ("worker",),
    ("db",),
    ("db", "upgrade"),
    ("db", "downgrade"),
    ("keys",),
    ("keys", "create"),
    ("keys", "list"),
    ("keys", "revoke"),
    ("load",),
    ("export",),
    ("demo",),
    ("projections",),
    ("projections", "rebuild"),
    ("projections", "status"),
]


def test_importing_the_cli_imports_nothing_heavy() -> None:
    probe = (
        "import sys, services.cli.main\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "regtl")
def test_help_is_current(command: tuple[str, ...]) -> None:
    done = regtl_process({"COLUMNS": "200"}, *command, "--help")
    assert done.returncode == 0, done.stderr
    text = " ".join(done.stdout.split()).lower()
    assert "later version" not in text and "usage:" in text


def test_worker_help_says_it_runs_the_webhooks() -> None:
    done = regtl_process({"COLUMNS": "200"}, "worker", "--help")
    assert "webhook" in done.stdout and "later" not in done.stdout
