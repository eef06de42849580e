"""Writes with the generated models, then reads of what they stored: one event, a batch (a ban
of the new chip and its successor), and the new chip's state once the projections reach
the batch. The event types are our catalog's, so their models are named."""

from __future__ import annotations

from typing import Any

from .support import Script, check, same


def register_chip(s: Script, chip: str, after: int) -> Any:
    """POST /v1/events: the new chip, stored after position `after`."""
    m = s.gen.models
    registered = s.gen.answer(
        s.ops["append_event"].sync_detailed(
            client=s.writer,
            body=m.ChipRegisteredEvent(
                type_="ChipRegistered",
                summary="registered by the generated Python client",
                data=m.ChipRegistered(
                    chip=chip,
                    name=f"{s.prefix.upper()} X1",
                    manufacturer="nvidia",
                    specs=m.Specs(tpp="4800"),
                ),
            ),
        ),
        "POST /v1/events",
    )
    same(registered.type_, "ChipRegistered", "stored event type")
    same(registered.version, 1, "stored event version")
    check(registered.position > after, f"stored at {registered.position}")
    return registered


def ban_and_succeed(
    s: Script, chip: str, successor: str, measure: str, registered: Any
) -> tuple[Any, Any]:
    """POST /v1/events/batch: a ban of `chip` for CN from June, and its successor's
    registration, stored in that order after `registered`."""
    m = s.gen.models
    append_event_batch = s.ops["append_event_batch"]
    batch_in = s.gen.body_type(append_event_batch)
    batch = s.gen.answer(
        append_event_batch.sync_detailed(
            client=s.writer,
            body=batch_in(
                events=[
                    m.ExportBanImposedEvent(
                        type_="ExportBanImposed",
                        effective_at="2025-06-01",
                        reported_at="2025-06-02",
                        data=m.ExportBanImposed.from_dict(
                            {
                                "measure_id": measure,
                                "authority": "BIS",
                                "jurisdiction": "US",
                                "destinations": ["CN"],
                                "chips": [chip],
                                "control": "ban",
                            }
                        ),
                    ),
                    m.ChipRegisteredEvent(
                        type_="ChipRegistered",
                        data=m.ChipRegistered(
                            chip=successor, name="X2", manufacturer="nvidia", successor_of=chip
                        ),
                    ),
                ]
            ),
        ),
        "POST /v1/events/batch",
    )
    same(len(batch.items), 2, "batch items")
    ban, second = batch.items
    check(
        registered.position < ban.position < second.position,
        f"batch positions {ban.position}, {second.position} after {registered.position}",
    )
    same([ban.version, second.version], [1, 1], "batch versions")
    return ban, second


def new_chip_state(s: Script, chip: str, measure: str, min_position: int) -> None:
    """The new chip, read once the projections reach the batch: banned from June."""
    get_chip_state = s.ops["get_chip_state"]
    june = s.gen.answer(
        get_chip_state.sync_detailed(
            chip=chip, client=s.reader, as_of="2025-07-01", min_position=min_position
        ),
        f"GET /v1/chips/{chip}",
    )
    same(june.name, f"{s.prefix.upper()} X1", "new chip's name")
    same(june.export["CN"].status, "banned", "new chip's CN status as of 2025-07-01")
    same(june.export["CN"].measures, [measure], "new chip's CN measures")
    may = s.gen.answer(
        get_chip_state.sync_detailed(
            chip=chip, client=s.reader, as_of="2025-05-01", min_position=min_position
        ),
        f"GET /v1/chips/{chip} as of 2025-05-01",
    )
    check("CN" not in may.export, "no restriction before the ban")
