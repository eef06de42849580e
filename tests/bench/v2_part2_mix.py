"""Catalog v2 part 2 in a generated log (docs/performance.md, "What the generated logs hold"):
the steps both generators draw and their weights, and the vocabulary of licence
applications, ownership, tariffs and announcements (docs/events.md, "Catalog v2").

The part-2 steps come on top of each generator's own mix: before each ordinary step, one of
these with probability PART2_SHARE, drawn by STEPS. A step that has nothing to act on (no
pending application, no open tariff) falls back to the creation of its kind, so the counts
stay close to the weights. Events of the new types are never revision targets (a correction
or retraction of one could invalidate a later event of its object: the generators would
have to track revised applications, pairs and tariffs); the v1 types that carry part-2
fields (a grant naming an application, a measure with `affiliates_min_percent` or
`implements`) stay targets, and their revisions keep the write rules as v1's do."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from typing import Any

# Weights per 100,000 events: a few hundred applications, most granted by a licence naming
# them, some denied or withdrawn; ownership among the companies (some pairs re-recorded with
# a new percent, some ended); ~100 tariffs with amendments and lifts; ~100 announcements,
# about half implemented by a later measure, tariff, licence or agreement, some withdrawn.
STEPS = {
    "apply": 450,
    "grant_application": 300,
    "deny_application": 60,
    "withdraw_application": 40,
    "own": 330,
    "reown": 90,
    "disown": 80,
    "tariff": 100,
    "amend_tariff": 60,
    "lift_tariff": 30,
    "announce": 110,
    "implement": 60,
    "withdraw_announcement": 20,
}
PART2_SHARE = sum(STEPS.values()) / 100_000
STEP_NAMES = list(STEPS)
STEP_CUM = list(itertools.accumulate(STEPS.values()))
# A step that acts on an earlier object: the generator's pool it picks from (both
# generators name them so), and the step it falls back to when that pool is empty.
NEEDS = {
    "grant_application": ("pending", "apply"),
    "deny_application": ("pending", "apply"),
    "withdraw_application": ("pending", "apply"),
    "reown": ("held", "own"),
    "disown": ("held", "own"),
    "amend_tariff": ("tariffs", "tariff"),
    "lift_tariff": ("tariffs", "tariff"),
    "implement": ("announced", "announce"),
    "withdraw_announcement": ("announced", "announce"),
}
AFFILIATES_SHARE = 0.1  # of measures naming end users: with affiliates_min_percent
AFFILIATE_PERCENTS = ["50", "50", "25", "10"]
OWNER_PERCENTS = ["100", "100", "51", "60", "75", "49", "30", "20", "10", "12.5"]
CHAIN_SHARE = 0.5  # of new ownerships: the owner is itself owned (chains of holdings)
PARENTS = 0.1  # of companies: the parents most holdings start from
IMPLEMENTERS = ["measure", "measure", "tariff", "license", "agreement"]

APPLICATION_WITHDRAWALS = ["withdrawn by the applicant", "returned without action"]
ANNOUNCEMENT_WITHDRAWALS = ["Policy reconsidered", "Superseded by a new announcement"]
TARIFF_LIFTS = ["Trade agreement concluded", "Exclusion granted", "Expired"]
# (jurisdiction, authority, direction, basis, origins a duty names)
TARIFF_KINDS: list[tuple[str, str, str, str | None, list[str]]] = [
    ("US", "USTR", "import", "Section 301", ["CN", "HK"]),
    ("US", "BIS", "import", "Section 232", ["CN", "TW", "KR", "MY", "VN"]),
    ("US", "CBP", "import", "IEEPA reciprocal tariff", ["CN", "VN", "MY", "TW"]),
    ("CN", "MOFCOM", "import", "Anti-dumping duty on analog chips", ["US"]),
    ("CN", "MOFCOM", "export", None, []),
    ("US", "BIS", "export", "Export levy on advanced computing chips", []),
    ("EU", "DG TRADE", "import", "Anti-subsidy duty", ["CN"]),
]
TARIFF_RATES = ["10", "15", "25", "25", "50", "100", "125"]
# destinations of an export duty: codes, or a group the jurisdiction defines (v2_mix.GROUPS)
EXPORT_DESTINATIONS = {"CN": [["US"], ["US", "JP", "NL"]], "US": [["group:ear-d5"]]}


def step(rng: random.Random, generator: object) -> str:
    """The next part-2 step: drawn by STEPS, or its fallback if it has nothing to act on."""
    kind = rng.choices(STEP_NAMES, cum_weights=STEP_CUM)[0]
    if kind in NEEDS and not getattr(generator, NEEDS[kind][0]):
        return NEEDS[kind][1]
    return kind


def tariff_data(
    rng: random.Random, tariff_id: str, chips: list[str], criteria: list[dict[str, Any]]
) -> dict[str, Any]:
    """A `TariffImposed`'s data in the stored form: `chips` (not empty) or `criteria`, the
    optional fields only when given."""
    jurisdiction, authority, direction, basis, origins = rng.choice(TARIFF_KINDS)
    by_criteria = rng.random() < 0.3  # a duty on a tier (e.g. chips above a TPP) or named chips
    data: dict[str, Any] = {
        "tariff_id": tariff_id,
        "authority": authority,
        "jurisdiction": jurisdiction,
        "direction": direction,
        "rate_percent": rng.choice(TARIFF_RATES),
        "chips": [] if by_criteria else chips,
        "criteria": criteria if by_criteria else [],
    }
    if origins:
        data["origins"] = sorted(rng.sample(origins, rng.randint(1, min(2, len(origins)))))
    if direction == "export" and jurisdiction in EXPORT_DESTINATIONS:
        data["destinations"] = rng.choice(EXPORT_DESTINATIONS[jurisdiction])
    if basis is not None:
        data["basis"] = basis
    return data


def tariff_change(rng: random.Random, current: dict[str, Any], chips: list[str]) -> dict[str, Any]:
    """A `TariffAmended`'s fields (the id aside): a new rate mostly, else new chips (only on
    a tariff naming chips, so it keeps covering something) or a new basis."""
    roll = rng.random()
    if roll < 0.6 or (roll < 0.8 and not current["chips"]):
        return {
            "rate_percent": rng.choice([r for r in TARIFF_RATES if r != current["rate_percent"]])
        }
    if roll < 0.8:
        return {"chips": chips}
    return {"basis": "Section 232 (as amended)"}


COUNTED = {
    "LicenseApplied": "applications_filed",
    "LicenseApplicationWithdrawn": "applications_withdrawn",
    "OwnershipEnded": "ownership_ends",
    "TariffImposed": "tariffs",
    "TariffAmended": "tariff_amendments",
    "TariffLifted": "tariff_lifts",
    "PolicyAnnounced": "announcements",
    "PolicyAnnouncementWithdrawn": "announcement_withdrawals",
}
IMPLEMENTS_IN = {
    "ExportBanImposed": "implements_in_measures",
    "LicenseGranted": "implements_in_licences",
    "RevenueShareAgreed": "implements_in_agreements",
    "TariffImposed": "implements_in_tariffs",
}


def count_part2(seen: Counter[str], type_: str, data: dict[str, Any], known: set[str]) -> None:
    """Add one event's part-2 counts to `seen`. `known` holds the applications filed and the
    ownership pairs recorded so far (a denial ends a filed application, else it is a v1
    record; a pair recorded again has a new percent): keep it across a log's batches."""
    if type_ in COUNTED:
        seen[COUNTED[type_]] += 1
    if type_ in IMPLEMENTS_IN and data.get("implements"):
        seen[IMPLEMENTS_IN[type_]] += 1
    if type_ == "LicenseApplied":
        known.add(f"application:{data['application_id']}")
    elif type_ == "LicenseDenied" and f"application:{data['application_id']}" in known:
        seen["applications_denied"] += 1
    elif type_ == "LicenseGranted" and data.get("application_id"):
        seen["applications_granted"] += 1
    elif type_ == "OwnershipRecorded":
        pair = f"ownership:{data['owner']}:{data['owned']}"
        seen["ownership_rerecords" if pair in known else "ownership_records"] += 1
        known.add(pair)
    elif type_ == "ExportBanImposed" and data.get("affiliates_min_percent"):
        seen["measures_with_affiliates"] += 1
