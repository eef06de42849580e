"""History lanes (docs/state.md, "Lanes: the history a timeline draws"): `domain.lanes`
computes a chip's lanes along the fold, looking again only at what changed at each instant.
Each case here is one way a lane changes without the measure that makes it being touched
then, or one change the lanes must not show; each checks the lanes against the full spans cut
and merged (what the property tests hold on generated logs) and states the expected lanes."""

from __future__ import annotations

from typing import Any

from domain.history import history
from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.support.lanes import cut_and_merged
from tests.unit.memory_ledger import MemoryLedger


def lanes(log: MemoryLedger, chip: str = "h20") -> list[dict[str, Any]]:
    """The chip's lanes, after checking them against its full spans cut and merged."""
    found = history("chip", chip, log.beliefs(), detail="lanes")
    full = history("chip", chip, log.beliefs())
    assert found is not None and full is not None
    assert found == cut_and_merged("chip", full)
    return found


def statuses(log: MemoryLedger, code: str = "CN") -> list[tuple[str | None, str | None]]:
    """(from, the destination's status) of each lanes span."""
    return [(s["from"], s["state"]["export"].get(code, {}).get("status")) for s in lanes(log)]


def day(text: str) -> str:
    return f"{text}T00:00:00Z"


def test_a_measure_naming_a_group_defined_later_reaches_its_members_from_then(
    log: MemoryLedger,
) -> None:
    log.record(
        v2.group("ear-d5", ["CN"], effective_at="2025-06-01"),
        b.measure(destinations=["group:ear-d5"], control="ban", effective_at="2025-04-09"),
    )
    assert statuses(log) == [(None, None), (day("2025-06-01"), "banned")]


def test_a_group_amendment_moves_a_lane_with_no_event_of_the_measure(log: MemoryLedger) -> None:
    log.record(
        v2.group("ear-d5", ["CN"]),
        b.measure(destinations=["group:ear-d5"]),
        v2.group_amended("ear-d5", effective_at="2025-06-01", add=["RU"]),
        v2.group_amended("ear-d5", effective_at="2025-07-01", remove=["CN"]),
    )
    assert statuses(log, "RU") == [
        (None, None),
        (day("2025-04-09"), None),
        (day("2025-06-01"), "license_required"),
        (day("2025-07-01"), "license_required"),
    ]
    assert statuses(log, "CN")[-1] == (day("2025-07-01"), None)


def test_a_suspensions_end_restores_the_lane_and_names_the_suspension(log: MemoryLedger) -> None:
    log.record(
        b.measure(control="ban"),
        v2.suspension(effective_at="2025-06-01", until="2025-06-20T00:00:00Z"),
    )
    spans = lanes(log)
    assert statuses(log) == [
        (None, None),
        (day("2025-04-09"), "banned"),
        (day("2025-06-01"), None),
        (day("2025-06-20"), "banned"),
    ]
    assert spans[-1]["events"] == spans[-2]["events"]  # the suspension that set `until`


def test_a_licence_expiry_ends_licensed(log: MemoryLedger) -> None:
    log.record(b.measure(), b.license_granted(expires_at="2025-09-01T00:00:00Z"))
    assert statuses(log) == [
        (None, None),
        (day("2025-04-09"), "license_required"),
        (day("2025-08-11"), "licensed"),
        (day("2025-09-01"), "license_required"),
    ]


def test_an_amended_review_policy_changes_the_lane(log: MemoryLedger) -> None:
    log.record(
        b.measure(review_policy="presumption_of_denial"),
        b.amendment(effective_at="2025-06-01", review_policy="case_by_case"),
    )
    policies = [s["state"]["export"].get("CN", {}).get("review_policy") for s in lanes(log)]
    assert policies == [None, "presumption_of_denial", "case_by_case"]


def test_a_second_ban_where_one_already_bans_starts_no_span(log: MemoryLedger) -> None:
    log.record(
        b.measure(control="ban"),
        b.measure("second-ban", control="ban", effective_at="2025-05-01"),
        b.measure("a-requirement", effective_at="2025-05-15"),
    )
    assert statuses(log) == [(None, None), (day("2025-04-09"), "banned")]
    assert len(history("chip", "h20", log.beliefs()) or []) == 4  # the full spans split


def test_a_requirement_in_another_jurisdiction_reaches_the_lane_only_by_its_verdict(
    log: MemoryLedger,
) -> None:
    log.record(
        b.measure(jurisdiction="US", control="license_required"),
        b.license_granted(effective_at="2025-05-01"),
        b.measure(
            "nl-ban",
            jurisdiction="NL",
            authority="MinBuZa",
            control="ban",
            effective_at="2025-06-01",
        ),
        b.lift("nl-ban", effective_at="2025-07-01"),
    )
    assert statuses(log) == [
        (None, None),
        (day("2025-04-09"), "license_required"),
        (day("2025-05-01"), "licensed"),
        (day("2025-06-01"), "banned"),
        (day("2025-07-01"), "licensed"),
    ]


def test_an_end_user_measure_is_not_a_lane(log: MemoryLedger) -> None:
    log.record(b.company("sugon"), b.measure(companies=["sugon"], control="ban"))
    assert statuses(log) == [(None, None)]


def test_a_second_requirement_with_a_stricter_policy_changes_the_lane(log: MemoryLedger) -> None:
    """Same jurisdiction, same verdict: only the review policy the lane shows changes."""
    log.record(
        b.measure(review_policy="case_by_case"),
        b.measure("stricter", review_policy="presumption_of_denial", effective_at="2025-05-01"),
        b.lift("stricter", effective_at="2025-06-01"),
    )
    policies = [
        (s["from"], s["state"]["export"].get("CN", {}).get("review_policy")) for s in lanes(log)
    ]
    assert policies == [
        (None, None),
        (day("2025-04-09"), "case_by_case"),
        (day("2025-05-01"), "presumption_of_denial"),
        (day("2025-06-01"), "case_by_case"),
    ]


def test_what_no_lane_draws_starts_no_span_but_is_named_where_a_lane_changes(
    log: MemoryLedger,
) -> None:
    """A chip's lanes fold only measures, groups, licences, applications and production
    (`domain.lanes.lane_beliefs`): an advisory alone starts no lanes span, and one taking
    effect with a ban is among the events of the span the ban starts, in log order."""
    advisory, ban, _, _ = log.record(
        b.advisory(effective_at="2025-04-09"),
        b.measure(control="ban"),
        b.advisory("cn-avoid-h20-again", effective_at="2025-08-12"),
        v2.tariff(effective_at="2025-10-01"),
    )
    spans = lanes(log)
    assert [s["from"] for s in spans] == [None, day("2025-04-09")]
    assert spans[1]["events"] == [advisory.event_id, ban.event_id]
    full = history("chip", "h20", log.beliefs())
    assert full is not None  # the full state does change with the later advisory and tariff
    assert {day("2025-08-12"), day("2025-10-01")} <= {s["from"] for s in full}


def test_a_licence_never_active_for_a_place_nothing_reaches_ends_quietly(
    log: MemoryLedger,
) -> None:
    """A licence granted already expired, naming a destination no measure reaches, then
    revoked: it was never held there, and its end changes no lane (found by the property
    test: the lanes once looked for the destination it was never held for)."""
    log.record(
        b.measure(),
        b.license_granted(destinations=["RU"], expires_at="2025-08-01T00:00:00Z"),
        b.license_revoked(),
    )
    assert statuses(log, "RU") == [(None, None), (day("2025-04-09"), None)]
