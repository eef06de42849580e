"""wrk for the HTTP figures: find it, write its Lua script, run it (with its own CPU), read
its BENCHJSON summary."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Put before every bench script: each wrk thread's seed (init), a random instant, and the
# BENCHJSON line (done).
COMMON_LUA = Path(__file__).with_name("wrk_common.lua")


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


def lua_script(script: Path, **fills: str) -> str:
    """The text wrk runs: wrk_common.lua, then `script` with each @NAME@ replaced by
    fills[NAME] (every placeholder must be filled)."""
    text = script.read_text()
    for name, value in fills.items():
        text = text.replace(f"@{name}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    if left:
        raise ValueError(f"{script.name}: {sorted(set(left))} not filled in")
    return f"{COMMON_LUA.read_text()}\n-- {script.name}\n{text}"


@contextmanager
def script_file(text: str) -> Iterator[str]:
    """`text` in a temporary .lua file for wrk -s, deleted afterwards."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(text)
    try:
        yield script.name
    finally:
        os.unlink(script.name)
