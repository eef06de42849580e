"""The fold behind history spans (docs/state.md, "Timelines, history and diffs"): one pass
over the subject's events in valid-time order, the state read at each change instant.

Folding the beliefs anew at each instant (`fold_world`) gives the same worlds, since
applying an event never depends on T; only the views do. Two things keep each read cheap:
- the views are given the world without the objects no state at this T or later can show
  (`shown`): ended measures without anomalies, licences ended or expired, and ended
  agreements, advisories, tariffs, applications and announcements. Time only moves forward
  here and an ended object never comes back, so once left out it stays out (a measure
  comes back when an anomaly of it is folded: a chip lists those of measures covering it);
- `pending` stays empty: only `upcoming` reads it, and spans leave `upcoming` out.
The property tests hold every span equal to the fold of the subject's whole slice at its
start (tests/properties/test_history_equals_fold.py).
"""

from __future__ import annotations

import heapq
from copy import copy
from datetime import datetime
from operator import attrgetter
from typing import Any

from domain.clocks import parse_instant
from domain.fold import apply
from domain.knowledge import Belief
from domain.span_events import COMPLIANCE, runs_out, self_timed
from domain.views import subject_view
from domain.world import Obj, Objects, World

ALWAYS_SHOWN = ("case", "group")  # concluded cases are listed; groups never end


class SpanFold:
    """The world folded up to the current instant, and the state the views read from it."""

    def __init__(self, world: World, domain: list[Belief], starters: set[str], views: bool = True):
        self.world, self.domain, self.starters = world, domain, starters
        # whether `state` is read; else `seen` is not kept (a chip's lanes read `world`, where
        # an ended object is not live, and know its dates themselves: domain/lanes.py)
        self.views = views
        world.believed = domain  # every domain belief folded, any T (anomalies read it)
        self.timed = self_timed(domain, starters)
        self.setters: dict[str, Belief] = {}  # a measure's key -> what set its compliance_at
        self.anomalous: set[str] = set()  # aggregates with anomalies
        self.expiries: list[tuple[datetime, str]] = []  # (expires_at, licence key), a heap
        self.seen = copy(world)  # shares every list and dict but the objects
        self.seen.objects = Objects()
        self.done = 0
        self.changed: list[str] = []  # the keys the last `advance` folded or saw expire

    def advance(self, instant: datetime) -> list[Belief]:
        """Fold the events up to `instant`; the events that start a span there, in fold
        order: the subject's events taking effect then, and the events that set what ends
        by itself then (judged on the world just before it)."""
        world = self.world
        started = {
            b.event.event_id: b
            for b in self.timed.get(instant, ())
            if runs_out(world, b, instant, self.setters)
        }
        touched: list[str] = []
        domain, end = self.domain, len(self.domain)
        while self.done < end:
            belief = domain[self.done]
            if belief.effective_at > instant:  # type: ignore[operator] # domain events: set
                break
            self.done += 1
            anomalies = len(world.anomalies)
            apply(world, belief)
            if len(world.anomalies) > anomalies:
                self.anomalous.update(a.aggregate for a in world.anomalies[anomalies:])
            elif belief.type in COMPLIANCE and "compliance_at" in belief.data:
                self.setters[belief.event.aggregate] = belief
            touched.append(belief.event.aggregate)
            if belief.type == "LicenseGranted" and belief.data.get("application_id"):
                touched.append(f"application:{belief.data['application_id']}")  # it may grant
            if belief.event.event_id in self.starters:
                started[belief.event.event_id] = belief
        world.as_of = self.seen.as_of = instant
        if self.views:
            self._keep_seen(touched, instant)
        self.changed = touched
        if len(started) < 2:
            return list(started.values())
        return sorted(started.values(), key=attrgetter("effective_at", "position"))

    def state(self, kind: str, subject: str) -> dict[str, Any] | None:
        return subject_view(self.seen, kind, subject, upcoming=False)

    def _keep_seen(self, touched: list[str], instant: datetime) -> None:
        """`seen` at the instant: what was folded shown or left out, what expired then left
        out (and named in `touched`)."""
        for key in touched:
            self._show(key, instant)
        while self.expiries and self.expiries[0][0] <= instant:
            _, key = heapq.heappop(self.expiries)
            self._show(key, instant)
            touched.append(key)

    def _show(self, key: str, at: datetime) -> None:
        obj = self.world.objects.get(key)
        if obj is not None and self._shown(key, obj, at):
            self.seen.objects[key] = obj
        else:
            self.seen.objects.pop(key, None)

    def _shown(self, key: str, obj: Obj, at: datetime) -> bool:
        """Whether a state at `at` or later may still show the object (docs/state.md)."""
        if obj.kind in ALWAYS_SHOWN:
            return True
        if obj.kind == "measure":
            return obj.live or key in self.anomalous
        if obj.kind == "license" and obj.live and obj.fields.get("expires_at"):
            expires = parse_instant(obj.fields["expires_at"])
            if at < expires:
                heapq.heappush(self.expiries, (expires, key))
                return True
            return False
        return obj.live
