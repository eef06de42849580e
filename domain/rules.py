"""Lifecycle rules that need an aggregate's history, as currently known (docs/events.md, "Write rules").

"Currently known" means everything stored, every revision applied — including events
reported for a later date: the writer knows them even while readers cannot see them yet.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.catalog import CATALOG, EventType, Role
from domain.clocks import format_instant, parse_instant
from domain.dossier import Dossier
from domain.errors import invalid
from domain.knowledge import Belief

COVERAGE = ("chips", "criteria", "companies")


_NEVER = datetime.max.replace(tzinfo=UTC)


def _live(dossier: Dossier) -> list[Belief]:
    return [b for b in dossier.beliefs if not b.retracted]


def _in_valid_time_order(beliefs: list[Belief]) -> list[Belief]:
    # Every belief here is a domain event, which always has an effective_at.
    return sorted(beliefs, key=lambda b: (b.effective_at or _NEVER, b.position))


def check_lifecycle(dossier: Dossier, t: EventType, effective_at: datetime) -> None:
    creator = dossier.beliefs[0]
    name = f"{t.kind} {dossier.key.split(':', 1)[1]!r}"
    if creator.retracted:
        raise invalid(f"{name} was retracted: record it anew under a new id", f"/data/{t.id_field}")
    assert creator.effective_at is not None  # creators are domain events
    if effective_at < creator.effective_at:
        raise invalid(
            f"takes effect before {name} was created ({format_instant(creator.effective_at)})",
            "/effective_at",
        )
    terminal = next((b for b in _live(dossier) if CATALOG[b.type].role is Role.TERMINAL), None)
    if terminal is None or terminal.effective_at is None:
        return
    when = format_instant(terminal.effective_at)
    if t.role is Role.TERMINAL:
        raise invalid(
            f"{name} already ended by {terminal.type} at {when}: correct that event instead",
            "/type",
        )
    if effective_at >= terminal.effective_at:
        raise invalid(
            f"takes effect at or after {name} ended ({terminal.type} at {when})", "/effective_at"
        )


def check_amended_measure(dossier: Dossier, change: dict[str, Any], effective_at: datetime) -> None:
    """An amendment may not leave a measure covering no chip, criterion or company, with a
    review policy under a ban or affiliates of no named company — from its date, nor after
    any later amendment —, or with a compliance date before the measure took effect."""
    fields, later = _as_amended(dossier, "ExportBanAmended", effective_at)
    fields.update(change)
    states = _from_now_on(fields, effective_at, later)
    for when, state in states:
        if not any(state.get(name) for name in COVERAGE):
            raise invalid(
                "the measure would cover nothing from "
                f"{format_instant(when)}: keep at least one of chips, criteria, companies",
                "/data",
            )
    if change.keys() & {"control", "review_policy"}:
        _check_policy_under_control(change, states)
    if change.keys() & {"companies", "affiliates_min_percent"}:
        _check_affiliates_of_named_companies(change, states)
    if "compliance_at" in change:
        imposed = dossier.beliefs[0].effective_at
        assert imposed is not None  # an imposition is a domain event
        check_compliance_date(change, imposed)


def check_amended_tariff(dossier: Dossier, change: dict[str, Any], effective_at: datetime) -> None:
    """An amendment may not leave a tariff covering no chip and no criterion (counting the
    amendments up to its date), as an imposition may not."""
    fields, _ = _as_amended(dossier, "TariffAmended", effective_at)
    fields.update(change)
    if not (fields.get("chips") or fields.get("criteria")):
        raise invalid(
            "the tariff would cover nothing: keep at least one of chips, criteria", "/data"
        )


def _as_amended(
    dossier: Dossier, amendment: str, effective_at: datetime
) -> tuple[dict[str, Any], list[Belief]]:
    """The object's fields as amended up to `effective_at`, and the amendments after it (both
    in valid-time order, as currently known)."""
    fields = dict(dossier.beliefs[0].data)
    later: list[Belief] = []
    for belief in _in_valid_time_order(_live(dossier)):
        if belief.type != amendment or belief.effective_at is None:
            continue
        if belief.effective_at <= effective_at:
            fields.update(_changed(belief.data))
        else:
            later.append(belief)
    return fields, later


def _changed(amendment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in amendment.items() if k != "measure_id"}


def _from_now_on(
    fields: dict[str, Any], effective_at: datetime, later: list[Belief]
) -> list[tuple[datetime, dict[str, Any]]]:
    """The measure's fields from the amendment's date, then after each later amendment."""
    states = [(effective_at, fields)]
    for amendment in later:
        if amendment.effective_at is None:
            break
        fields = {**fields, **_changed(amendment.data)}
        states.append((amendment.effective_at, fields))
    return states


def _check_policy_under_control(
    change: dict[str, Any], states: list[tuple[datetime, dict[str, Any]]]
) -> None:
    """The measure's control may not be ban while it has a review policy: at the
    amendment's date, nor after a later amendment (one that sets control to ban while this
    one sets a policy, or one that sets a policy while this one bans)."""
    pointer = "/data/review_policy" if change.get("review_policy") else "/data/control"
    for when, fields in states:
        if fields.get("review_policy") is not None and fields["control"] == "ban":
            raise invalid(
                "a review policy applies to licence applications: the measure's control would "
                f"be ban with a review policy from {format_instant(when)} (set review_policy "
                "to null, or keep license_required)",
                pointer,
            )


def _check_affiliates_of_named_companies(
    change: dict[str, Any], states: list[tuple[datetime, dict[str, Any]]]
) -> None:
    """`affiliates_min_percent` extends the named end users: the measure may not keep it
    while naming no company — at the amendment's date, nor after a later amendment."""
    sends_percent = change.get("affiliates_min_percent") is not None
    pointer = "/data/affiliates_min_percent" if sends_percent else "/data/companies"
    for when, fields in states:
        if fields.get("affiliates_min_percent") is not None and not fields.get("companies"):
            raise invalid(
                "affiliates_min_percent extends named end users: the measure would name no "
                f"companies with affiliates_min_percent from {format_instant(when)} (name "
                "companies, or set affiliates_min_percent to null)",
                pointer,
            )


