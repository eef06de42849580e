"""Garbage-collector settings for the long-running processes (`regtl serve`, `regtl worker`).

A read allocates thousands of short-lived objects; the point-in-time caches keep hundreds
of thousands of long-lived ones. CPython's full collections walk every tracked object not
frozen — the imported libraries alone are hundreds of thousands — and were measured at
40–200 ms each, every few seconds under load: the whole p99 of a read. So, once started,
everything alive after start-up (modules, the app, the container) is frozen — never walked
again — and the caches freeze what they add as they fill (projections/state_queries.py).
Over HTTP this took the p99 of a chip read from 58 to 23 ms (2 connections, 100k events).
Raising the young generation's threshold (5,000 or 50,000 instead of 700) changed nothing
measurable, so the thresholds stay CPython's. Reference cycles are still collected.
"""

from __future__ import annotations

import gc


def settle() -> None:
    gc.collect()
    gc.freeze()
