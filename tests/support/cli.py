"""Running `regtl` as a user would: in process through typer, or as a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner, Result

from services.cli.main import app
from services.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
_runner = CliRunner()


def env_of(settings: Settings) -> dict[str, str]:
    return {"REGTL_DATABASE_URL": settings.database_url, "REGTL_DATA_DIR": str(settings.data_dir)}


def regtl(settings: Settings, *args: str) -> Result:
    """In process; an exception escaping a command fails the test (it would be a traceback)."""
    return _runner.invoke(app, list(args), env=env_of(settings), catch_exceptions=False)


def regtl_process(
    env: dict[str, str], *args: str, cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The real entry point in a subprocess (start-up, stderr and exit code as a shell sees)."""
    return subprocess.run(
        [sys.executable, "-m", "services.cli", *args],
        cwd=cwd or ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_error_line(stderr: str, exit_code: int) -> str:
    """The mistake was answered as the CLI promises: exit 1, one `error:` line, no traceback."""
    lines = stderr.splitlines()
    assert exit_code == 1, stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]