def check_compliance_date(
    data: dict[str, Any], effective_at: datetime, pointer: str = "/data/compliance_at"
) -> None:
    """`compliance_at`, when given, is not before the measure takes effect."""
    compliance = data.get("compliance_at")
    if compliance is not None and parse_instant(compliance) < effective_at:
        raise invalid(
            f"compliance_at is before the measure takes effect ({format_instant(effective_at)})",
            pointer,
        )


def check_suspension_end(
    data: dict[str, Any], effective_at: datetime, pointer: str = "/data/until"
) -> None:
    until = data.get("until")
    if until is not None and parse_instant(until) <= effective_at:
        raise invalid(
            f"until must be after the suspension takes effect ({format_instant(effective_at)})",
            pointer,
        )


def check_corrected_dates(dossier: Dossier, event_id: str, changes: dict[str, Any]) -> None:
    """A correction keeps its target's own dates in order, as the target's write rules do:
    an imposition's compliance_at not before its effective_at, an amendment's not before the
    imposition's, a suspension's until after its effective_at. The fault is located at the
    field the correction replaces (the date in its data, else its effective_at)."""
    target = dossier.belief(event_id)
    if target is None or target.type not in DATED:
        return
    data = changes.get("data", target.data)
    moved = changes.get("effective_at")
    effective_at = parse_instant(moved) if moved is not None else target.effective_at
    if target.type == "ExportBanAmended":  # checked against the imposition, not moved here
        if "data" in changes:
            imposed = dossier.beliefs[0].effective_at
            assert imposed is not None  # an imposition is a domain event
            check_compliance_date(data, imposed, "/data/changes/data/compliance_at")
        return
    assert effective_at is not None  # a base event with a date of its own is a domain event
    name = DATED[target.type]
    pointer = (
        f"/data/changes/data/{name}"
        if name in changes.get("data", {})
        else "/data/changes/effective_at"
    )
    if target.type == "ExportBanImposed":
        check_compliance_date(data, effective_at, pointer)
    else:
        check_suspension_end(data, effective_at, pointer)


