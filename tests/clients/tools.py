"""Where the client generators live and how the tests run them.

The generators are installed by `make test` (Makefile: `npm ci` in tests/clients/typescript,
and openapi-python-client in its own venv, .venv/openapi-python-client: it wants a typer
older than the one our CLI pins). Nothing here installs or skips: a missing tool fails the
test with the command that installs it, so CI cannot pass without the check having run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
TYPESCRIPT = HERE / "typescript"
NODE_BIN = TYPESCRIPT / "node_modules" / ".bin"
GENERATOR_VENV = Path(
    os.environ.get("REGTL_CLIENT_GENERATOR_VENV", REPO / ".venv" / "openapi-python-client")
)
PYTHON_SCRIPT = HERE / "python_client_script.py"


def node() -> str:
    """node, and the pinned packages (npm ci from the lock file)."""
    found = shutil.which("node")
    if found is None:
        pytest.fail(
            "node is not installed: the TypeScript client check needs Node.js >= 20 "
            "(`make test` installs it with apt-get install -y nodejs npm)"
        )
    for tool in ("openapi-typescript", "tsc"):
        if not (NODE_BIN / tool).exists():
            pytest.fail(
                f"{NODE_BIN / tool} is missing: run `make test`, or "
                f"`cd {TYPESCRIPT.relative_to(REPO)} && npm ci`"
            )
    return found


def generator_python() -> Path:
    """The venv holding openapi-python-client (and the generated client's imports)."""
    python = GENERATOR_VENV / "bin" / "python"
    if not (GENERATOR_VENV / "bin" / "openapi-python-client").exists():
        pytest.fail(
            f"openapi-python-client is not installed in {GENERATOR_VENV}: run "
            "`make test` (or `make clients`), which makes that venv from "
            "tests/clients/generator-requirements.txt"
        )
    return python


def run(
    command: Sequence[str | Path],
    what: str,
    *,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> str:
    """Run a step; on failure, fail the test with the step's own output. Returns stdout."""
    started = time.monotonic()
    try:
        done = subprocess.run(
            [str(c) for c in command],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **(env or {})},
        )
    except subprocess.TimeoutExpired as expired:
        pytest.fail(
            f"{what}: no answer after {timeout} s\n{_tail(expired.stdout)}\n{_tail(expired.stderr)}"
        )
    took = time.monotonic() - started
    print(f"{what}: {took:.1f} s")  # shown with -s or on failure: where the time goes
    if done.returncode != 0:
        pytest.fail(
            f"{what} failed (exit {done.returncode}, {took:.1f} s):\n"
            f"{_tail(done.stdout)}\n{_tail(done.stderr)}",
            pytrace=False,
        )
    return done.stdout


def _tail(text: str | bytes | None, lines: int = 60) -> str:
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    return "\n".join((text or "").splitlines()[-lines:])


def result_line(stdout: str) -> str:
    """The script's last `RESULT {...}` line (what the receiver must have got)."""
    for line in reversed(stdout.splitlines()):
        if line.startswith("RESULT "):
            return line.removeprefix("RESULT ")
    pytest.fail(f"the script printed no RESULT line:\n{_tail(stdout)}")
