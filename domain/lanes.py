"""History lanes (docs/state.md, "Lanes: the history a timeline draws"): of each span's
state, only what a lane per destination draws, so that a long history stays small.

A chip's lanes are `export` with each destination's `status`, `review_policy` and
`pending_applications`, and `production` with its `status` and `halted_by`; a company's are
its `chips`, `export_restrictions`, `licenses`, `applications` and `production_halts`, whole.
`lanes_of` cuts them from a full state; `ChipLanes` computes a chip's directly along a
history's fold, redoing at each instant only the destinations that what changed then can
reach (docs/performance.md, "Histories"). The property tests hold the two equal."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from domain.catalog import CATALOG
from domain.clocks import parse_instant
from domain.export_status import (
    most_restrictive,
    policy_for,
    reach_of,
    strictest,
    verdict,
)
from domain.fold import FILED
from domain.ids import GROUP_PREFIX
from domain.in_force import in_force, license_active
from domain.knowledge import Belief
from domain.span_fold import SpanFold
from domain.subjects import named_groups
from domain.views import production
from domain.world import Obj, World

DETAILS = ("full", "lanes")  # the `detail` of a history (docs/state.md)
CHIP_ENTRY = ("status", "review_policy", "pending_applications")
COMPANY_PARTS = ("chips", "export_restrictions", "licenses", "applications", "production_halts")
# fields whose instant changes an object by itself: a measure's in force, a licence's active
TIMED_FIELDS = ("compliance_at", "until", "expires_at")
PRODUCTION = "production:"  # the aggregates of halts and resumptions (domain/catalog.py)
# the kinds of object a chip's lanes read (the others: agreements, advisories, tariffs, cases,
# announcements, ownership, show in its full state only)
LANE_KINDS = frozenset({"measure", "group", "license", "application", "production"})


def lane_beliefs(
    domain: list[Belief], starters: set[str]
) -> tuple[list[Belief], dict[datetime, list[Belief]]]:
    """Of a chip's history's beliefs (in valid-time order), those its lanes are made of (of
    measures, groups, licences, applications and production), and by instant the others
    that start a span: no lane changes at their instant unless one of the first does too,
    and then they are among the events of the span starting there (docs/state.md)."""
    kept: list[Belief] = []
    aside: dict[datetime, list[Belief]] = {}
    for belief in domain:
        if CATALOG[belief.type].kind in LANE_KINDS:
            kept.append(belief)
        elif belief.event.event_id in starters:
            aside.setdefault(cast(datetime, belief.effective_at), []).append(belief)
    return kept, aside


def lanes_of(kind: str, state: dict[str, Any]) -> dict[str, Any]:
    """The lanes of a full span state (a chip's or a company's)."""
    if kind == "company":
        return {part: state[part] for part in COMPANY_PARTS}
    return {
        "export": {
            code: {name: entry[name] for name in CHIP_ENTRY}
            for code, entry in sorted(state["export"].items())
        },
        "production": _production_lane(state["production"]),
    }


def _production_lane(state: dict[str, Any]) -> dict[str, Any]:
    return {"status": state["status"], "halted_by": state["halted_by"]}


class ChipLanes:
    """A chip's lanes at each instant a `SpanFold` advances to.

    What reaches each destination is kept between instants: a measure is looked at again
    only when an event of it was folded or one of its dates falls then (it may come into or
    out of force), a licence or an application likewise, and a destination's entry is
    recomputed only when one of those reaches or names it. A group defined or amended then
    changes where the measures naming it reach and whom their overrides concern: those are
    looked at again."""

    def __init__(self, fold: SpanFold, chip: str):
        self.fold, self.chip = fold, chip
        self.specs: dict[str, Any] = fold.world.chips[chip].get("specs") or {}
        self.timed = _timed_keys(fold)
        self.places: dict[str, _Destination] = {}  # by destination code
        # measure key -> the measure counted, the destinations it reaches, the groups it names
        self.measures: dict[str, tuple[Obj, dict[str, str], set[str]]] = {}
        self.named: dict[str, set[str]] = {}  # licence/application key -> destinations named
        self.export: dict[str, dict[str, Any]] = {}
        self.lanes: dict[str, Any] = {}  # what `read` gave last
        self.moved = False  # whether an entry or the production lane changed at this instant
        self.production: dict[str, Any] = {}
        # (measure id, destination) -> the measure and its review policy there (until a
        # group changes: overrides may name one)
        self.policies: dict[tuple[str, str], tuple[Obj, str | None]] = {}
        # key -> the object last looked at and whether it counted then: the same object
        # counting the same way changes nothing (a date of it may fall on any instant)
        self.judged: dict[str, tuple[Obj | None, bool]] = {}
        self.started = False

    def read(self, instant: datetime) -> dict[str, Any]:
        """The lanes at the instant the fold has just advanced to."""
        world = self.fold.world  # ended objects are not live: no need for `seen`
        changed = set(self.fold.changed) | self.timed.get(instant, set())
        halts = not self.started or any(key.startswith(PRODUCTION) for key in changed)
        if not self.started:  # the first instant: every object
            self.started = True
            changed = {key for key, obj in world.objects.items() if obj.kind != "group"}
        groups = {key for key in changed if key.startswith(GROUP_PREFIX)}
        if groups:
            self.policies.clear()
        regrouped = (  # measures counted that name an amended group: where they reach, and
            {  # their overrides' destinations, may change with no event of theirs
                key for key, (_, _, named) in self.measures.items() if groups & named
            }
            if groups
            else set()
        )
        dirty: set[str] = set()
        for key in changed | regrouped:
            if key.startswith("measure:"):
                dirty |= self._measure(world, key, key in regrouped)
            elif key.startswith(("license:", "application:")):
                dirty |= self._named(world, key)
        self.moved = False
        for code in dirty:
            self._entry(world, code)
        if halts:
            lane = _production_lane(production(world, self.chip))
            if lane != self.production:
                self.production, self.moved = lane, True
        if self.moved:  # else the lanes are those of the last instant, the very same dict
            self.lanes = {
                "export": dict(sorted(self.export.items())),
                "production": self.production,
            }
        return self.lanes

    def _place(self, code: str) -> _Destination:
        place = self.places.get(code)
        if place is None:
            place = self.places[code] = _Destination()
        return place

    def _measure(self, world: World, key: str, regrouped: bool = False) -> set[str]:
        """Where the measure reached before and reaches now (its entries to redo)."""
        measure = world.objects.get(key)
        counts = (  # not an end-user measure (those are not in `export`), and in force
            measure is not None
            and not measure.fields.get("companies")
            and in_force(measure, world.as_of)
        )
        if self._same(key, measure, counts) and not regrouped:
            return set()
        was, before, _ = self.measures.pop(key, (None, {}, set()))
        reached: dict[str, str] = {}
        covering = None  # the measure, when it counts and covers the chip
        if measure is not None and counts:
            how, reached = reach_of(world, measure, self.chip, self.specs)
            covering, reached = (None, {}) if how is None else (measure, reached)
        # the same jurisdiction, control and review policies: where it stays, only the object
        # is replaced (the lanes read nothing else of it)
        same = (
            not regrouped
            and was is not None
            and measure is not None
            and _deciding_fields(was) == _deciding_fields(measure)
        )
        dirty: set[str] = set()
        places = self.places
        for code in before:
            if same and code in reached:
                continue
            if places[code].count(key, cast(Obj, was), -1):
                dirty.add(code)
        if covering is not None:  # kept even when it reaches nothing: a group may change that
            for code in reached:
                if same and code in before:
                    places[code].replace(key, covering)
                elif (places.get(code) or self._place(code)).count(key, covering, 1):
                    dirty.add(code)
            self.measures[key] = (covering, reached, named_groups(covering.fields))
        if regrouped:  # its overrides may now concern other destinations
            dirty |= set(before) | set(reached)
        return dirty

    def _named(self, world: World, key: str) -> set[str]:
        """A licence or application naming the chip: the destinations it named and names."""
        obj = self.fold.world.objects.get(key)  # also when it ended: its destinations
        active = obj is not None and (
            license_active(obj, world.as_of)
            if obj.kind == "license"
            else obj.live and obj.origin == FILED  # pending: domain/dealings_state.py
        )
        if self._same(key, obj, active):
            return set()
        before = self.named.pop(key, set())
        for code in before:  # (held only if it was active: no place, if nothing else)
            if (place := self.places.get(code)) is not None:
                place.release(key)
        if obj is None or self.chip not in obj.fields["chips"]:
            return before
        now = set(obj.fields["destinations"])
        self.named[key] = now
        for code in now:
            if active:
                self._place(code).hold(key, obj)
        return before | now

    def _same(self, key: str, obj: Obj | None, counts: bool) -> bool:
        """Whether the key's object and whether it counts are as last looked at (and note
        them). Objects are replaced, never changed in place."""
        held = self.judged.get(key)
        self.judged[key] = (obj, counts)
        return held is not None and held[0] is obj and held[1] == counts

    def _entry(self, world: World, code: str) -> None:
        """The destination's entry: as domain/export_status.py makes it, only its lanes."""
        place = self.places.get(code)
        if place is None or not place.reaching:
            if self.export.pop(code, None) is not None:
                self.moved = True
            return
        verdicts = place.verdicts  # as domain/export_status.jurisdiction_verdicts
        status = strictest(verdicts)
        policy = None
        if status == "license_required":
            policy = most_restrictive(
                self._policy(world, measure, code) for measure in place.deciding()
            )
        entry = {
            "status": status,
            "review_policy": policy,
            "pending_applications": sorted(place.pending.values()),
        }
        if self.export.get(code) != entry:
            self.export[code], self.moved = entry, True

    def _policy(self, world: World, measure: Obj, code: str) -> str | None:
        """The measure's review policy for the destination (`policy_for`), remembered."""
        held = self.policies.get((measure.id, code))
        if held is not None and held[0] is measure:
            return held[1]
        policy = policy_for(world, measure, self.chip, self.specs, code)
        self.policies[(measure.id, code)] = (measure, policy)
        return policy