# The base events whose data holds a date bound to their effective_at, and that date's field.
DATED = {
    "ExportBanImposed": "compliance_at",
    "ExportBanAmended": "compliance_at",
    "ExportBanSuspended": "until",
}


def is_application(dossier: Dossier) -> bool:
    """An application recorded by LicenseApplied (not a v1 denial's own record), as known."""
    return dossier.exists and dossier.beliefs[0].type == "LicenseApplied"


def check_application_end(dossier: Dossier, t: EventType, effective_at: datetime) -> None:
    """A denial or a withdrawal ends a pending application (docs/events.md, "Licence
    applications"): once, and not before it was filed. A denial's own record (v1) cannot
    be withdrawn."""
    name = f"application {dossier.key.split(':', 1)[1]!r}"
    if not is_application(dossier):
        raise invalid(f"{name} was denied when it was recorded: it is not pending", "/type")
    creator = dossier.beliefs[0]
    if creator.retracted:
        raise invalid(f"{name} was retracted: record it anew under a new id", f"/data/{t.id_field}")
    assert creator.effective_at is not None
    if effective_at < creator.effective_at:
        raise invalid(
            f"takes effect before {name} was filed ({format_instant(creator.effective_at)})",
            "/effective_at",
        )
    ended = next((b for b in _live(dossier)[1:] if b.type in APPLICATION_ENDINGS), None)
    if ended is not None and ended.effective_at is not None:
        raise invalid(
            f"{name} already ended by {ended.type} at {format_instant(ended.effective_at)}",
            "/type",
        )


APPLICATION_ENDINGS = ("LicenseDenied", "LicenseApplicationWithdrawn")


def check_grants_pending(application: Dossier, effective_at: datetime) -> None:
    """A licence may name only an application pending at its date, as currently known: filed
    by then and not denied or withdrawn by then. (A second grant of one application is not
    refused here: the writer would need every licence; the fold keeps the first grant.)"""
    pointer = "/data/application_id"
    name = f"application {application.key.split(':', 1)[1]!r}"
    if not is_application(application):
        raise invalid(f"{name} is not pending: it was recorded as denied", pointer)
    filed = application.beliefs[0].effective_at
    assert filed is not None
    if effective_at < filed:
        raise invalid(f"{name} is filed only at {format_instant(filed)}", pointer)
    for belief in _live(application)[1:]:
        ended_at = belief.effective_at
        if belief.type in APPLICATION_ENDINGS and ended_at is not None and ended_at <= effective_at:
            raise invalid(f"{name} is not pending: {belief.type}", pointer)


def check_ownership_open(dossier: Dossier, effective_at: datetime) -> None:
    """An ownership can end only while recorded (as currently known) at that date."""
    held = False
    for belief in _in_valid_time_order(_live(dossier)):
        if belief.effective_at is not None and belief.effective_at <= effective_at:
            held = belief.type == "OwnershipRecorded"
    if not held:
        raise invalid(
            f"no ownership of {dossier.key.split(':')[2]!r} by {dossier.key.split(':')[1]!r} "
            f"is recorded at {format_instant(effective_at)}",
            "/data/owned",
        )


def open_halts(dossier: Dossier, at: datetime) -> set[str]:
    """Chips this company has halted and not resumed by `at` (as currently known)."""
    halted: set[str] = set()
    for belief in _in_valid_time_order(_live(dossier)):
        if belief.effective_at is None or belief.effective_at > at:
            continue
        chips = set(belief.data["chips"])
        halted = halted | chips if belief.type == "ProductionHalted" else halted - chips
    return halted


def check_resume(dossier: Dossier, chips: list[str], effective_at: datetime) -> None:
    halted = open_halts(dossier, effective_at)
    for index, chip in enumerate(chips):
        if chip not in halted:
            raise invalid(
                f"{chip!r} has no open halt by this company at {format_instant(effective_at)}",
                f"/data/chips/{index}",
            )
