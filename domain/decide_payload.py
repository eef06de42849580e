"""Any payload, an event's or a correction's replacement (docs/events.md, "Write rules"): its
canonical form, no chip its own successor, everything it names registered or recorded."""

from __future__ import annotations

from typing import Any

from domain.catalog import CATALOG, CHIP_FIELDS, COMPANY_FIELDS, EventType, Role
from domain.dossier import aggregate_key
from domain.errors import InvalidEvent, Problem, invalid
from domain.ids import GROUP_PREFIX
from domain.ledger import Ledger

AMENDMENTS = ("ExportBanAmended", "TariffAmended")


def canonical_data(event_type: EventType, model: Any) -> dict[str, Any]:
    """JSON-native, normalised data; an amendment or correction keeps only what it changes.

    An amendment (of a measure or a tariff) keeps only the fields it sends — the fold
    replaces exactly those — but each is normalised whole, as in an imposition: an override
    or exception it sends is stored with its absent lists as [] (`exclude_unset` would
    reach into them too)."""
    if event_type.name in AMENDMENTS:
        sent = model.model_fields_set
        return {k: v for k, v in model.model_dump(mode="json").items() if k in sent}
    dumped: dict[str, Any] = model.model_dump(
        mode="json", exclude_unset=event_type.name == "EventCorrected"
    )
    return dumped


def check_succession(event_type: EventType, data: dict[str, Any], at: str) -> None:
    if event_type.name == "ChipRegistered" and data.get("successor_of") == data["chip"]:
        raise invalid("a chip cannot succeed itself", f"{at}/successor_of")


def _reference_fields(event_type: EventType) -> tuple[tuple[str, str], ...]:
    """(kind, field) of each of the type's fields that names a chip or company, in the
    order the problems are reported: chips first, then companies."""
    fields = event_type.model.model_fields
    return tuple(
        (kind, name)
        for kind, names in (("chip", CHIP_FIELDS), ("company", COMPANY_FIELDS))
        for name in names
        if name in fields and not (event_type.role is Role.REGISTRY and name == event_type.id_field)
    )  # a registry event's own id is the one being registered, not a reference


# Looked up once per type, not per event: most types name one or two of the seven fields.
_REFERENCES = {name: _reference_fields(t) for name, t in CATALOG.items()}


def check_references(event_type: EventType, data: dict[str, Any], ledger: Ledger, at: str) -> None:
    """Every chip or company a payload names must be registered already."""
    problems: list[Problem] = []
    for kind, name in _REFERENCES[event_type.name]:
        value = data.get(name)
        items = value if isinstance(value, list) else [] if value is None else [value]
        for index, slug in enumerate(items):
            if not ledger.is_registered(kind, slug):
                pointer = f"{at}/{name}/{index}" if isinstance(value, list) else f"{at}/{name}"
                problems.append(
                    Problem(
                        f"unknown {kind} {slug!r}: register it first with "
                        f"{'ChipRegistered' if kind == 'chip' else 'CompanyRegistered'}",
                        pointer,
                    )
                )
    problems += _nested_references(data, ledger, at)
    if problems:
        raise InvalidEvent(problems[0].detail, problems)


DESTINATION_FIELDS = ("destinations", "except_destinations")
PARTS = ("review_overrides", "exceptions")  # a measure's parts, each naming chips and places


def _nested_references(data: dict[str, Any], ledger: Ledger, at: str) -> list[Problem]:
    """The groups a measure's destinations name (docs/events.md, "Destination groups") and the
    chips and groups of its overrides and exceptions: each must exist already."""
    named: list[tuple[str, str, str]] = []  # (kind, slug, pointer), in the payload's order

    def groups(pointer: str, entries: list[str] | None) -> None:
        for index, entry in enumerate(entries or []):
            if entry.startswith(GROUP_PREFIX):
                named.append(("group", entry.removeprefix(GROUP_PREFIX), f"{pointer}/{index}"))

    for name in DESTINATION_FIELDS:
        groups(f"{at}/{name}", data.get(name))
    for part in PARTS:
        for index, item in enumerate(data.get(part) or []):
            where = f"{at}/{part}/{index}"
            named += [
                ("chip", c, f"{where}/chips/{i}") for i, c in enumerate(item.get("chips") or [])
            ]
            groups(f"{where}/destinations", item.get("destinations"))
    for index, announcement in enumerate(data.get("implements") or []):
        named.append(("announcement", announcement, f"{at}/implements/{index}"))
    if data.get("application_id") is not None and "license_id" in data:  # a grant's application
        named.append(("application", data["application_id"], f"{at}/application_id"))
    problems = []
    for kind, slug, pointer in named:
        if kind in ("announcement", "application") and not _object_exists(ledger, kind, slug):
            problems.append(Problem(f"unknown {kind} {slug!r}: record it first", pointer))
        elif kind == "chip" and not ledger.is_registered("chip", slug):
            problems.append(
                Problem(f"unknown chip {slug!r}: register it first with ChipRegistered", pointer)
            )
        elif kind == "group" and not _group_exists(ledger, slug):
            problems.append(
                Problem(
                    f"unknown group {slug!r}: define it first with DestinationGroupDefined", pointer
                )
            )
    return problems


def _group_exists(ledger: Ledger, slug: str) -> bool:
    return _object_exists(ledger, "group", slug)


def _object_exists(ledger: Ledger, kind: str, slug: str) -> bool:
    """Created, and its creation not retracted (as currently known)."""
    dossier = ledger.dossier(aggregate_key(kind, slug))
    return dossier.exists and not dossier.beliefs[0].retracted
