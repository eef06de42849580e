"""The demo's sequel (docs/demo.md, "The sequel (2025-2026)"): deploy/demo/h200_sequel.json
loaded after the H20 timeline, and the question it answers — on 20 January 2026, may
Nvidia ship the H200 to China, under what policy and at what cost, and what did we know on
10 December 2025?

Both files are loaded once per backend, as `make run` loads them; every test only reads.
The fake clock stands at 2026-01-15T12:00Z, after every report in the sequel.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from services.cli import devstart
from services.cli.main import REPO_DEMO, REPO_SEQUEL, shipped_demos
from services.cli.transfer import LoadReport, load, read_items
from tests.conftest import Backend
from tests.support import postgres
from tests.support.cli import env_of, regtl
from tests.support.demo import (
    ACS_RULE,
    ANNOUNCEMENT,
    CUSTOMS,
    D5,
    H20_APPLICATION,
    H200_APPLICATION,
    LICENCE,
    PURCHASES,
    TARIFF,
    Demo,
)
from tests.support.service import open_service

ASKED = "2026-01-20"  # the day the question asks about
EARLIER = "2025-12-10"  # what we knew then: two days after the announcement


class Sequel(Demo):
    reports: list[LoadReport]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def sequel(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_farm: postgres.PostgresFarm | None,
) -> Iterator[Sequel]:
    with open_service(request.param, tmp_path_factory.mktemp("sequel"), pg_farm) as service:
        reports = [load(service.container, read_items(path)) for path in shipped_demos()]
        service.container.catch_up()
        demo = Sequel(service.client, service.container)
        demo.reports = reports
        yield demo


def _cn(state: dict[str, Any]) -> dict[str, Any]:
    cn: dict[str, Any] = state["export"]["CN"]
    return cn


# -- loading -----------------------------------------------------------------------------


def test_make_run_loads_the_h20_timeline_then_the_sequel() -> None:
    assert shipped_demos() == [REPO_DEMO, REPO_SEQUEL]


def test_the_sequel_loads_after_the_h20_timeline_with_nothing_refused(sequel: Sequel) -> None:
    sizes = [len(json.loads(path.read_text())) for path in (REPO_DEMO, REPO_SEQUEL)]
    assert [(r.read, r.stored, r.skipped) for r in sequel.reports] == [
        (size, size, 0) for size in sizes
    ]


def test_loading_both_again_stores_nothing(sequel: Sequel) -> None:
    again = [load(sequel.container, read_items(path)) for path in shipped_demos()]
    assert [(r.stored, r.skipped) for r in again] == [(0, r.read) for r in sequel.reports]


def test_regtl_demo_loads_both_in_order_and_says_what_each_stored(
    sqlite_backend: Backend,
) -> None:
    result = regtl(sqlite_backend.settings, "demo")
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        "h20_timeline.json:",
        "read 17, stored 17, already stored 0",
        "h200_sequel.json:",
        "read 12, stored 12, already stored 0",
    ]


def test_make_run_loads_both_into_an_empty_database_and_says_so(
    sqlite_backend: Backend, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in env_of(sqlite_backend.settings).items():
        monkeypatch.setenv(name, value)
    devstart.main([])
    printed = capsys.readouterr().out.splitlines()
    assert printed[:2] == [
        "loaded the demo timeline h20_timeline.json: 17 events",
        "loaded the demo timeline h200_sequel.json: 12 events",
    ]


def test_every_sequel_event_is_sourced_and_explained() -> None:
    for event in json.loads(REPO_SEQUEL.read_text()):
        assert event["summary"] and event["sources"], event["type"]
        for source in event["sources"]:
            assert source.get("publisher") and source.get("title"), source


# -- 20 January 2026, as known today -------------------------------------------------------


def test_on_20_january_2026_the_h200_needs_a_licence_reviewed_case_by_case(
    sequel: Sequel,
) -> None:
    cn = _cn(sequel.h200(as_of=ASKED))
    assert {k: cn[k] for k in ("status", "review_policy", "measures", "licenses", "via")} == {
        "status": "license_required",
        "review_policy": "case_by_case",
        "measures": [ACS_RULE],
        "licenses": [],
        "via": {ACS_RULE: D5},
    }


def test_on_20_january_2026_china_blocks_the_h200_at_customs_and_discourages_purchases(
    sequel: Sequel,
) -> None:
    advisories = sequel.h200(as_of=ASKED)["advisories"]
    assert [(a["advisory_id"], a["jurisdiction"], a["guidance"]) for a in advisories] == [
        (CUSTOMS, "CN", "import_blocked"),
        (PURCHASES, "CN", "avoid_purchase"),
    ]


def test_on_20_january_2026_the_h200_owes_the_25_percent_import_duty(sequel: Sequel) -> None:
    duties = sequel.h200(as_of=ASKED)["duties"]
    assert [
        {k: d[k] for k in ("tariff_id", "jurisdiction", "direction", "rate_percent", "basis")}
        for d in duties
    ] == [
        {
            "tariff_id": TARIFF,
            "jurisdiction": "US",
            "direction": "import",
            "rate_percent": "25",
            "basis": "Section 232",
        }
    ]


def test_the_announcement_page_says_implemented_by_the_rule_and_the_tariff(
    sequel: Sequel,
) -> None:
    page = sequel.get(f"/v1/announcements/{ANNOUNCEMENT}", as_of=ASKED)
    assert (page["status"], [e["type"] for e in page["events"]]) == (
        "implemented",
        ["PolicyAnnounced", "ExportBanAmended", "TariffImposed"],
    )


def test_the_announcement_page_lists_no_anomaly_and_its_implementers(sequel: Sequel) -> None:
    page = sequel.get(f"/v1/announcements/{ANNOUNCEMENT}", as_of=ASKED)
    assert (page["status"], page["anomalies"]) == ("implemented", [])
    assert {"ExportBanAmended", "TariffImposed"} <= {e["type"] for e in page["events"]}


@pytest.mark.parametrize(
    ("as_of", "tariffs"),
    [("2026-01-15T05:00:59Z", []), ("2026-01-15T05:01:00Z", [TARIFF])],
    ids=["a-minute-before", "from-12:01-eastern"],
)
def test_the_duty_starts_at_12_01_eastern_on_15_january(
    sequel: Sequel, as_of: str, tariffs: list[str]
) -> None:
    assert [d["tariff_id"] for d in sequel.h200(as_of=as_of)["duties"]] == tariffs


def test_on_20_january_2026_the_announcement_is_implemented_not_open(sequel: Sequel) -> None:
    assert sequel.h200(as_of=ASKED)["announcements"] == []


def test_on_20_january_2026_nvidias_h200_application_is_pending(sequel: Sequel) -> None:
    assert _cn(sequel.h200(as_of=ASKED))["pending_applications"] == [H200_APPLICATION]


# -- what was known on 10 December 2025 ----------------------------------------------------


def test_on_10_december_2025_applications_were_presumed_denied(sequel: Sequel) -> None:
    cn = _cn(sequel.h200(as_of=EARLIER, known_at=EARLIER))
    assert (cn["status"], cn["review_policy"], cn["measures"]) == (
        "license_required",
        "presumption_of_denial",
        [ACS_RULE],
    )


def test_the_announcement_changed_no_status(sequel: Sequel) -> None:
    before = sequel.h200(as_of="2025-12-07", known_at="2025-12-07")["export"]
    assert sequel.h200(as_of=EARLIER, known_at=EARLIER)["export"] == before


def test_as_known_on_10_december_2025_20_january_still_looked_presumed_denied(
    sequel: Sequel,
) -> None:
    state = sequel.h200(as_of=ASKED, known_at=EARLIER)
    assert (_cn(state)["review_policy"], state["advisories"], state["upcoming"]) == (
        "presumption_of_denial",
        [],
        [],
    )


def test_on_10_december_2025_the_announcement_is_open(sequel: Sequel) -> None:
    assert sequel.h200(as_of=EARLIER, known_at=EARLIER)["announcements"] == [
        {
            "announcement_id": ANNOUNCEMENT,
            "authority": "President of the United States",
            "jurisdiction": "US",
            "destinations": ["CN"],
            "expected_effective_at": None,
        }
    ]


def test_as_known_on_10_december_2025_no_duty_and_no_application_were_on_record(
    sequel: Sequel,
) -> None:
    state = sequel.h200(as_of=ASKED, known_at=EARLIER)
    assert (state["duties"], _cn(state)["pending_applications"]) == ([], [])


def test_today_we_know_what_was_coming_after_10_december_2025(sequel: Sequel) -> None:
    assert sequel.h200(as_of=EARLIER)["upcoming"] == [
        {"effective_at": "2026-01-15T00:00:00Z", "kind": "ExportBanAmended", "id": ACS_RULE},
        {"effective_at": "2026-01-15T05:01:00Z", "kind": "TariffImposed", "id": TARIFF},
    ]


# -- the rule's day, and the story it continues -------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "policy"),
    [("2026-01-14", "presumption_of_denial"), ("2026-01-15", "case_by_case")],
    ids=["day-before-the-rule", "day-of-the-rule"],
)
def test_the_january_rule_changes_the_policy_on_15_january(
    sequel: Sequel, as_of: str, policy: str
) -> None:
    assert _cn(sequel.h200(as_of=as_of))["review_policy"] == policy


def test_the_h200_is_registered_as_first_reported_in_november_2023(sequel: Sequel) -> None:
    state = sequel.h200(as_of=ASKED)
    assert (state["successor_of"], state["specs"]) == (
        None,
        {"tpp": "15832", "memory_bandwidth_gbps": "4800", "hbm_gb": "141"},
    )
    registration = sequel.get("/v1/chips/h200/timeline")["items"][0]
    assert (registration["type"], registration["reported_at"]) == (
        "ChipRegistered",
        "2023-11-13T00:00:00Z",
    )


@pytest.mark.parametrize(
    ("known_at", "reported_at"),
    [("2025-08-18", "2025-08-22T00:00:00Z"), ("2025-08-19", "2025-08-19T00:00:00Z")],
    ids=["before-the-correction", "as-corrected"],
)
def test_the_b30a_was_first_reported_on_19_august_2025(
    sequel: Sequel, known_at: str, reported_at: str
) -> None:
    registration = sequel.get("/v1/chips/b30a/timeline", known_at=known_at)["items"][0]
    assert (registration["reported_at"], registration["data"]["successor_of"]) == (
        reported_at,
        "h20",
    )


def test_the_h20_licence_grants_nvidias_july_application(sequel: Sequel) -> None:
    assert sequel.get(f"/v1/licenses/{LICENCE}")["application_id"] == H20_APPLICATION


def test_the_july_application_is_granted_not_pending(sequel: Sequel) -> None:
    assert sequel.get(f"/v1/applications/{H20_APPLICATION}", as_of=ASKED)["status"] == "granted"


def test_the_sequel_leaves_the_h20_licensed_and_halted(sequel: Sequel) -> None:
    state = sequel.h20(as_of=ASKED)
    assert (_cn(state)["status"], state["production"]["status"]) == ("licensed", "halted")
