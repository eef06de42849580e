"""wrk for the HTTP figures: find it, run it (with its own CPU), read its BENCHJSON summary."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from typing import Any


def wrk_binary() -> str:
    found = shutil.which("wrk") or ("/usr/bin/wrk" if os.path.exists("/usr/bin/wrk") else None)
    if found is None:
        raise RuntimeError(
            "wrk is not installed: `make bench` installs it (apt-get install -y wrk)"
        )
    return found


def run_wrk(args: list[str]) -> tuple[str, float, float]:
    """Run wrk; return its output and its own user and system CPU seconds (wait4 rusage)."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:
            proc.kill()  # interrupted: do not leave wrk running
            proc.wait()
            raise
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"wrk exited with {proc.returncode}: {text[-800:]}")
    return text, usage.ru_utime, usage.ru_stime


def wrk_summary(text: str) -> dict[str, Any]:
    match = re.search(r"^BENCHJSON (\{.*\})$", text, re.MULTILINE)
    if match is None:
        raise RuntimeError(f"no summary in wrk's output: {text[-800:]}")
    return dict(json.loads(match.group(1)))
