"""What both webhook figures set up: the stack's settings, one subscription to the
receiver, the events to send, delivery counts, and `regtl worker` as a subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Self

import psycopg

from domain.clocks import to_micros
from projections.database import write_transaction
from services.bootstrap import Container
from services.settings import Settings
from services.webhooks import subscriptions as subs
from services.write.parsing import parse_envelope
from services.write.writer import Item
from tests.bench.common import FreshDb, proc_cpu_seconds
from tests.bench.server import REGTL
from tests.support.builders import company


def bench_settings(db: FreshDb, key: str, data_dir: Path) -> Settings:
    return Settings(
        database_url=db.service_url,
        webhook_allow_private=True,
        secret_key=key,
        data_dir=data_dir,
        log_level="warning",
    )


def subscribe(container: Container, url: str) -> str:
    new = subs.NewSubscription(url, [], [], [], "bench receiver")
    # A live owner key: a subscription whose owner is unknown, revoked or expired is held
    # (docs/webhooks.md, "Subscriptions"), and would deliver nothing.
    owner, _ = container.keys.create("subscribe", "bench", container.clock())
    with write_transaction(container.engine) as conn:
        created = subs.create(
            conn,
            container.webhooks.box,
            owner.id,
            new,
            container.log.head(),
            to_micros(container.clock()),
        )
    return str(created["id"])


def delivery_counts(db: FreshDb) -> dict[str, int]:
    with psycopg.connect(db.owner_url) as conn:
        rows = conn.execute(
            "SELECT status, count(*) FROM webhook_delivery GROUP BY status"
        ).fetchall()
    return {str(s): int(n) for s, n in rows}


def company_items(tag: str, start: int, count: int) -> list[Item]:
    return [Item(parse_envelope(company(f"wh-{tag}-{i}"))) for i in range(start, start + count)]


class Worker:
    """`regtl worker` as a subprocess (its own session), stopped on exit."""

    def __init__(self, db: FreshDb, key: str, data_dir: Path):
        self.env = {
            **os.environ,
            "REGTL_DATABASE_URL": db.service_url,
            "REGTL_SECRET_KEY": key,
            "REGTL_WEBHOOK_ALLOW_PRIVATE": "true",
            "REGTL_DATA_DIR": str(data_dir),
            "REGTL_LOG_LEVEL": "warning",
        }
        self.env.pop("REGTL_MIGRATION_DATABASE_URL", None)
        self.log_path = data_dir / "worker.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(
            [str(REGTL), "worker"],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if b"worker running" in self.log_path.read_bytes():
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        self.__exit__(None, None, None)
        raise RuntimeError(f"regtl worker did not start: {self.tail()}")

    def tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-1500:]
        except OSError:
            return ""

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        return proc_cpu_seconds(self.proc.pid)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.proc = None
        self._log.close()