class _Destination:
    """What reaches one destination and what is held for it, kept between instants: the
    measures counted per jurisdiction, that jurisdiction's verdict (as
    domain/export_status.jurisdiction_verdicts gives it), the active licences and the pending
    applications naming it."""

    __slots__ = ("reaching", "tally", "verdicts", "required", "licensing", "licences", "pending")

    def __init__(self) -> None:
        self.reaching: dict[str, Obj] = {}  # measure key -> the measure reaching it
        self.tally: dict[str, list[int]] = {}  # jurisdiction -> [its measures that ban, all]
        self.verdicts: dict[str, str] = {}  # jurisdiction -> its verdict, of those reaching
        # jurisdiction -> key -> its license_required measures (a review policy's sources)
        self.required: dict[str, dict[str, Obj]] = {}
        self.licensing: dict[str, int] = {}  # jurisdiction -> active licences it granted
        self.licences: dict[str, Obj] = {}  # key -> an active licence naming it
        self.pending: dict[str, str] = {}  # key -> the id of a pending application naming it

    def count(self, key: str, measure: Obj, step: int) -> bool:
        """Count the measure in (step 1) or out (-1); whether the lanes may change: its
        jurisdiction's verdict changes, or the measure is one the review policy comes from
        (license_required, in a jurisdiction whose verdict is that)."""
        fields = measure.fields
        jurisdiction, control = fields["jurisdiction"], fields["control"]
        tally = self.tally.get(jurisdiction)
        if tally is None:
            tally = self.tally[jurisdiction] = [0, 0]
        if control == "ban":
            tally[0] += step
        tally[1] += step
        required = control == "license_required"
        if step > 0:
            self.reaching[key] = measure
            if required:
                self.required.setdefault(jurisdiction, {})[key] = measure
        else:
            del self.reaching[key]
            if required:
                del self.required[jurisdiction][key]
        return self.judge(jurisdiction) or (
            required and self.verdicts.get(jurisdiction) == "license_required"
        )

    def replace(self, key: str, measure: Obj) -> None:
        """A measure still reaching here, in a new version deciding the same way."""
        self.reaching[key] = measure
        required = self.required.get(measure.fields["jurisdiction"])
        if required is not None and key in required:
            required[key] = measure

    def judge(self, jurisdiction: str) -> bool:
        """The jurisdiction's verdict again; whether it changed (None: none of its reach)."""
        tally = self.tally.get(jurisdiction)
        now = (
            verdict(self.licensing.get(jurisdiction, 0) > 0, tally[0] > 0)
            if tally is not None and tally[1]
            else None
        )
        if now is None:
            return self.verdicts.pop(jurisdiction, None) is not None
        was = self.verdicts.get(jurisdiction)
        self.verdicts[jurisdiction] = now
        return was != now

    def deciding(self) -> list[Obj]:
        """The license_required measures of the jurisdictions whose verdict is that
        (domain/export_status.deciding)."""
        return [
            measure
            for jurisdiction, said in self.verdicts.items()
            if said == "license_required"
            for measure in self.required.get(jurisdiction, {}).values()
        ]

    def hold(self, key: str, obj: Obj) -> None:
        """An active licence or a pending application naming the destination."""
        if obj.kind == "license":
            self.licences[key] = obj
            self._licensing(obj.fields["jurisdiction"], 1)
        else:
            self.pending[key] = obj.id

    def release(self, key: str) -> None:
        """What `hold` held under the key, if anything."""
        self.pending.pop(key, None)
        if (licence := self.licences.pop(key, None)) is not None:
            self._licensing(licence.fields["jurisdiction"], -1)

    def _licensing(self, jurisdiction: str, step: int) -> None:
        self.licensing[jurisdiction] = self.licensing.get(jurisdiction, 0) + step
        self.judge(jurisdiction)


def _deciding_fields(measure: Obj) -> tuple[Any, ...]:
    """What a destination's lanes read of a measure reaching it (domain/export_status.py:
    the verdict, the review policy)."""
    fields = measure.fields
    return (
        fields["jurisdiction"],
        fields["control"],
        fields.get("review_policy"),
        fields.get("review_overrides"),
    )


def _timed_keys(fold: SpanFold) -> dict[datetime, set[str]]:
    """By instant, the objects one of whose dates falls then (a compliance date, a
    suspension's end, a licence's expiry): more than change then, never fewer."""
    found: dict[datetime, set[str]] = {}
    for belief in fold.domain:
        for name in TIMED_FIELDS:
            if belief.data.get(name):
                found.setdefault(parse_instant(belief.data[name]), set()).add(
                    belief.event.aggregate
                )
    return found
