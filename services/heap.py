"""Garbage-collector and allocator settings: for the long-running processes (`regtl serve`,
`regtl worker`: `settle`) and for a long batch job (`regtl projections rebuild`: `QuietGC`).

A read allocates thousands of short-lived objects; the point-in-time caches keep hundreds
of thousands of long-lived ones. CPython's full collections walk every tracked object not
frozen — the imported libraries alone are hundreds of thousands — and were measured at
40–200 ms each, every few seconds under load: the whole p99 of a read. So, once started,
everything alive after start-up (modules, the app, the container) is frozen — never walked
again — and the caches freeze what they add as they fill (projections/state_queries.py).
Over HTTP this took the p99 of a chip read from 58 to 23 ms (2 connections, 100k events).
Raising the young generation's threshold (5,000 or 50,000 instead of 700) changed nothing
measurable for reads; for writes it does: a batch of 1,000 events keeps ~20,000 objects
alive until its commit, so at 700 each was walked by ~30 young and ~3 middle collections
and promoted into the old generation, whose full walks (the writer's cached aggregates)
then came every few batches: 10–17 ms of collection per batch, holding the GIL the writer
needs (docs/performance.md, "ingest_batch"). At 50,000 it is ~2 ms; the reads are unchanged.
Reference cycles are still collected.
"""

from __future__ import annotations

import gc
import sys
import threading
from typing import Any

YOUNG_THRESHOLD = 50_000  # CPython's default is 700; the older generations keep theirs


def settle() -> None:
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


class QuietGC:
    """Memory discipline for a long batch job in one process (the CLI turns it on).

    - No cyclic GC but a full collection every 50 pages: a page's objects die by reference
      counting, the few cycles (connections, transactions) can wait, and any collection
      scans every object alive at that moment — three pages in flight and the cache,
      hundreds of thousands of objects — which per page cost more than indexing it.
    - glibc: one malloc arena for every thread and a fixed mmap threshold, so the page-sized
      buffers one thread allocates and another frees do not pile up in per-thread arenas
      or in a heap whose mmap threshold has crept up; and `malloc_trim` now and then hands
      freed memory back. Without these, the resident set grew with the log's size.
    """

    def __init__(self) -> None:
        self.pages = 0
        self._lock = threading.Lock()
        self._was_enabled = gc.isenabled()
        self._libc = _glibc()

    def __enter__(self) -> QuietGC:
        if self._libc is not None:
            self._libc.mallopt(M_ARENA_MAX, 1)
            self._libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        settle()
        gc.disable()
        return self

    def tick(self) -> None:
        with self._lock:
            self.pages += 1
            if self.pages % 50 == 0:
                gc.collect()
            if self._libc is not None and self.pages % 10 == 0:
                self._libc.malloc_trim(0)

    def __exit__(self, *_exc: object) -> None:
        gc.unfreeze()
        if self._was_enabled:
            gc.enable()


M_ARENA_MAX = -8  # glibc mallopt parameters
M_MMAP_THRESHOLD = -3


def _glibc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim, libc.mallopt  # noqa: B018 - glibc only (not musl)
    except (OSError, AttributeError):
        return None
    return libc
