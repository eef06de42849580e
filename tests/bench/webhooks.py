"""SPEC §9 webhook figures: delivery throughput and idle event → delivered latency.

- `webhook_deliveries_per_s`: N CompanyRegistered events (BENCH_SCALE x 5,000) are stored,
  projected and fanned out (no worker running) to one subscription created through the
  container, giving N signed deliveries; they are parked in the future, a `regtl worker`
  subprocess is started (the production worker: projector + fan-out + scheduler + delivery
  worker), and once it idles every delivery is made due at once (one UPDATE). The figure is
  N / (due → every row `delivered` in webhook_delivery, polled every 20 ms). Sender CPU is the
  worker process's CPU over that window. Baseline: a raw `http.client` POST loop to the same
  receiver from 16 threads with one new connection per POST (the worker's transport, without
  the database, the signing or the leases); the keep-alive rate of the same loop is reported
  beside it as what connection reuse could reach.
- `webhook_latency_p99_ms`: one process runs the full in-process stack
  (`container.start(worker=True)`: writer, projector runner, fan-out, delivery worker,
  scheduler) and appends one event at a time through `container.writer.append`, spaced at
  random so that the stack is idle between events; latency = the receiver's arrival time −
  the append call's return (CLOCK_MONOTONIC in both processes).

The receiver is a separate process: a tiny epoll HTTP/1.1 server in C compiled here with the
system C compiler (it answers 204 to every request and can log `arrival_ns webhook-id`); an
asyncio (uvloop if installed) server with the same behaviour stands in when no compiler is
found. Its CPU is reported so that it can be seen not to be the bottleneck.
"""

from __future__ import annotations

import http.client
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import psycopg
from cryptography.fernet import Fernet
from sqlalchemy import text

from domain.clocks import to_micros, utc_now
from projections.database import write_transaction
from services.bootstrap import Container, bootstrap
from services.parsing import parse_envelope
from services.settings import Settings
from services.webhooks import subscriptions as subs
from services.webhooks.messages import message_id
from services.webhooks.signing import new_secret, signature_header
from services.writer import Item
from tests.bench.common import (
    BenchFarm,
    FreshDb,
    Reported,
    emit,
    fresh_database,
    note,
    postgres_cpu_delta,
    postgres_cpu_seconds,
    proc_cpu_seconds,
    scaled,
)
from tests.bench.server import REGTL
from tests.support.builders import company

FIGURES = ("webhook_deliveries_per_s", "webhook_latency_p99_ms")
THREADS_BASELINE = 16  # the worker's default webhook_threads
POLL_SECONDS = 0.02
TARGET_RATE, STRETCH_RATE, TARGET_P99_MS = 300.0, 500.0, 1000.0


def sizes() -> dict[str, Any]:
    return {
        "webhook_deliveries": scaled(5000, 500),
        "webhook_latency_events": scaled(200, 60),
        "webhook_latency_gap_s": [0.1, 0.4],
    }


# -- the receiver --------------------------------------------------------------------------

