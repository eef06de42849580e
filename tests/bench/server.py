"""`regtl serve` as a subprocess on a fresh database, with a write key, for the HTTP figures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.bench.common import FreshDb, free_port, note, proc_cpu_seconds

REGTL = Path(sys.executable).with_name("regtl")
SERVER_LOG_LEVEL = os.environ.get("BENCH_SERVER_LOG_LEVEL", "warning")


class Server:
    """The production topology on `db`: `regtl serve --no-worker` (the API) beside a
    `regtl worker` process (the projector), as docs/deploy.md runs them; stopped on exit.
    BENCH_TOPOLOGY=single runs one `regtl serve` with the projector in process instead."""

    def __init__(self, db: FreshDb, *, worker: bool = True, topology: str | None = None):
        self.db = db
        mode = topology or os.environ.get("BENCH_TOPOLOGY", "split")
        self.split = mode == "split"
        self.worker = worker and mode == "single"
        self.worker_proc: subprocess.Popen[bytes] | None = None
        self.topology = {
            "split": "regtl serve --no-worker + regtl worker (2 processes)",
            "single": "regtl serve (API + projector in 1 process)",
            "api-only": "regtl serve --no-worker; `regtl worker` started after the timed window",
        }[mode]
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "REGTL_DATABASE_URL": db.service_url,
            "REGTL_LOG_LEVEL": SERVER_LOG_LEVEL,
        }
        self.env.pop("REGTL_MIGRATION_DATABASE_URL", None)
        self.proc: subprocess.Popen[bytes] | None = None
        fd, self.log_path = tempfile.mkstemp(prefix="regtl-bench-serve-", suffix=".log")
        self.log = os.fdopen(fd, "wb")
        self.key = ""

    def __enter__(self) -> Self:
        try:
            self.key = self._create_key()
            args = [str(REGTL), "serve", "--host", "127.0.0.1", "--port", str(self.port)]
            if not self.worker:
                args.append("--no-worker")
            self.proc = subprocess.Popen(
                args,
                env=self.env,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            if self.split:
                self.worker_proc = subprocess.Popen(
                    [str(REGTL), "worker"],
                    env=self.env,
                    stdout=self.log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                )
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _create_key(self) -> str:
        done = subprocess.run(
            [str(REGTL), "keys", "create", "--scope", "write", "--name", "bench"],
            check=False,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if done.returncode != 0:
            raise RuntimeError(f"regtl keys create failed: {done.stderr.strip()[-500:]}")
        lines = [line for line in done.stdout.splitlines() if line.strip()]
        if not lines:
            raise RuntimeError("regtl keys create printed no key")
        return lines[-1].strip()

    def _wait_ready(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"regtl serve exited with {self.proc.returncode}: {self.log_tail()}"
                )
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"regtl serve not ready after {timeout:.0f} s: {self.log_tail()}")

    def cpu_seconds(self) -> float:
        assert self.proc is not None
        return proc_cpu_seconds(self.proc.pid)

    def start_worker(self) -> None:
        """Start `regtl worker` now (api-only topology: projections catch up afterwards)."""
        self.worker_proc = subprocess.Popen(
            [str(REGTL), "worker"],
            env=self.env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def worker_cpu_seconds(self) -> float:
        return 0.0 if self.worker_proc is None else proc_cpu_seconds(self.worker_proc.pid)

    def log_tail(self, chars: int = 1500) -> str:
        try:
            return Path(self.log_path).read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def post(self, path: str, body: bytes) -> tuple[int, bytes]:
        request = urllib.request.Request(
            f"{self.base}{path}",
            data=body,
            method="POST",
            headers={"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def stop(self) -> None:
        if self.worker_proc is not None and self.worker_proc.poll() is None:
            os.killpg(self.worker_proc.pid, signal.SIGTERM)
            try:
                self.worker_proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker_proc.pid, signal.SIGKILL)
        self.worker_proc = None
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                note("regtl serve did not stop on SIGTERM; killing it")
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
        self.proc = None
        try:
            self.log.close()
            os.unlink(self.log_path)
        except OSError:
            pass
