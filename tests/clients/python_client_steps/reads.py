"""Reads of the shipped demo's H20: its state in summer and in spring, its history, and the
chips listed for CN by status."""

from __future__ import annotations

from typing import Any

from .support import DEMO_LICENCE, DEMO_MEASURE, END_OF_AUGUST_15, Script, check, same


def h20_state(s: Script) -> Any:
    """The H20 as of mid-August 2025 (licensed for China), as known now; and in spring. The
    summer answer is returned: later writes are stored after its position."""
    get_chip_state = s.ops["get_chip_state"]
    summer = s.gen.answer(
        get_chip_state.sync_detailed(
            chip="h20", client=s.reader, as_of="2025-08-15", known_at=s.known_at
        ),
        "GET /v1/chips/h20 as of 2025-08-15",
    )
    same(summer.chip, "h20", "chip")
    same(summer.name, "H20", "name")
    same(summer.manufacturer, "nvidia", "manufacturer")
    same(summer.specs.tpp, "2368", "specs.tpp (decimals come back as strings)")
    same(summer.as_of, END_OF_AUGUST_15, "as_of (a bare date: the end of that day)")
    check(summer.position >= 17, f"position {summer.position}: the demo alone has 17 events")
    same(summer.production.status, "active", "production.status")
    check("CN" in summer.export, "H20 as of 2025-08-15: no export entry for CN")
    cn = summer.export["CN"]
    same(cn.status, "licensed", "export.CN.status as of 2025-08-15")
    same(cn.licenses, [DEMO_LICENCE], "export.CN.licenses")
    same(cn.measures, [DEMO_MEASURE], "export.CN.measures")
    same(cn.matched_by[DEMO_MEASURE].by, "named", "export.CN.matched_by")
    same(cn.by_jurisdiction["US"], "licensed", "export.CN.by_jurisdiction.US")

    spring = s.gen.answer(
        get_chip_state.sync_detailed(
            chip="h20", client=s.reader, as_of="2025-05-01", known_at=s.known_at
        ),
        "GET /v1/chips/h20 as of 2025-05-01",
    )
    same(spring.export["CN"].status, "license_required", "export.CN.status as of 2025-05-01")
    return summer


def h20_history(s: Script) -> None:
    """Its history: spans split at every change."""
    history = s.gen.answer(
        s.ops["get_chip_history"].sync_detailed(chip="h20", client=s.reader, known_at=s.known_at),
        "GET /v1/chips/h20/history",
    )
    same(history.chip, "h20", "history.chip")
    check(len(history.spans) > 0, "history: no spans")
    same(history.spans[0].from_, None, "history: the first span starts at the beginning")
    same(history.spans[-1].to, None, "history: the last span is open")
    statuses = [
        span.state.export["CN"].status.value if "CN" in span.state.export else "unrestricted"
        for span in history.spans
    ]
    changes = [status for i, status in enumerate(statuses) if i == 0 or status != statuses[i - 1]]
    same(changes, ["unrestricted", "license_required", "licensed"], "history: CN statuses")
    # detail=lanes: each span only what the lanes draw, so the union's other branch
    operation = s.ops["get_chip_history"]
    lanes = s.gen.answer(
        operation.sync_detailed(
            chip="h20",
            client=s.reader,
            known_at=s.known_at,
            detail=s.gen.enum(operation, "detail", "lanes"),
        ),
        "GET /v1/chips/h20/history?detail=lanes",
    )
    same({type(span.state).__name__ for span in lanes.spans}, {"ChipLanes"}, "lanes: states")
    check(len(lanes.spans) < len(history.spans), "lanes: fewer spans than the full history")
    lane_statuses = [
        span.state.export["CN"].status.value if "CN" in span.state.export else "unrestricted"
        for span in lanes.spans
    ]
    same(lane_statuses[-1], "licensed", "lanes: CN at the end")
    same(lanes.spans[-1].state.production.status.value, "halted", "lanes: production")


def listed_for_cn(s: Script, status: str) -> Any:
    """GET /v1/chips with filters: the chips of `status` for CN as of 2025-08-15."""
    list_chips = s.ops["list_chips"]
    return s.gen.answer(
        list_chips.sync_detailed(
            client=s.reader,
            destination="CN",
            status=s.gen.enum(list_chips, "status", status),
            as_of="2025-08-15",
        ),
        f"GET /v1/chips?destination=CN&status={status}",
    )


def filtered_lists(s: Script) -> None:
    licensed = listed_for_cn(s, "licensed")
    # (the other client's script may have added chips: its own are banned, never licensed)
    same([item.chip for item in licensed.items], ["h20"], "chips licensed for CN on 2025-08-15")
    same(licensed.items[0].export["CN"].status, "licensed", "listed item's CN status")
    same(licensed.next_, None, "one page")
    banned = listed_for_cn(s, "banned")
    check("h20" not in [item.chip for item in banned.items], "H20 listed as banned for CN")
    for item in banned.items:
        same(item.export["CN"].status, "banned", f"{item.chip}: listed as banned for CN")