RECEIVER_C = r"""
/* A minimal HTTP/1.1 receiver: epoll, one thread, answers 204 to every request (keep-alive
   honoured). argv[1] = "log": write "<CLOCK_MONOTONIC ns> <webhook-id>\n" per request, flushed.
   Prints its port on the first line of stdout; on SIGTERM prints "#stats requests=N
   unsigned=M" (requests without a v1 webhook-signature) and exits. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXFD 65536
#define BUF 65536
static char *bufs[MAXFD];
static int lens[MAXFD];
static volatile sig_atomic_t stopping = 0;
static void on_term(int s) { (void)s; stopping = 1; }
static const char OK[] = "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n";
static const char BIG[] = "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";

static void drop(int ep, int fd) {
    epoll_ctl(ep, EPOLL_CTL_DEL, fd, NULL);
    close(fd);
    lens[fd] = 0;
}

int main(int argc, char **argv) {
    int logging = argc > 1 && strcmp(argv[1], "log") == 0;
    long requests = 0, unsigned_ = 0;
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGPIPE, SIG_IGN);
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {0};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(ls, (struct sockaddr *)&a, sizeof a) || listen(ls, 4096)) { perror("bind/listen"); return 1; }
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    printf("%d\n", ntohs(a.sin_port));
    fflush(stdout);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.fd = ls}, evs[256];
    epoll_ctl(ep, EPOLL_CTL_ADD, ls, &ev);
    while (!stopping) {
        int n = epoll_wait(ep, evs, 256, 100);
        for (int i = 0; i < n; i++) {
            int fd = evs[i].data.fd;
            if (fd == ls) {
                int c;
                while ((c = accept4(ls, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    if (c >= MAXFD) { close(c); continue; }
                    setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    if (!bufs[c]) bufs[c] = malloc(BUF + 1);
                    lens[c] = 0;
                    struct epoll_event ce = {.events = EPOLLIN, .data.fd = c};
                    epoll_ctl(ep, EPOLL_CTL_ADD, c, &ce);
                }
                continue;
            }
            char *b = bufs[fd];
            for (;;) {
                ssize_t r = read(fd, b + lens[fd], BUF - lens[fd]);
                if (r > 0) { lens[fd] += r; if (lens[fd] < BUF) continue; }
                else if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) { }
                else { drop(ep, fd); goto next; }
                break;
            }
            for (;;) {  /* every complete request in the buffer */
                b[lens[fd]] = 0;
                char *end = memmem(b, lens[fd], "\r\n\r\n", 4);
                if (!end) {
                    if (lens[fd] >= BUF) { send(fd, BIG, sizeof BIG - 1, MSG_NOSIGNAL); drop(ep, fd); }
                    break;
                }
                *end = 0;
                long clen = 0;
                char *h = strcasestr(b, "\r\ncontent-length:");
                if (h) clen = strtol(h + 17, NULL, 10);
                long total = (end - b) + 4 + clen;
                if (total > BUF) { send(fd, BIG, sizeof BIG - 1, MSG_NOSIGNAL); drop(ep, fd); break; }
                if (lens[fd] < total) { *end = '\r'; break; }
                requests++;
                if (!strcasestr(b, "\r\nwebhook-signature: v1,")) unsigned_++;
                if (logging) {
                    struct timespec ts;
                    clock_gettime(CLOCK_MONOTONIC, &ts);
                    char id[200] = "-";
                    char *w = strcasestr(b, "\r\nwebhook-id:");
                    if (w) { w += 13; while (*w == ' ') w++; size_t k = strcspn(w, "\r\n");
                             if (k > 199) k = 199; memcpy(id, w, k); id[k] = 0; }
                    printf("%lld %s\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec, id);
                    fflush(stdout);
                }
                send(fd, OK, sizeof OK - 1, MSG_NOSIGNAL);
                memmove(b, b + total, lens[fd] - total);
                lens[fd] -= total;
            }
        next:;
        }
    }
    printf("#stats requests=%ld unsigned=%ld\n", requests, unsigned_);
    fflush(stdout);
    return 0;
}
"""

RECEIVER_PY = r"""
import asyncio, signal, sys, time
try:
    import uvloop
    uvloop.install()
except ImportError:
    pass
logging = len(sys.argv) > 1 and sys.argv[1] == "log"
stats = {"requests": 0, "unsigned": 0}
OK = b"HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"

class Receiver(asyncio.Protocol):
    def connection_made(self, transport):
        self.t, self.buf = transport, b""
    def data_received(self, data):
        self.buf += data
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("latin-1").lower()
            clen = 0
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name == "content-length":
                    clen = int(value)
            total = end + 4 + clen
            if len(self.buf) < total:
                return
            stats["requests"] += 1
            if "\r\nwebhook-signature: v1," not in head:
                stats["unsigned"] += 1
            if logging:
                wid = "-"
                for line in self.buf[:end].decode("latin-1").split("\r\n")[1:]:
                    name, _, value = line.partition(":")
                    if name.lower() == "webhook-id":
                        wid = value.strip()
                sys.stdout.write(f"{time.monotonic_ns()} {wid}\n")
                sys.stdout.flush()
            self.t.write(OK)
            self.buf = self.buf[total:]

async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(Receiver, "127.0.0.1", 0, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    done = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, done.set)
    loop.add_signal_handler(signal.SIGINT, done.set)
    await done.wait()
    print(f"#stats requests={stats['requests']} unsigned={stats['unsigned']}", flush=True)

asyncio.run(main())
"""


