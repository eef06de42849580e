"""Catalog v2 through `regtl load`, `regtl export` and `regtl projections rebuild`
(docs/cli.md): a log of every new type, with a revision, round-trips into a fresh database
event for event, and a chip's state read there — after the load, and again after a rebuild —
equals the state read where it was written.
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

GROUP_DEFINED = "5f0c1a52-2b6e-4c39-9a3e-0d1c7e6b8a01"  # the id the file gives it
NOW = datetime(2026, 1, 1, tzinfo=UTC)
AS_OF = ["2025-04-20", "2025-05-20", "2025-06-10", "2025-08-10", "2025-08-20"]
KNOWN_AT = [datetime(2025, 8, 1, tzinfo=UTC), NOW]  # before and after the correction


def v2_log() -> list[dict[str, Any]]:
    """The H20 (named) and the B30 (covered by the measure's criteria, not by its review
    override's: another policy), the group ear-d5 defined, amended and corrected (reported
    later), and a measure with every v2 field amended, suspended twice, and reinstated."""
    b30 = {"tpp": 4000, "memory_bandwidth_gbps": 4000, "process_node_nm": 4}
    corrected_group = {**v2.group()["data"], "members": ["CN", "MO", "KP"]}
    return [
        *b.basics(),
        b.chip("b30", specs={**b30, "memory_bandwidth_density": "1.0"}),
        {**v2.group(), "id": GROUP_DEFINED},
        v2.group_amended(add=["RU"], remove=["MO"]),
        v2.v2_measure(
            compliance_at="2025-05-01", criteria=[{"tpp_lt": 21000, "process_node_nm_max": 7}]
        ),
        b.amendment(except_destinations=["group:ear-d5"], effective_at="2025-05-15"),
        b.amendment(except_destinations=[], effective_at="2025-05-16"),
        v2.suspension(effective_at="2025-06-01", until="2025-06-30"),
        v2.suspension(effective_at="2025-08-01"),
        v2.reinstatement(effective_at="2025-08-15"),
        {**b.correction(GROUP_DEFINED, data=corrected_group), "reported_at": "2025-09-01"},
    ]


def states(settings: Settings) -> States:
    """The H20's and the B30's states at every (as_of, known_at) of the test, at the head."""
    return states_at(settings, [("chip", "h20"), ("chip", "b30")], AS_OF, KNOWN_AT)


def test_the_v2_log_round_trips_through_export_load_and_rebuild(
    backend: Backend, sqlite_backend: Backend, tmp_path: Path
) -> None:
    before = round_trip(v2_log(), backend.settings, sqlite_backend.settings, tmp_path, states)
    # what is compared is a v2 state: a group resolved as known at K, a suspension
    early, late = (before[f"h20@2025-05-20/{format_instant(k)}"]["export"] for k in KNOWN_AT)
    assert (sorted(early), sorted(late)) == (["CN", "RU"], ["CN", "KP", "RU"])
    assert before[f"b30@2025-06-10/{format_instant(NOW)}"]["suspended_measures"] != []


def test_the_exported_v2_events_keep_their_data_as_stored(
    sqlite_backend: Backend, tmp_path: Path
) -> None:
    by_type = stored_data_by_type(sqlite_backend.settings, v2_log(), tmp_path)
    imposed = by_type["ExportBanImposed"][0]
    assert imposed["review_overrides"] == v2.v2_stored()["review_overrides"]
    assert imposed["criteria"] == [{"tpp_lt": "21000", "process_node_nm_max": "7"}]
    assert by_type["DestinationGroupAmended"] == [
        {"group_id": "ear-d5", "add": ["RU"], "remove": ["MO"]}
    ]
    assert by_type["ExportBanAmended"][1] == {"measure_id": v2.MEASURE, "except_destinations": []}
    assert [s.get("until") for s in by_type["ExportBanSuspended"]] == ["2025-07-01T00:00:00Z", None]
    assert by_type["EventCorrected"][0]["event_id"] == GROUP_DEFINED
