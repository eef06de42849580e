"""Catalog v2 part 2 through `regtl load`, `regtl export` and `regtl projections rebuild`
(docs/cli.md): a log of every part-2 type — applications granted, denied, withdrawn and
pending, ownership recorded, ended and corrected, a measure reaching affiliates, tariffs
amended and lifted, announcements implemented and withdrawn, licences and agreements with
their new fields — round-trips into a fresh database event for event, and the companies'
and the chip's states read there (owners, holdings, export restrictions via affiliates,
applications, duties, announcements) — after the load, and again after a rebuild — equal
those read where the log was written.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from domain.clocks import format_instant
from services.settings import Settings
from tests.conftest import Backend
from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.support.transfer import States, round_trip, states_at, stored_data_by_type

RECORDED = "7d2a9c41-5b3e-4f0a-8c6d-1e2f3a4b5c61"  # a's 60 % of b, corrected to 45 % later
NOW = datetime(2026, 12, 1, tzinfo=UTC)
AS_OF = ["2025-03-15", "2025-07-20", "2025-08-20", "2025-09-15", "2026-01-20", "2026-06-15"]
KNOWN_AT = [datetime(2025, 9, 1, tzinfo=UTC), NOW]  # before and after the correction
SUBJECTS = [("company", c) for c in ("a", "b", "c", "nvidia")] + [("chip", "h20")]
ANNOUNCED, WITHDRAWN, TARIFFED = "ann-measure", "ann-withdrawn", "ann-tariff"


def part2_log() -> list[dict[str, Any]]:
    """a lists as end user with affiliates at 50 %: b (a 60 %) and c (a 25 % + b 30 %) are
    reached until a's share of c ends on 2025-09-01 and a correction, reported on
    2025-10-01, brings a's share of b down to 45 %."""
    return [
        *b.basics(),
        *(b.company(slug) for slug in ("a", "b", "c")),
        {**v2.owns("a", "b", 60), "id": RECORDED},
        v2.owns("b", "c", 30),
        v2.owns("a", "c", 25),
        v2.ownership_ended("a", "c", effective_at="2025-09-01"),
        v2.announced(ANNOUNCED, effective_at="2025-02-01"),
        v2.announced(WITHDRAWN, effective_at="2025-02-01", companies=["a"]),
        v2.announcement_withdrawn(WITHDRAWN, effective_at="2025-04-01", reason="dropped"),
        b.measure(
            "el",
            effective_at="2025-03-01",
            chips=[],
            companies=["a"],
            control="ban",
            affiliates_min_percent=50,
            implements=[ANNOUNCED],
        ),  # fmt: skip
        *(v2.applied(app) for app in ("app-granted", "app-denied", "app-withdrawn")),
        v2.applied("app-pending", effective_at="2025-10-01"),
        b.license_granted(
            "lic",
            application_id="app-granted",
            conditions=["no military end use"],
            end_users=["a"],
            implements=[ANNOUNCED],
        ),  # fmt: skip
        b.license_denied("app-denied", effective_at="2025-08-01"),
        v2.application_withdrawn("app-withdrawn", effective_at="2025-09-01"),
        b.revenue_share("share", implements=[ANNOUNCED]),
        v2.announced(TARIFFED, expected_effective_at="2026-01-15"),
        v2.tariff(destinations=["CN"], basis="Section 232", implements=[TARIFFED]),
        v2.tariff_amended(rate_percent=50),
        v2.tariff_lifted(reason="court ruling"),
        {
            **b.correction(RECORDED, data=v2.owns("a", "b", 45)["data"]),
            "reported_at": "2025-10-01",
        },
    ]


def states(settings: Settings) -> States:
    """Each subject's state at every (as_of, known_at) of the test, at the head."""
    return states_at(settings, SUBJECTS, AS_OF, KNOWN_AT)


def at(state: dict[str, Any], subject: str, as_of: str, known_at: datetime = NOW) -> Any:
    return state[f"{subject}@{as_of}/{format_instant(known_at)}"]


def check_what_is_compared(before: dict[str, Any]) -> None:
    """The states compared hold part 2's answers, as known before and after the correction."""
    early = KNOWN_AT[0]
    via = [r["via"] for r in at(before, "c", "2025-07-20", early)["export_restrictions"]]
    assert via == [{"owners": ["a", "b"], "percent": "55"}]
    assert at(before, "b", "2025-09-15", early)["owners"] == [{"owner": "a", "percent": "60"}]
    assert at(before, "b", "2025-09-15")["owners"] == [{"owner": "a", "percent": "45"}]
    assert at(before, "b", "2025-09-15")["export_restrictions"] == []
    assert at(before, "a", "2025-07-20")["holdings"] == [
        {"owned": "b", "percent": "45"},
        {"owned": "c", "percent": "25"},
    ]
    pending = [a["application_id"] for a in at(before, "nvidia", "2025-07-20")["applications"]]
    assert pending == ["app-denied", "app-granted", "app-withdrawn"]
    assert [a["application_id"] for a in at(before, "nvidia", "2026-01-20")["applications"]] == [
        "app-pending"
    ]
    [duty] = at(before, "h20", "2026-01-20")["duties"]
    assert (duty["rate_percent"], duty["basis"]) == ("25", "Section 232")
    assert at(before, "h20", "2026-06-15")["duties"] == []
    # the measure implements ANNOUNCED on 03-01; WITHDRAWN (naming a) is open until 04-01
    for subject in ("a", "h20"):
        announced = [
            x["announcement_id"] for x in at(before, subject, "2025-03-15")["announcements"]
        ]
        assert announced == [WITHDRAWN]
        assert at(before, subject, "2025-07-20")["announcements"] == []


def test_the_part2_log_round_trips_through_export_load_and_rebuild(
    backend: Backend, sqlite_backend: Backend, tmp_path: Path
) -> None:
    before = round_trip(part2_log(), backend.settings, sqlite_backend.settings, tmp_path, states)
    check_what_is_compared(before)


def test_the_exported_part2_events_keep_their_data_as_stored(
    sqlite_backend: Backend, tmp_path: Path
) -> None:
    by_type = stored_data_by_type(sqlite_backend.settings, part2_log(), tmp_path)
    assert by_type["TariffAmended"] == [{"tariff_id": v2.TARIFF, "rate_percent": "50"}]
    assert by_type["OwnershipEnded"] == [{"owner": "a", "owned": "c"}]
    assert by_type["LicenseGranted"][0]["end_users"] == ["a"]
    assert by_type["ExportBanImposed"][0]["affiliates_min_percent"] == "50"
    assert by_type["PolicyAnnounced"][2]["expected_effective_at"] == "2026-01-15T00:00:00Z"
    assert "expected_effective_at" not in by_type["PolicyAnnounced"][0]
    assert by_type["EventCorrected"][0]["changes"]["data"]["percent"] == "45"