class Receiver:
    """The receiver process: `port`, `cpu_seconds()`, and on stop its log and stats."""

    def __init__(self, workdir: Path, *, log: bool = False):
        self.workdir, self.log = workdir, log
        self.proc: subprocess.Popen[bytes] | None = None
        self.out_path = workdir / f"receiver-{uuid.uuid4().hex[:6]}.out"
        self.kind = ""
        self.port = 0
        self.lines: list[str] = []
        self.stats: dict[str, int] = {}

    @staticmethod
    def _binary(workdir: Path) -> Path | None:
        compiler = shutil.which("cc") or shutil.which("gcc")
        if compiler is None:
            return None
        exe = workdir / "receiver"
        if exe.exists():
            return exe
        source = workdir / "receiver.c"
        source.write_text(RECEIVER_C)
        done = subprocess.run([compiler, "-O2", "-o", str(exe), str(source)], capture_output=True,
                              text=True, check=False, timeout=60)
        if done.returncode != 0:
            note(f"webhooks: cannot compile the C receiver ({done.stderr.strip()[-300:]}); "
                 "using the asyncio one")
            return None
        return exe

    def __enter__(self) -> Self:
        exe = self._binary(self.workdir)
        mode = ["log"] if self.log else []
        if exe is not None:
            args, self.kind = [str(exe), *mode], "C epoll HTTP/1.1 server (1 thread), 204"
        else:
            args = [sys.executable, "-c", RECEIVER_PY, *mode]
            self.kind = "python asyncio (uvloop if installed) HTTP/1.1 server, 204"
        self._out = open(self.out_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(args, stdout=self._out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            first = self.out_path.read_bytes().split(b"\n", 1)
            if len(first) == 2 and first[0].strip().isdigit():
                self.port = int(first[0])
                return self
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        raise RuntimeError(f"the receiver did not start: {self.out_path.read_bytes()[-300:]!r}")

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        return proc_cpu_seconds(self.proc.pid)

    def stop(self) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None
        self._out.close()
        lines = self.out_path.read_text(errors="replace").splitlines()[1:]
        self.out_path.unlink(missing_ok=True)
        for line in lines:
            if line.startswith("#stats"):
                self.stats = {k: int(v) for k, v in (p.split("=") for p in line.split()[1:])}
            else:
                self.lines.append(line)

    def arrivals(self) -> dict[str, int]:
        """webhook-id → first arrival (CLOCK_MONOTONIC ns), from the log mode."""
        seen: dict[str, int] = {}
        for line in self.lines:
            at, _, wid = line.partition(" ")
            seen.setdefault(wid, int(at))
        return seen


# -- helpers -------------------------------------------------------------------------------

def _settings(db: FreshDb, key: str, data_dir: Path) -> Settings:
    return Settings(database_url=db.service_url, webhook_allow_private=True, secret_key=key,
                    data_dir=data_dir, log_level="warning")


def _subscribe(container: Container, url: str) -> str:
    new = subs.NewSubscription(url, [], [], [], "bench receiver")
    with write_transaction(container.engine) as conn:
        created = subs.create(conn, container.webhooks.box, "bench", new, container.log.head(),
                              to_micros(container.clock()))
    return str(created["id"])


def _counts(db: FreshDb) -> dict[str, int]:
    with psycopg.connect(db.owner_url) as conn:
        rows = conn.execute("SELECT status, count(*) FROM webhook_delivery GROUP BY status").fetchall()
    return {str(s): int(n) for s, n in rows}


def _pct(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


class Worker:
    """`regtl worker` as a subprocess (its own session), stopped on exit."""

    def __init__(self, db: FreshDb, key: str, data_dir: Path):
        self.env = {**os.environ, "REGTL_DATABASE_URL": db.service_url, "REGTL_SECRET_KEY": key,
                    "REGTL_WEBHOOK_ALLOW_PRIVATE": "true", "REGTL_DATA_DIR": str(data_dir),
                    "REGTL_LOG_LEVEL": "warning"}
        self.env.pop("REGTL_MIGRATION_DATABASE_URL", None)
        self.log_path = data_dir / "worker.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Self:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen([str(REGTL), "worker"], env=self.env, stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
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

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.proc = None
        self._log.close()


def raw_post_loop(url: str, body: bytes, n: int, *, keepalive: bool,
                  threads: int = THREADS_BASELINE) -> dict[str, Any]:
    """16 threads POSTing `body` with stdlib http.client, as the worker does but nothing else:
    one new connection per POST (the worker's pattern) or one kept-alive connection per thread.
    Signed per request like the worker (HMAC, a fresh timestamp)."""
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    secret = new_secret()
    counter = iter(range(n))
    lock = threading.Lock()
    failures: list[str] = []

    def work() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            msg = f"msg_baseline_{i}"
            stamp = int(time.time())
            headers = {"webhook-id": msg, "webhook-timestamp": str(stamp),
                       "webhook-signature": signature_header([secret], msg, stamp, body),
                       "Content-Type": "application/json", "Content-Length": str(len(body))}
            try:
                conn.request("POST", "/hook", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                if response.status != 204:
                    failures.append(str(response.status))
            except (OSError, http.client.HTTPException) as error:
                failures.append(repr(error))
                conn.close()
            if not keepalive:
                conn.close()
        conn.close()

    pool = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    cpu0, t0 = time.process_time(), time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    return {"rate": n / seconds, "seconds": seconds, "cpu_s": cpu, "failures": len(failures)}


def _items(tag: str, start: int, count: int) -> list[Item]:
    return [Item(parse_envelope(company(f"wh-{tag}-{i}"))) for i in range(start, start + count)]


# -- 1. throughput -------------------------------------------------------------------------

def webhook_deliveries_per_s(farm: BenchFarm, n: int) -> dict[str, Any]:
    key = Fernet.generate_key().decode()
    tag = uuid.uuid4().hex[:6]
    with tempfile.TemporaryDirectory(prefix="regtl-bench-wh-") as tmp, \
            fresh_database(farm) as db, Receiver(Path(tmp)) as receiver:
        work = Path(tmp)
        container = bootstrap(_settings(db, key, work))
        try:
            sub_id = _subscribe(container, receiver.url)
            t0 = time.perf_counter()
            for start in range(0, n, 500):  # the writer not started: written in this thread
                container.writer.append(_items(tag, start, min(500, n - start)), "bench", batch=True)
            appended_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            container.catch_up()
            projected_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            container.webhooks.fanout.catch_up()
            fanout_s = time.perf_counter() - t0
            with container.engine.connect() as conn:
                body_bytes = conn.execute(text(
                    "SELECT avg(length(body)) FROM webhook_message")).scalar()
                sample = bytes(conn.execute(text(
                    "SELECT body FROM webhook_message ORDER BY id LIMIT 1")).scalar_one())
        finally:
            container.close()
        counts = _counts(db)
        if counts.get("pending", 0) != n:
            raise RuntimeError(f"fan-out made {counts}, expected {n} pending deliveries")
        # parked: due in a day, until the worker is up and idle
        with psycopg.connect(db.owner_url) as conn:
            conn.execute("UPDATE webhook_delivery SET next_attempt_us = next_attempt_us + %s",
                         (86_400_000_000,))
        with Worker(db, key, work) as worker:
            time.sleep(1.0)  # its first rounds (projector, fan-out: nothing to do) are over
            pg0, sender0, recv0 = postgres_cpu_seconds(), worker.cpu_seconds(), receiver.cpu_seconds()
            with psycopg.connect(db.owner_url, autocommit=True) as conn:
                t0 = time.perf_counter()
                conn.execute("UPDATE webhook_delivery SET next_attempt_us = %s",
                             (to_micros(utc_now()),))
                limit = max(60.0, n / 20)
                delivered = 0
                first_seen: float | None = None
                while True:
                    row = conn.execute("SELECT count(*) FILTER (WHERE status = 'delivered'), "
                                       "count(*) FILTER (WHERE status NOT IN ('pending', 'delivered'))"
                                       " FROM webhook_delivery").fetchone()
                    assert row is not None
                    delivered, other = int(row[0]), int(row[1])
                    now = time.perf_counter()
                    if delivered and first_seen is None:
                        first_seen = now - t0
                    if delivered + other >= n or now - t0 > limit:
                        break
                    time.sleep(POLL_SECONDS)
                seconds = time.perf_counter() - t0
                sender_cpu = worker.cpu_seconds() - sender0
                receiver_cpu = receiver.cpu_seconds() - recv0
                pg_cpu = postgres_cpu_delta(pg0)
                db_cpu = _backend_cpu(conn, db.name, pg0)
            worker_log = worker.tail()
        with psycopg.connect(db.owner_url) as conn:
            attempts = conn.execute(
                "SELECT count(*), count(*) FILTER (WHERE status_code BETWEEN 200 AND 299), "
                "min(attempted_at_us), max(attempted_at_us) FROM webhook_attempt").fetchone()
        assert attempts is not None
        # reference: the same receiver, the raw http.client loop (16 threads)
        fresh = raw_post_loop(receiver.url, sample, n, keepalive=False)
        kept = raw_post_loop(receiver.url, sample, n, keepalive=True)
        receiver.stop()
    rate = delivered / seconds
    extra: dict[str, Any] = {}
    if delivered != n:
        extra["error"] = (f"only {delivered} of {n} delivered in {seconds:.1f} s "
                          f"(other statuses: {other}); worker log: {worker_log[-500:]}")
    line = emit(
        "webhook_deliveries_per_s", rate if delivered == n else None, "deliveries/s", fresh["rate"],
        n=n, delivered=delivered, seconds=round(seconds, 3),
        first_delivered_after_s=_r(first_seen, 3),
        rate_after_first_delivery=(None if first_seen is None or seconds <= first_seen
                                   else round(delivered / (seconds - first_seen), 1)),
        poll_s=POLL_SECONDS,
        attempts=int(attempts[0]), attempts_2xx=int(attempts[1]),
        sender="`regtl worker` subprocess (projector + fan-out + scheduler + delivery worker, "
               "webhook_threads=16, batch 100)",
        sender_cpu_s=round(sender_cpu, 2),
        sender_cpu_ms_per_delivery=round(1000 * sender_cpu / max(delivered, 1), 3),
        sender_cpu_utilisation=round(sender_cpu / seconds, 2),
        receiver=receiver.kind, receiver_cpu_s=round(receiver_cpu, 2),
        receiver_requests_from_worker=(None if "requests" not in receiver.stats
                                       else receiver.stats["requests"] - 2 * n),
        receiver_unsigned=receiver.stats.get("unsigned"),
        db_cpu_s=None if db_cpu is None else round(db_cpu, 2),
        db_cpu_is="this database's backends (the worker's connections), not the poller",
        all_postgres_cpu_s=None if pg_cpu is None else round(pg_cpu, 2),
        body_bytes=None if body_bytes is None else round(float(body_bytes)),
        prepare={"append_s": round(appended_s, 2), "project_s": round(projected_s, 2),
                 "fanout_s": round(fanout_s, 2),
                 "fanout_per_s": round(n / fanout_s, 1) if fanout_s else None},
        baseline_is="raw http.client POST loop, 16 threads, new connection per POST, signed, "
                    "same receiver and body (bench process)",
        baseline_cpu_ms_per_post=round(1000 * fresh["cpu_s"] / n, 3),
        keepalive_loop_per_s=round(kept["rate"], 1),
        keepalive_loop_cpu_ms_per_post=round(1000 * kept["cpu_s"] / n, 3),
        baseline_failures=fresh["failures"] + kept["failures"],
        target=TARGET_RATE, stretch=STRETCH_RATE, subscription=sub_id,
        **extra,
    )
    if delivered != n:
        raise Reported(line["error"])
    return line


# -- 2. idle latency -----------------------------------------------------------------------

def webhook_latency_p99_ms(farm: BenchFarm, events: int, gap: tuple[float, float]) -> dict[str, Any]:
    key = Fernet.generate_key().decode()
    tag = uuid.uuid4().hex[:6]
    rng = random.Random(20250811)
    with tempfile.TemporaryDirectory(prefix="regtl-bench-wh-") as tmp, \
            fresh_database(farm) as db, Receiver(Path(tmp), log=True) as receiver:
        container = bootstrap(_settings(db, key, Path(tmp)))
        appended: dict[str, tuple[int, int]] = {}  # msg id → (monotonic ns, wall µs) at return
        try:
            _subscribe(container, receiver.url)
            container.start(worker=True)
            for i in range(3):  # warm-up: connections, first rounds
                container.writer.append(_items(tag + "w", i, 1), "bench")
            _wait_delivered(db, 3, 15)
            for i in range(events):
                time.sleep(rng.uniform(*gap))
                result = container.writer.append(_items(tag, i, 1), "bench")
                done_ns, done_us = time.monotonic_ns(), to_micros(utc_now())
                event = result.items[0].event
                appended[message_id(event.event_id, event.type)] = (done_ns, done_us)
            delivered = _wait_delivered(db, 3 + events, 15)
        finally:
            container.close()
        with psycopg.connect(db.owner_url) as conn:
            made = {str(m): int(c) for m, c in conn.execute(
                "SELECT m.msg_id, d.created_at_us FROM webhook_delivery d "
                "JOIN webhook_message m ON m.id = d.message_id").fetchall()}
        receiver.stop()
        arrivals = receiver.arrivals()
    latencies, to_fanout = [], []
    for msg, (at_ns, at_us) in appended.items():
        if msg in arrivals:
            latencies.append((arrivals[msg] - at_ns) / 1e6)
        if msg in made:
            to_fanout.append((made[msg] - at_us) / 1000)
    missing = events - len(latencies)
    p99 = _pct(latencies, 0.99)
    line = emit(
        "webhook_latency_p99_ms", p99 if not missing else None, "ms", None,
        n=events, delivered=delivered - 3, received=len(latencies), missing=missing,
        p50_ms=_r(_pct(latencies, 0.5)), p90_ms=_r(_pct(latencies, 0.9)), p99_ms=_r(p99),
        max_ms=_r(max(latencies) if latencies else None),
        mean_ms=_r(statistics.mean(latencies) if latencies else None),
        append_to_fanout_p50_ms=_r(_pct(to_fanout, 0.5)),
        append_to_fanout_p99_ms=_r(_pct(to_fanout, 0.99)),
        gap_s=list(gap),
        stack="bench process: bootstrap + container.start(worker=True) (writer, projector runner, "
              "fan-out, delivery worker, scheduler, LISTEN); one CompanyRegistered per "
              "writer.append call, random gaps",
        clock="receiver CLOCK_MONOTONIC arrival − time.monotonic_ns() at append return",
        receiver=receiver.kind, target_ms=TARGET_P99_MS,
        **({"error": f"{missing} of {events} events never reached the receiver"} if missing else {}),
    )
    if missing:
        raise Reported(line["error"])
    return line


def _backend_cpu(conn: psycopg.Connection[Any], database: str,
                 before: dict[int, float]) -> float | None:
    """CPU of the live backends connected to `database` since `before` (this one excluded)."""
    if not before:
        return None
    pids = [int(r[0]) for r in conn.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
        (database,)).fetchall()]
    total = 0.0
    for pid in pids:
        try:
            total += proc_cpu_seconds(pid) - before.get(pid, 0.0)
        except (OSError, IndexError, ValueError):
            continue
    return total


def _wait_delivered(db: FreshDb, n: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    delivered = 0
    while time.monotonic() < deadline:
        delivered = _counts(db).get("delivered", 0)
        if delivered >= n:
            break
        time.sleep(0.05)
    return delivered


def run_all(farm: BenchFarm, only: set[str], run: Callable[[str, Callable[[], Any]], None]) -> None:
    chosen = sizes()
    run("webhook_deliveries_per_s", lambda: webhook_deliveries_per_s(
        farm, chosen["webhook_deliveries"]))
    lo, hi = chosen["webhook_latency_gap_s"]
    run("webhook_latency_p99_ms", lambda: webhook_latency_p99_ms(
        farm, chosen["webhook_latency_events"], (lo, hi)))
