"""The point-in-time workload: its sizes, the knobs (BENCH_PIT_*), the clock range and the
mix of events the history draws from."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.bench.common import scale, scaled

SEED = int(os.environ.get("BENCH_PIT_SEED", "20250811"))
LOAD_MODE = os.environ.get("BENCH_PIT_LOAD", "direct")  # direct | writer
# This PostgreSQL runs with autovacuum off, so a freshly loaded table has no statistics and
# the planner guesses (badly, see the report). A default server's autovacuum would ANALYZE
# within a minute of the load; BENCH_PIT_ANALYZE=0 measures the unanalysed plans instead.
ANALYZE = os.environ.get("BENCH_PIT_ANALYZE", "1") != "0"

START = datetime(2018, 1, 1, tzinfo=UTC)  # recorded_at runs from here ...
END = datetime(2025, 12, 31, tzinfo=UTC)  # ... to here; queries draw T and K over the range
DAY = timedelta(days=1)

# The mix of domain events (relative weights); registrations and revisions come on top.
MIX = {
    "ExportBanImposed": 10,
    "ExportBanAmended": 5,
    "ExportBanLifted": 4,
    "ExportBanSuspended": 0.6,
    "ExportBanReinstated": 0.25,
    "LicenseGranted": 16,
    "LicenseDenied": 3,
    "LicenseRevoked": 3,
    "RevenueShareAgreed": 5,
    "RevenueShareEnded": 2,
    "AdvisoryIssued": 8,
    "AdvisoryWithdrawn": 3,
    "ProductionHalted": 10,
    "ProductionResumed": 6,
    "InvestigationOpened": 7,
    "InvestigationConcluded": 4,
}
REVISION_SHARE = 0.05  # of all events: corrections and retractions
RETRACTION_SHARE = 0.3  # of revisions
# of measures: threshold clauses (every chip's slice holds every such measure)
CRITERIA_SHARE = float(os.environ.get("BENCH_PIT_CRITERIA_SHARE", "0.02"))
END_USER_SHARE = 0.10  # of measures: name end-user companies
HOT_CHIPS = 0.02  # this share of chips ...
HOT_PICKS = 0.25  # ... gets this share of the mentions (flagships are named often)
INITIAL_CHIPS = 0.4  # registered before any domain event; the rest arrive over time
# Catalog v2 (tests/bench/pit/catalog_v2.py; docs/performance.md, "What the generated logs
# hold"). Groups: tests/bench/v2_mix.py GROUPS, each amended this often on average.
GROUP_AMENDMENTS = 3.5
GROUP_SHARE = 0.32  # of measures of a jurisdiction with groups: name one or two in destinations
EXCEPT_SHARE = 0.4  # of those: with except_destinations
POLICY_SHARE = 0.6  # of license_required measures: with a review_policy
OVERRIDE_SHARE = 0.2  # of license_required measures: with review_overrides
EXCEPTION_SHARE = 0.12  # of license_required measures: with licence exceptions
COMPLIANCE_SHARE = 0.12  # of measures: a compliance_at 30-180 days after effective_at
V2_AMENDMENT_SHARE = 0.3  # of amendments: change a catalog v2 field
UNTIL_SHARE = 0.5  # of suspensions: with an until (the others end by a reinstatement, or not)
CAPPED_SHARE = 0.3  # of criteria: one more clause bounded above (_lt / _max)
V2_PROBE_SHARE = 0.5  # of point-in-time probes: a chip named by a measure using catalog v2

EXPORTERS = ["US"] * 14 + ["NL", "NL", "JP", "JP", "EU", "GB", "KR", "TW", "CN"]
DESTINATIONS = [
    "CN",
    "RU",
    "IR",
    "KP",
    "HK",
    "MO",
    "BY",
    "SY",
    "CU",
    "VE",
    "AE",
    "SA",
    "IN",
    "VN",
    "MY",
    "SG",
    "US",
    "NL",
]
AUTHORITY = {
    "US": "BIS",
    "NL": "MinBuZa",
    "JP": "METI",
    "EU": "European Commission",
    "GB": "ECJU",
    "KR": "MOTIE",
    "TW": "MOEA",
    "CN": "MOFCOM",
}
REGULATORS = [
    ("CAC", "CN"),
    ("SAMR", "CN"),
    ("MIIT", "CN"),
    ("BIS", "US"),
    ("FTC", "US"),
    ("DG COMP", "EU"),
    ("CMA", "GB"),
    ("KFTC", "KR"),
    ("JFTC", "JP"),
]
GUIDANCE = [
    "caution",
    "avoid_purchase",
    "purchase_ban",
    "import_blocked",
    "security_review",
    "other",
]
LIFT_REASONS = ["rescinded", "suspended", "expired", "superseded", "other"]


def sizes() -> dict[str, Any]:
    events = scaled(100_000, 2_000)
    return {
        "pit_events": events,
        "pit_chips": scaled(5_000, 100),
        "pit_companies": scaled(500, 20),
        "pit_queries": scaled(2_000, 200),
        "pit_cold_queries": scaled(300, 100),
        "pit_http_chips": scaled(500, 100),
        "pit_fold_sample": max(3, min(10, round(0.5 / scale()))),
        "pit_equality_sample": max(5, min(25, round(2.5 / scale()))),
        "pit_http_seconds": max(3, round(10 * scale())),
        "pit_load": LOAD_MODE,
        "pit_analyze": ANALYZE,
        "pit_mix": {
            "criteria_share_of_measures": CRITERIA_SHARE,
            "hot_chips": f"{HOT_CHIPS:.0%} of chips get {HOT_PICKS:.0%} of mentions",
            "revisions_share": REVISION_SHARE,
            "catalog_v2": {
                "groups_amended_each": GROUP_AMENDMENTS,
                "group_share_of_measures_with_groups": GROUP_SHARE,
                "except_share": EXCEPT_SHARE,
                "policy_override_exception_share_of_licence_measures": [
                    POLICY_SHARE,
                    OVERRIDE_SHARE,
                    EXCEPTION_SHARE,
                ],
                "compliance_share": COMPLIANCE_SHARE,
                "v2_amendment_share": V2_AMENDMENT_SHARE,
                "until_share_of_suspensions": UNTIL_SHARE,
                "v2_probe_share": V2_PROBE_SHARE,
            },
        },
    }
