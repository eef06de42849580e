"""The webhook figures' receiver, a separate process: a tiny epoll HTTP/1.1 server in C
compiled here with the system C compiler (it answers 204 to every request and can log
`arrival_ns webhook-id`); an asyncio (uvloop if installed) server with the same behaviour
stands in when no compiler is found. Its CPU is reported so that it can be seen not to be
the bottleneck.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import TracebackType
from typing import Self

from tests.bench.common import note, proc_cpu_seconds

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
        done = subprocess.run(
            [compiler, "-O2", "-o", str(exe), str(source)],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        if done.returncode != 0:
            note(
                f"webhooks: cannot compile the C receiver ({done.stderr.strip()[-300:]}); "
                "using the asyncio one"
            )
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
        self.proc = subprocess.Popen(
            args, stdout=self._out, stderr=subprocess.STDOUT, start_new_session=True
        )
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

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
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
