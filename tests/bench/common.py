"""Shared plumbing for `make bench`: scale, machine facts, throwaway databases, output lines.

Every figure runs on its own fresh, migrated PostgreSQL database (a copy of one migrated
template, service role without ownership, as in production) and everything is dropped at the
end, failure or not.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tests.support import postgres
from tests.support.postgres import PostgresFarm, _admin


def scale() -> float:
    raw = os.environ.get("BENCH_SCALE", "1")
    try:
        value = float(raw)
    except ValueError:
        raise SystemExit(f"BENCH_SCALE must be a number, not {raw!r}") from None
    if value <= 0:
        raise SystemExit("BENCH_SCALE must be > 0")
    return value


def scaled(n: float, minimum: int) -> int:
    return max(minimum, round(n * scale()))


def emit(
    figure: str, value: float | None, unit: str, baseline: float | None, **extra: Any
) -> dict[str, Any]:
    """Print one result line; ratio is computed here, never supplied."""
    ratio = None
    if value is not None and baseline:
        ratio = round(value / baseline, 2)
    line: dict[str, Any] = {
        "figure": figure,
        "value": None if value is None else round(value, 1),
        "unit": unit,
        "baseline": None if baseline is None else round(baseline, 1),
        "ratio": ratio,
    }
    line.update(extra)
    # other work on this machine skews figures: say how busy it was (1-minute load average)
    line["loadavg_1m"] = round(os.getloadavg()[0], 2)
    print(json.dumps(line), flush=True)
    return line


class Reported(RuntimeError):
    """A figure failed after printing its own line (with an `error` key): don't print again."""


def note(message: str) -> None:
    """Progress on stderr: stdout carries only the JSON lines."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> float | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def server_version() -> str:
    with _admin() as conn:
        row = conn.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else "unknown"


def machine_line(sizes: dict[str, Any]) -> None:
    from importlib.metadata import version

    info = {
        "machine": {
            "cores": os.cpu_count(),
            "ram_gb": _ram_gb(),
            "cpu_model": _cpu_model(),
            "python": platform.python_version(),
            "kernel": platform.release(),
            "loadavg_1m_at_start": round(os.getloadavg()[0], 2),
        },
        "backend": f"postgresql {server_version()} ({postgres.admin_url().rsplit('@', 1)[-1]})",
        "eventsourcing": version("eventsourcing"),
        "bench_scale": scale(),
        "sizes": sizes,
    }
    print(json.dumps(info), flush=True)


# -- throwaway databases -----------------------------------------------------------------


class BenchFarm(PostgresFarm):
    """PostgresFarm with bench-named databases (`regtl_bench_<farm tag>_*`).

    `close()` drops every database carrying this farm's tag, found in `pg_database`, not only
    those it remembers: a database created just as a signal arrived is dropped too.
    """

    def __init__(self) -> None:
        super().__init__()
        self.tag = self.role.rsplit("_", 1)[-1]
        self.role = f"regtl_bench_app_{self.tag}"
        self.template = f"regtl_bench_{self.tag}_tpl"

    def create(self) -> str:
        self._ensure_template()
        name = f"regtl_bench_{self.tag}_{uuid.uuid4().hex[:8]}"
        self.databases.append(name)
        with _admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def close(self) -> None:
        with _admin() as conn:
            rows = conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE %s",
                (f"regtl_bench_{self.tag}_%",),
            ).fetchall()
        for name in {*self.databases, *(str(r[0]) for r in rows)} - {self.template}:
            try:
                self.drop(name)
            except Exception as error:  # noqa: BLE001 - keep dropping the rest, then say so
                note(f"could not drop database {name}: {error}")
        super().close()  # the template and the role


@dataclass
class FreshDb:
    name: str
    service_url: str
    owner_url: str


@contextmanager
def fresh_database(farm: BenchFarm) -> Iterator[FreshDb]:
    name = farm.create()
    try:
        yield FreshDb(name, farm.service_url(name), farm.owner_url(name))
    finally:
        farm.drop(name)


def count_events(db: FreshDb) -> int:
    """Rows in the log (ground truth for 'stored'), read as the owner."""
    import psycopg

    from services.storage.store import POSTGRES_EVENTS_TABLE

    with psycopg.connect(db.owner_url) as conn:
        row = conn.execute(f"SELECT count(*) FROM public.{POSTGRES_EVENTS_TABLE}").fetchone()
        return int(row[0]) if row else 0


# -- processes and CPU ---------------------------------------------------------------------

CLK_TCK = os.sysconf("SC_CLK_TCK")


def proc_cpu_seconds(pid: int) -> float:
    """user+sys CPU seconds of a live process (all its threads), from /proc."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is state (field 3); utime is field 14, stime field 15 → indexes 11, 12
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def postgres_cpu_seconds() -> dict[int, float]:
    """user+sys CPU of every process named `postgres` (server and backends), by pid."""
    out: dict[int, float] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/comm") as f:
                if f.read().strip() != "postgres":
                    continue
            out[int(entry)] = proc_cpu_seconds(int(entry))
        except (OSError, IndexError, ValueError):
            continue
    return out


def postgres_cpu_delta(before: dict[int, float]) -> float | None:
    """CPU the local PostgreSQL used since `before` (backends that exited are missed)."""
    if not before:
        return None  # not local, or not visible
    after = postgres_cpu_seconds()
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Stopwatch:
    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    @property
    def cpu(self) -> float:
        return time.process_time() - self.cpu_start
