"""Deciding one envelope against the log: every write rule of docs/events.md, "Write rules", as a pure function.

The caller supplies a `Ledger` (what the log says now) and gets back a `Decision` — which
aggregate the event joins and its canonical fields — or a DomainError locating each fault.
Clocks that need the server (recorded_at, the reported_at default) are stamped by the
writer, not here, so this module stays free of time and I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError

from domain.catalog import CATALOG, CHIP_FIELDS, COMPANY_FIELDS, EventType, Role
from domain.clocks import format_instant
from domain.dossier import Dossier, aggregate_key
from domain.envelope import Envelope
from domain.errors import DuplicateId, InvalidEvent, Problem, VersionConflict, invalid
from domain.ids import GROUP_PREFIX
from domain.rules import check_lifecycle, check_ownership_open, check_resume
from domain.rules_amendments import check_amended_measure, check_amended_tariff
from domain.rules_applications import check_application_end, check_grants_pending, is_application
from domain.rules_dates import check_compliance_date, check_corrected_dates, check_suspension_end


class Ledger(Protocol):
    def dossier(self, key: str, *, expect_new: bool = False) -> Dossier:
        """The aggregate's events; `expect_new`: the caller is about to create it."""
        ...

    def is_registered(self, kind: str, slug: str) -> bool: ...
    def locate(self, event_id: str) -> str | None: ...


@dataclass(frozen=True)
class Decision:
    key: str
    type: str
    effective_at: str | None
    reported_at: (
        str | None
    )  # None: the writer applies the default of docs/clocks.md, "The three clocks"
    summary: str
    sources: list[dict[str, Any]]
    data: dict[str, Any]
    expected_version: int | None


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


def decide(envelope: Envelope, ledger: Ledger) -> Decision:
    event_type = CATALOG[envelope.type]
    _check_clock_fields(envelope, event_type)
    data = canonical_data(event_type, envelope.data)
    if event_type.role is Role.REVISION:
        key = _decide_revision(event_type, data, ledger, envelope.data)
    else:
        check_references(event_type, data, ledger, "/data")
        key = _decide_base(envelope, event_type, data, ledger)
    _check_expected_version(ledger.dossier(key), envelope.expected_version)
    return Decision(
        key=key,
        type=event_type.name,
        effective_at=_text(envelope.effective_at),
        reported_at=_text(envelope.reported_at),
        summary=envelope.summary,
        sources=[s.model_dump(mode="json", exclude_none=True) for s in envelope.sources],
        data=data,
        expected_version=envelope.expected_version,
    )


def _text(moment: Any) -> str | None:
    return None if moment is None else format_instant(moment)


def _check_clock_fields(envelope: Envelope, event_type: EventType) -> None:
    if event_type.is_domain and envelope.effective_at is None:
        raise invalid(f"effective_at is required for {event_type.name}", "/effective_at")
    if event_type.role is Role.REVISION and envelope.effective_at is not None:
        raise invalid(
            "a revision has no effective_at of its own: to move the target in valid time, "
            "put effective_at in data.changes",
            "/effective_at",
        )


def _check_expected_version(dossier: Dossier, expected: int | None) -> None:
    if expected is not None and expected != dossier.version:
        raise VersionConflict(
            f"expected version {expected} of {dossier.key}, but it is at version {dossier.version}",
            [Problem("does not match the current version", "/expected_version")],
            dossier.version,
        )


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


def _decide_base(envelope: Envelope, t: EventType, data: dict[str, Any], ledger: Ledger) -> str:
    key = t.key_of(data)
    dossier = ledger.dossier(key, expect_new=t.role in (Role.REGISTRY, Role.CREATOR))
    pointer = f"/data/{t.id_field}"
    if t.name == "LicenseDenied" and is_application(dossier):
        check_application_end(dossier, t, _effective_at(envelope))  # it ends a pending one
        return key
    if t.role in (Role.REGISTRY, Role.CREATOR):
        if dossier.exists:
            raise DuplicateId(
                f"{t.kind} {data[t.id_field]!r} already exists (ids are never reused)",
                [Problem("already exists", pointer)],
            )
        check_succession(t, data, "/data")
        if t.name == "ExportBanImposed":
            check_compliance_date(data, _effective_at(envelope))
        elif t.name == "LicenseGranted" and data.get("application_id"):
            application = ledger.dossier(aggregate_key("application", data["application_id"]))
            check_grants_pending(application, _effective_at(envelope))
        return key
    effective_at = _effective_at(envelope)
    if t.role is Role.PRODUCTION:
        if t.name == "ProductionResumed":
            check_resume(dossier, data["chips"], effective_at)
        return key
    if t.role is Role.OWNERSHIP:
        if t.name == "OwnershipEnded":
            check_ownership_open(dossier, effective_at)
        return key
    if t.name == "LicenseApplicationWithdrawn" and dossier.exists:
        check_application_end(dossier, t, effective_at)
        return key
    if not dossier.exists:
        raise invalid(f"unknown {t.kind} {data[t.id_field]!r}", pointer)
    check_lifecycle(dossier, t, effective_at)
    if t.name == "ExportBanAmended":
        check_amended_measure(dossier, data, effective_at)
    elif t.name == "TariffAmended":
        check_amended_tariff(dossier, data, effective_at)
    elif t.name == "ExportBanSuspended":
        check_suspension_end(data, effective_at)
    return key


def _effective_at(envelope: Envelope) -> datetime:
    """A domain event's valid time (`_check_clock_fields` has refused one without it)."""
    if envelope.effective_at is None:
        raise invalid(f"effective_at is required for {envelope.type}", "/effective_at")
    return envelope.effective_at


def check_succession(event_type: EventType, data: dict[str, Any], at: str) -> None:
    if event_type.name == "ChipRegistered" and data.get("successor_of") == data["chip"]:
        raise invalid("a chip cannot succeed itself", f"{at}/successor_of")


def _decide_revision(t: EventType, data: dict[str, Any], ledger: Ledger, model: Any) -> str:
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
