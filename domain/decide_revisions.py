"""The write rules of a revision (docs/events.md, "Revisions"): its target, what a
retraction may not retract, and a correction's replacement data and dates."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from domain.catalog import CATALOG, EventType, Role
from domain.decide_payload import canonical_data, check_references, check_succession
from domain.errors import InvalidEvent, Problem, invalid
from domain.ledger import Ledger
from domain.rules_dates import check_corrected_dates


def decide_revision(t: EventType, data: dict[str, Any], ledger: Ledger, model: Any) -> str:
    event_id = data["event_id"]
    key = ledger.locate(event_id)
    target = ledger.dossier(key).event(event_id) if key else None
    if key is None or target is None:
        raise invalid(f"unknown event {event_id}", "/data/event_id")
    target_type = CATALOG[target.type]
    if target_type.role is Role.REVISION:
        raise invalid("a revision cannot be revised: revise the original event", "/data/event_id")
    if t.name == "EventRetracted":
        if target_type.role is Role.REGISTRY:
            raise invalid(
                f"a {target.type} cannot be retracted (ids are never freed): correct it instead",
                "/data/event_id",
            )
        return key
    changes = data["changes"]
    if "data" in changes:
        # Validate what the client sent, not its JSON dump: dumping turns a number into
        # text, which a strict text field would then accept.
        raw = model.changes.data
        changes["data"] = _validated_replacement(target_type, target.data, raw, ledger)
    for clock in ("effective_at", "reported_at"):
        if clock in changes and changes[clock] is None:
            raise invalid(f"{clock} cannot be removed", f"/data/changes/{clock}")
    check_corrected_dates(ledger.dossier(key), event_id, changes)
    return key


def _located(at: str, error: Any) -> str:
    """A pydantic error's JSON pointer under `at`; a repeat in a list is located at its index
    (as the API does for the envelope, services/write/parsing.py)."""
    pointer = at + "".join(f"/{p}" for p in error["loc"])
    if error["type"] == "duplicate_item":
        pointer += f"/{error['ctx']['index']}"
    return pointer


def _validated_replacement(
    target_type: EventType, old: dict[str, Any], new: dict[str, Any], ledger: Ledger
) -> dict[str, Any]:
    at = "/data/changes/data"
    try:
        model = target_type.model.model_validate(new)
    except ValidationError as error:
        raise InvalidEvent(
            f"data.changes.data is not a valid {target_type.name} payload",
            [Problem(e["msg"], _located(at, e)) for e in error.errors()],
        ) from None
    replacement = canonical_data(target_type, model)
    identity = ("owner", "owned") if target_type.role is Role.OWNERSHIP else (target_type.id_field,)
    for name in identity:
        if replacement.get(name) != old.get(name):
            raise invalid(
                f"{name} identifies the object and cannot be corrected: "
                "retract the event and record it anew",
                f"{at}/{name}",
            )
    check_succession(target_type, replacement, at)
    check_references(target_type, replacement, ledger, at)
    return replacement
