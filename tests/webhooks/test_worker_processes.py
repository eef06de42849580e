"""Webhook workers as separate processes (`regtl worker`), as production runs them.

- A worker killed with SIGKILL in the middle of its attempts loses nothing: restarted, it
  sends every event (at least once; those in flight at the kill arrive twice).
- Two workers on one PostgreSQL never send an attempt twice.

These poll the receiver with a deadline: there is no step() to call in another process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from services.bootstrap import Container
from services.webhooks import tables as t
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.hooks import Keys, record, subscribe, verified
from tests.support.receiver import Answer, Received
from tests.support.receivers import QuickReceiver
from tests.webhooks.conftest import SCHEDULE

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
REGTL = Path(sys.executable).with_name("regtl")


class Workers:
    """Starts worker processes on the test's database; kills what is left at the end."""

    def __init__(self, backend: Backend, folder: Path):
        self.folder = folder
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("REGTL_")}
        self.env.update(
            {
                "REGTL_DATABASE_URL": backend.settings.database_url,
                "REGTL_DATA_DIR": str(backend.settings.data_dir),  # the secret key's file
                "REGTL_WEBHOOK_ALLOW_PRIVATE": "true",
                "REGTL_WEBHOOK_RETRY_SCHEDULE": SCHEDULE,
                "REGTL_LOG_LEVEL": "warning",
                "PYTHONPATH": str(ROOT),
            }
        )
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str) -> subprocess.Popen[bytes]:
        command = list(args) or [str(REGTL), "worker"]
        log = open(self.folder / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen(
            command,
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.procs.append(proc)
        return proc

    def stop(self, proc: subprocess.Popen[bytes]) -> None:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}"
            for p in sorted(self.folder.glob("worker-*.log"))
        )


@pytest.fixture
def workers(backend: Backend, tmp_path: Path) -> Iterator[Workers]:
    folder = tmp_path / "workers"
    folder.mkdir()
    w = Workers(backend, folder)
    try:
        yield w
    finally:
        for proc in w.procs:
            w.stop(proc)


@pytest.fixture
def plain_receiver() -> Iterator[QuickReceiver]:
    """Verified against the real time: the workers use the real clock."""
    with QuickReceiver() as r:
        yield r


def test_a_worker_killed_mid_delivery_loses_nothing(
    api: TestClient, hooks: Container, keys: Keys, plain_receiver: QuickReceiver, workers: Workers
) -> None:
    receiver = plain_receiver
    sub = subscribe(api, keys, receiver.url)
    receiver.default = Answer(delay=3.0)  # each answer takes 3 s: the kill lands mid-attempt
    before = record(api, keys, *[b.company(f"c-{n}") for n in range(20)])
    first = workers.start()
    receiver.wait_until(lambda r: len(r.snapshot()) >= 1, 30, "the first attempt")
    first.send_signal(signal.SIGKILL)
    killed_at = time.time()
    assert first.wait(timeout=10) == -signal.SIGKILL

    after = record(api, keys, *[b.company(f"d-{n}") for n in range(5)])  # while it is down
    receiver.default = Answer(204)
    # restarted a minute later (its clock ahead): the dead worker's leases have expired
    workers.start(sys.executable, "-m", "tests.support.shifted_worker", "61")
    expected = {f"msg_{e['id']}" for e in before + after}

    def by_restarted(r: QuickReceiver) -> list[Received]:  # told apart by webhook-timestamp
        return [x for x in r.snapshot() if int(x.headers["webhook-timestamp"]) > killed_at + 30]

    try:
        receiver.wait_until(
            lambda r: {x.headers["webhook-id"] for x in by_restarted(r)} >= expected,
            40,
            "every event",
        )
    except AssertionError as error:
        raise AssertionError(f"{error}\n{workers.logs()}") from None
    # the dead worker may have been cut mid-request: those bodies arrived short
    whole = [x for x in receiver.snapshot() if len(x.body) == int(x.headers["content-length"])]
    assert {id(x) for x in by_restarted(receiver)} <= {id(x) for x in whole}
    assert set(verified(sub["secret"], whole)) == expected
    resent = Counter(x.headers["webhook-id"] for x in by_restarted(receiver))
    assert resent == dict.fromkeys(expected, 1)  # the restarted worker: each exactly once
    # the receiver had some from the dead worker, which never recorded an answer: they
    # were sent again (at least once)
    by_dead = [x for x in receiver.snapshot() if x not in by_restarted(receiver)]
    assert by_dead and {x.headers["webhook-id"] for x in by_dead} <= set(resent)

    def states(_: object) -> dict[str, int]:
        d = t.delivery
        with hooks.engine.connect() as conn:
            return dict(conn.execute(select(d.c.status, func.count()).group_by(d.c.status)).all())

    receiver.wait_until(lambda _: states(_) == {"delivered": 25}, 20, "every delivery recorded")


def _attempts(container: Container) -> int:
    with container.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(t.attempt)).scalar_one())


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_two_workers_never_send_an_attempt_twice(
    api: TestClient, hooks: Container, keys: Keys, plain_receiver: QuickReceiver, workers: Workers
) -> None:
    receiver = plain_receiver
    sub = subscribe(api, keys, receiver.url)
    receiver.default = Answer(204, delay=0.01)
    count = 400
    response = api.post(
        "/v1/events/batch",
        headers=keys["write"],
        json={"events": [b.company(f"c-{n}") for n in range(count)]},
    )
    assert response.status_code == 201, response.text
    expected = {f"msg_{item['id']}" for item in response.json()["items"]}
    one, two = workers.start(), workers.start()
    try:
        receiver.wait_until(lambda r: expected <= set(r.ids()), 60, "every event")
    except AssertionError as error:
        raise AssertionError(f"{error}\n{workers.logs()}") from None
    receiver.wait_until(lambda _: _attempts(hooks) >= count, 20, "every attempt recorded")
    workers.stop(one)
    workers.stop(two)
    recorded = _attempts(hooks)
    counts = receiver.ids()
    assert set(counts) == expected
    twice = {m: n for m, n in counts.items() if n != 1}
    assert twice == {}, f"{len(twice)} sent more than once, e.g. {list(twice.items())[:3]}"
    assert recorded == count
    assert len(verified(sub["secret"], receiver.snapshot())) == count


def test_concurrent_claims_never_overlap(api: TestClient, hooks: Container, keys: Keys) -> None:
    """The claim itself, hammered: eight claimers at once (a worker's claim is one
    transaction; these are what two worker processes run against each other)."""
    subscribe(api, keys, "http://127.0.0.1:9/never-sent")
    count = 600
    response = api.post(
        "/v1/events/batch",
        headers=keys["write"],
        json={"events": [b.company(f"c-{n}") for n in range(count)]},
    )
    assert response.status_code == 201, response.text
    hooks.catch_up()
    hooks.webhooks.fanout.catch_up()  # deliveries created; nothing sent
    worker = hooks.webhooks.worker
    worker.batch = 25
    start = threading.Barrier(8)
    claimed: list[list[int]] = [[] for _ in range(8)]

    def claimer(mine: list[int]) -> None:
        start.wait()
        while batch := worker.claim():
            mine.extend(c.delivery_id for c in batch)

    threads = [threading.Thread(target=claimer, args=(mine,)) for mine in claimed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    every = [d for mine in claimed for d in mine]
    assert len(every) == len(set(every)) == count
    assert sum(1 for mine in claimed if mine) >= 2  # they did run side by side
