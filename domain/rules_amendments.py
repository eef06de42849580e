"""The rules of amendments, counting the amendments before and after them as currently
known (docs/events.md, "Write rules", "Coverage"; "Catalog v2 write rules")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.clocks import format_instant
from domain.dossier import Dossier
from domain.errors import invalid
from domain.knowledge import Belief
from domain.rules import in_valid_time_order, live_beliefs
from domain.rules_dates import check_compliance_date

COVERAGE = ("chips", "criteria", "companies")


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
    for belief in in_valid_time_order(live_beliefs(dossier)):
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
