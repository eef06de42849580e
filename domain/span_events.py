"""Which events start a history span (docs/state.md, "Timelines, history and diffs").

A span starts at an instant where the subject's state changes. Its `events` are the ids of
the events whose effect starts it, in fold order:
- the events taking effect then: of the objects that concern the subject (those its
  timeline lists); those that implement one of its announcements or grant one of its
  applications (a measure naming other chips that implements an announcement naming it);
  for a company, those of the measures that may reach it as an affiliate, of the groups
  they name and of the ownership pairs above it;
- for what changes by itself then, the event that set it: a licence's expiry, its grant
  (not revoked before); a suspension's end, the suspension that set that end; a compliance
  date, the imposition or the last amendment that gave the measure that date.

Everything here is judged on the beliefs given and the world as folded, so a subject's
slice and the whole log name the same events.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.clocks import parse_instant
from domain.knowledge import Belief
from domain.subjects import groups_of, names_of
from domain.world import World

# The fields that change state at their own time, by the event type that sets them.
SELF_TIMED = {
    "LicenseGranted": ("expires_at",),
    "ExportBanSuspended": ("until",),
    "ExportBanImposed": ("compliance_at",),
    "ExportBanAmended": ("compliance_at",),
}
COMPLIANCE = ("ExportBanImposed", "ExportBanAmended")  # set compliance_at when they state it
LINKED = ("announcement:", "application:")  # implemented or granted by events naming them


@dataclass(frozen=True)
class Relevant:
    """What the subject's spans depend on: the aggregates its state is made of (the fold
    needs only theirs), and the events that may start a span."""

    aggregates: set[str]
    starters: set[str]  # event ids


def relevant(kind: str, subject: str, beliefs: list[Belief], wanted: set[str]) -> Relevant:
    """The subject's own aggregates (`wanted`, its timeline's), the events naming one of its
    announcements or applications (and their aggregates, folded whole so that they apply
    as in the full fold), and, for a company, its ownership chain, the measures that may
    reach it through that chain and the groups they name. Nothing else can change its state
    (the property tests hold the spans equal to the fold of its whole slice)."""
    linked = {key for key in wanted if key.startswith(LINKED)}
    own = set(wanted)
    if kind == "company":
        above = _above(subject, beliefs)
        own |= above.union(  # and the groups those measures name
            *(groups_of(b.data) for b in beliefs if b.event.aggregate in above)
        )
    starters = {
        b.event.event_id: b.event.aggregate
        for b in beliefs
        if b.event.aggregate in own or (linked and linked & names_of(b.data))
    }
    return Relevant(own | set(starters.values()), set(starters))


def _above(company: str, beliefs: list[Belief]) -> set[str]:
    """The ownership pairs whose owned company is the subject or one of its owners (at any
    time, as believed), and the measures with `affiliates_min_percent` naming such an owner
    (each in any of its versions)."""
    pairs = {
        (b.data["owner"], b.data["owned"], b.event.aggregate)
        for b in beliefs
        if b.event.aggregate.startswith("ownership:")
    }
    chain, grew = {company}, True
    while grew:
        before = len(chain)
        chain |= {owner for owner, owned, _ in pairs if owned in chain}
        grew = len(chain) > before
    found = {key for _, owned, key in pairs if owned in chain}
    # A measure's versions together: an amendment states only what it changes, so the
    # companies may be named in one version and `affiliates_min_percent` in another.
    with_affiliates: set[str] = set()
    naming_the_chain: set[str] = set()
    for belief in beliefs:
        data: dict[str, Any] = belief.data
        if data.get("affiliates_min_percent") is not None:
            with_affiliates.add(belief.event.aggregate)
        if chain & set(data.get("companies") or ()):
            naming_the_chain.add(belief.event.aggregate)
    return found | (with_affiliates & naming_the_chain)


def self_timed(domain: list[Belief], starters: set[str]) -> dict[datetime, list[Belief]]:
    """The events among `starters` that set a change happening by itself, by its instant."""
    found: dict[datetime, list[Belief]] = {}
    for belief in domain:
        if belief.event.event_id not in starters:
            continue
        for name in SELF_TIMED.get(belief.type, ()):
            if belief.data.get(name):
                found.setdefault(parse_instant(belief.data[name]), []).append(belief)
    return found


def runs_out(world: World, belief: Belief, instant: datetime, setters: dict[str, Belief]) -> bool:
    """Whether `belief` set the change that happens by itself at `instant`, as the world
    stands just before it: an unrevoked licence's expiry, the running suspension's end, the
    compliance date a live measure has from it (`setters`: by measure, the event that gave
    it its compliance_at)."""
    obj = world.objects.get(belief.event.aggregate)
    if obj is None or not obj.live:
        return False
    if belief.type == "LicenseGranted":
        return obj.created_by == belief.event.event_id
    if belief.type == "ExportBanSuspended":
        running = obj.suspension
        return (
            running is not None and running.by == belief.event.event_id and running.until == instant
        )
    compliance = obj.fields.get("compliance_at")
    return (
        setters.get(belief.event.aggregate) is belief
        and compliance is not None
        and parse_instant(compliance) == instant
    )
