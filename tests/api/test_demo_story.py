"""The questions the shipped demo answers (docs/demo.md), asked over HTTP on both backends.

`deploy/demo/h20_timeline.json` is loaded once per backend into a module-scoped service:
every test here only reads, so they share it. The fake clock stands at 2026-01-15, after
every report in the demo ("today's knowledge").
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services import migrate
from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from services.cli import REPO_DEMO
from services.settings import Settings
from services.transfer import load, read_items
from tests.support import postgres
from tests.support.clock import FakeClock

NOW = "2026-01-15T12:00:00Z"  # the FakeClock's start: "today"
LICENCE = "nvidia-h20-cn-2025"
MEASURE = "bis-2025-04-h20"
AGREEMENT = "nvidia-us-15pct-cn-2025"
ADVISORY = "cn-2025-08-h20-avoid"
CASE = "cac-2025-07-nvidia-h20"
ACTIVE: dict[str, Any] = {"status": "active", "since": None, "halted_by": [], "suppliers": []}
HALTED: dict[str, Any] = {"status": "halted", "since": "2025-08-22T00:00:00Z",
                          "halted_by": ["nvidia"], "suppliers": ["amkor", "foxconn", "samsung"]}


@dataclass
class Demo:
    client: TestClient
    container: Container

    def get(self, path: str, **params: str) -> dict[str, Any]:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def h20(self, **params: str) -> dict[str, Any]:
        return self.get("/v1/chips/h20", **params)

    def company(self, slug: str, **params: str) -> dict[str, Any]:
        return self.get(f"/v1/companies/{slug}", **params)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
         pg_farm: postgres.PostgresFarm | None) -> Iterator[Demo]:
    tmp_path: Path = tmp_path_factory.mktemp("demo")
    database = None
    if request.param == "sqlite":
        settings = Settings(database_url=f"sqlite:///{tmp_path}/regtimeline.db", data_dir=tmp_path)
        migrate.upgrade(settings)
    elif pg_farm is None:
        pytest.skip("PostgreSQL not available")
    else:
        database = pg_farm.create()
        settings = Settings(database_url=pg_farm.service_url(database),
                            migration_database_url=pg_farm.owner_url(database), data_dir=tmp_path)
    container = bootstrap(settings, clock=FakeClock())
    try:
        load(container, read_items(REPO_DEMO))
        container.catch_up()
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            yield Demo(client, container)
    finally:
        container.close()
        if pg_farm is not None and database is not None:
            pg_farm.drop(database)


# -- the timeline itself -------------------------------------------------------------------

def test_the_demo_holds_seventeen_events_all_projected(demo: Demo) -> None:
    assert demo.h20()["position"] == 17
    assert len(demo.get("/v1/events", limit="1000")["items"]) == 17


def test_the_answer_echoes_its_resolved_coordinates(demo: Demo) -> None:
    body = demo.h20(as_of="2025-05-01")
    assert (body["as_of"], body["known_at"], body["position"]) == (
        "2025-05-01T23:59:59.999999Z", NOW, 17)


# -- 1. Could Nvidia ship the H20 to China on 1 May 2025? ----------------------------------

def test_on_1_may_2025_exports_to_china_need_a_us_licence(demo: Demo) -> None:
    assert demo.h20(as_of="2025-05-01")["export"] == {"CN": {
        "status": "license_required", "measures": [MEASURE], "licenses": [],
        "matched_by": {MEASURE: {"by": "named"}},
        "by_jurisdiction": {"US": "license_required"}}}


def test_on_1_may_2025_production_runs_with_no_advisory_case_or_deal(demo: Demo) -> None:
    body = demo.h20(as_of="2025-05-01")
    assert (body["production"], body["advisories"], body["investigations"],
            body["revenue_share"], body["end_user_restrictions"]) == (ACTIVE, [], [], [], [])


def test_on_1_may_2025_todays_knowledge_sees_the_licence_coming(demo: Demo) -> None:
    assert demo.h20(as_of="2025-05-01")["upcoming"] == [
        {"effective_at": "2025-08-11T00:00:00Z", "kind": "LicenseGranted", "id": LICENCE}]


def test_on_1_may_2025_as_known_then_nothing_is_upcoming(demo: Demo) -> None:
    assert demo.h20(as_of="2025-05-01", known_at="2025-05-01")["upcoming"] == []


# -- 2. What was known on 12 April 2025? ---------------------------------------------------

@pytest.mark.parametrize(("known_at", "cn_status"), [
    ("2025-04-12", None),
    ("2025-04-14T23:59:59.999999Z", None),  # the last instant before the 8-K
    ("2025-04-15", "license_required"),  # reported at 2025-04-15T00:00:00Z
    (None, "license_required"),  # today's knowledge
], ids=["known-12-april", "known-just-before-report", "known-15-april", "known-today"])
def test_on_12_april_2025_the_requirement_shows_only_once_reported(
        demo: Demo, known_at: str | None, cn_status: str | None) -> None:
    params = {"as_of": "2025-04-12", **({"known_at": known_at} if known_at else {})}
    export = demo.h20(**params)["export"]
    assert (export["CN"]["status"] if "CN" in export else None) == cn_status


def test_before_9_april_2025_nothing_restricted_the_h20(demo: Demo) -> None:
    assert demo.h20(as_of="2025-04-08")["export"] == {}


# -- 3. The H20's position on 15 August 2025 -----------------------------------------------

def test_on_15_august_2025_the_licence_makes_china_licensed(demo: Demo) -> None:
    assert demo.h20(as_of="2025-08-15")["export"] == {"CN": {
        "status": "licensed", "measures": [MEASURE], "licenses": [LICENCE],
        "matched_by": {MEASURE: {"by": "named"}}, "by_jurisdiction": {"US": "licensed"}}}


def test_on_15_august_2025_nvidia_owes_the_us_15_percent(demo: Demo) -> None:
    assert demo.h20(as_of="2025-08-15")["revenue_share"] == [
        {"agreement_id": AGREEMENT, "company": "nvidia", "beneficiary": "US", "percent": "15",
         "destinations": ["CN"]}]


def test_on_15_august_2025_beijing_advises_against_buying(demo: Demo) -> None:
    assert demo.h20(as_of="2025-08-15")["advisories"] == [
        {"advisory_id": ADVISORY, "authority": "CAC", "jurisdiction": "CN",
         "guidance": "avoid_purchase"}]


def test_on_15_august_2025_the_cac_summons_is_open(demo: Demo) -> None:
    assert demo.h20(as_of="2025-08-15")["investigations"] == [
        {"case_id": CASE, "authority": "CAC", "jurisdiction": "CN", "kind": "summons",
         "status": "open", "finding": None}]


def test_on_15_august_2025_production_is_still_running(demo: Demo) -> None:
    assert demo.h20(as_of="2025-08-15")["production"] == ACTIVE


@pytest.mark.parametrize(("as_of", "status", "licenses"), [
    ("2025-08-10", "license_required", []),
    ("2025-08-11", "licensed", [LICENCE]),
], ids=["day-before-grant", "day-of-grant"])
def test_the_licence_takes_effect_on_11_august(demo: Demo, as_of: str, status: str,
                                               licenses: list[str]) -> None:
    cn = demo.h20(as_of=as_of)["export"]["CN"]
    assert (cn["status"], cn["licenses"]) == (status, licenses)


@pytest.mark.parametrize(("as_of", "count"), [("2025-08-10", 0), ("2025-08-11", 1)])
def test_the_revenue_share_starts_with_the_licence(demo: Demo, as_of: str, count: int) -> None:
    assert len(demo.h20(as_of=as_of)["revenue_share"]) == count


@pytest.mark.parametrize(("as_of", "count"), [("2025-08-11", 0), ("2025-08-12", 1)])
def test_the_advisory_starts_on_12_august(demo: Demo, as_of: str, count: int) -> None:
    assert len(demo.h20(as_of=as_of)["advisories"]) == count


@pytest.mark.parametrize(("as_of", "count"), [("2025-07-30", 0), ("2025-07-31", 1)])
def test_the_summons_starts_on_31_july(demo: Demo, as_of: str, count: int) -> None:
    assert len(demo.h20(as_of=as_of)["investigations"]) == count


# -- 4. Production on 23 August 2025, and what was known before the report -----------------

def test_on_23_august_2025_production_is_halted_by_nvidia_and_its_suppliers(demo: Demo) -> None:
    assert demo.h20(as_of="2025-08-23")["production"] == HALTED


def test_on_23_august_2025_exports_are_still_licensed(demo: Demo) -> None:
    assert demo.h20(as_of="2025-08-23")["export"]["CN"]["status"] == "licensed"


@pytest.mark.parametrize(("known_at", "production"), [
    ("2025-08-21", ACTIVE), ("2025-08-22", HALTED),
], ids=["before-the-report", "day-of-the-report"])
def test_the_halt_is_known_only_once_reported(demo: Demo, known_at: str,
                                              production: dict[str, Any]) -> None:
    assert demo.h20(as_of="2025-08-23", known_at=known_at)["production"] == production


def test_before_the_halt_was_reported_the_rest_of_the_story_was_known(demo: Demo) -> None:
    body = demo.h20(as_of="2025-08-23", known_at="2025-08-21")
    assert ([a["advisory_id"] for a in body["advisories"]], body["export"]["CN"]["licenses"]) \
        == ([ADVISORY], [LICENCE])


def test_before_the_halt_was_reported_the_timeline_does_not_show_it(demo: Demo) -> None:
    types = [e["type"] for e in demo.get("/v1/chips/h20/timeline", known_at="2025-08-21")["items"]]
    assert "ProductionHalted" not in types and "AdvisoryIssued" in types


# -- 5. Which companies were affected on 23 August 2025? -----------------------------------

@pytest.mark.parametrize("supplier", ["amkor", "foxconn", "samsung"])
def test_each_supplier_received_nvidias_order_to_stop(demo: Demo, supplier: str) -> None:
    assert demo.company(supplier, as_of="2025-08-23")["production_orders_received"] == [
        {"company": "nvidia", "chip": "h20", "since": "2025-08-22T00:00:00Z"}]


def test_amkor_had_no_order_before_the_halt(demo: Demo) -> None:
    assert demo.company("amkor", as_of="2025-08-21")["production_orders_received"] == []


def test_amkor_had_no_order_as_known_before_the_report(demo: Demo) -> None:
    body = demo.company("amkor", as_of="2025-08-23", known_at="2025-08-21")
    assert body["production_orders_received"] == []


@pytest.mark.parametrize("buyer", ["alibaba", "bytedance"])
def test_the_warned_buyers_list_the_advisory(demo: Demo, buyer: str) -> None:
    assert demo.company(buyer, as_of="2025-08-23")["advisories"] == [
        {"advisory_id": ADVISORY, "authority": "CAC", "jurisdiction": "CN",
         "guidance": "avoid_purchase", "chips": ["h20"]}]


def test_nvidia_holds_the_licence(demo: Demo) -> None:
    assert demo.company("nvidia", as_of="2025-08-23")["licenses"] == [
        {"license_id": LICENCE, "authority": "BIS", "jurisdiction": "US", "chips": ["h20"],
         "destinations": ["CN"], "expires_at": None}]


def test_nvidia_owes_the_revenue_share(demo: Demo) -> None:
    assert demo.company("nvidia", as_of="2025-08-23")["revenue_share"] == [
        {"agreement_id": AGREEMENT, "chips": ["h20"], "destinations": ["CN"],
         "beneficiary": "US", "percent": "15"}]


def test_nvidia_is_under_the_open_summons(demo: Demo) -> None:
    assert demo.company("nvidia", as_of="2025-08-23")["investigations"] == [
        {"case_id": CASE, "authority": "CAC", "jurisdiction": "CN", "kind": "summons",
         "status": "open", "finding": None}]


def test_nvidia_has_halted_the_h20(demo: Demo) -> None:
    assert demo.company("nvidia", as_of="2025-08-23")["production_halts"] == [
        {"chip": "h20", "since": "2025-08-22T00:00:00Z",
         "suppliers": ["amkor", "foxconn", "samsung"]}]


def test_nvidia_is_not_itself_a_supplier_or_an_end_user(demo: Demo) -> None:
    body = demo.company("nvidia", as_of="2025-08-23")
    assert (body["production_orders_received"], body["export_restrictions"],
            body["advisories"]) == ([], [], [])


@pytest.mark.parametrize("as_of", ["2020-01-01", "2025-08-23"])
def test_nvidias_chips_include_the_b30a_at_any_date(demo: Demo, as_of: str) -> None:
    assert demo.company("nvidia", as_of=as_of)["chips"] == ["b30a", "h20", "l20"]


def test_nvidia_on_1_may_2025_held_nothing_yet(demo: Demo) -> None:
    body = demo.company("nvidia", as_of="2025-05-01")
    assert (body["licenses"], body["revenue_share"], body["investigations"],
            body["production_halts"]) == ([], [], [], [])


@pytest.mark.parametrize("chip", ["l20", "b30a", "ascend"])
def test_the_other_chips_are_unrestricted(demo: Demo, chip: str) -> None:
    body = demo.get(f"/v1/chips/{chip}", as_of="2025-08-23")
    assert (body["export"], body["production"]) == ({}, ACTIVE)


def test_the_b30a_succeeds_the_h20(demo: Demo) -> None:
    assert demo.get("/v1/chips/b30a")["successor_of"] == "h20"


def test_the_h20s_recorded_specs(demo: Demo) -> None:
    assert demo.h20()["specs"] == {"tpp": "2368"}


# -- the same story as lists, spans and comparisons ---------------------------------------

@pytest.mark.parametrize(("query", "chips"), [
    ({"destination": "CN", "status": "license_required", "as_of": "2025-05-01"}, ["h20"]),
    ({"destination": "CN", "status": "licensed", "as_of": "2025-08-15"}, ["h20"]),
    ({"destination": "CN", "status": "licensed", "as_of": "2025-05-01"}, []),
    ({"destination": "CN", "status": "unrestricted", "as_of": "2025-08-15"},
     ["ascend", "b30a", "l20"]),
], ids=["required-in-may", "licensed-in-august", "not-licensed-in-may", "unrestricted"])
def test_which_chips_could_go_to_china(demo: Demo, query: dict[str, str],
                                       chips: list[str]) -> None:
    assert [c["chip"] for c in demo.get("/v1/chips", **query)["items"]] == chips


def test_companies_in_china(demo: Demo) -> None:
    listed = demo.get("/v1/companies", country="CN")["items"]
    assert [c["company"] for c in listed] == ["alibaba", "bytedance", "huawei"]


def test_the_h20s_history_splits_at_each_episode(demo: Demo) -> None:
    spans = demo.get("/v1/chips/h20/history")["spans"]
    assert [(s["from"], s["to"]) for s in spans] == [
        (None, "2025-04-09T00:00:00Z"),
        ("2025-04-09T00:00:00Z", "2025-07-31T00:00:00Z"),
        ("2025-07-31T00:00:00Z", "2025-08-11T00:00:00Z"),
        ("2025-08-11T00:00:00Z", "2025-08-12T00:00:00Z"),
        ("2025-08-12T00:00:00Z", "2025-08-22T00:00:00Z"),
        ("2025-08-22T00:00:00Z", None),
    ]


def test_the_h20s_history_as_known_before_the_halt_ends_with_the_advisory(demo: Demo) -> None:
    spans = demo.get("/v1/chips/h20/history", known_at="2025-08-21")["spans"]
    assert (spans[-1]["from"], spans[-1]["state"]["production"]) == ("2025-08-12T00:00:00Z", ACTIVE)


def test_the_h20s_timeline_lists_its_episode_in_valid_time_order(demo: Demo) -> None:
    items = demo.get("/v1/chips/h20/timeline")["items"]
    dated = [(e["type"], e["effective_at"]) for e in items if e["effective_at"] is not None]
    assert dated == [
        ("ExportBanImposed", "2025-04-09T00:00:00Z"),
        ("InvestigationOpened", "2025-07-31T00:00:00Z"),
        ("LicenseGranted", "2025-08-11T00:00:00Z"),
        ("RevenueShareAgreed", "2025-08-11T00:00:00Z"),
        ("AdvisoryIssued", "2025-08-12T00:00:00Z"),
        ("ProductionHalted", "2025-08-22T00:00:00Z"),
    ]


def test_the_h20s_timeline_includes_its_registration_and_its_successors(demo: Demo) -> None:
    items = demo.get("/v1/chips/h20/timeline")["items"]
    registered = sorted(e["data"]["chip"] for e in items if e["type"] == "ChipRegistered")
    assert registered == ["b30a", "h20"]


def test_the_requirement_is_reported_after_it_took_effect(demo: Demo) -> None:
    items = demo.get("/v1/chips/h20/timeline")["items"]
    imposed = next(e for e in items if e["type"] == "ExportBanImposed")
    assert (imposed["effective_at"], imposed["reported_at"]) == (
        "2025-04-09T00:00:00Z", "2025-04-15T00:00:00Z")


def test_what_changed_for_the_h20_between_may_and_mid_august(demo: Demo) -> None:
    query = {"from": "2025-05-01", "to": "2025-08-15"}
    changes = demo.get("/v1/chips/h20/diff", **query)["changes"]
    by_path = {c["path"]: (c["from"], c["to"]) for c in changes}
    assert by_path["/export/CN/status"] == ("license_required", "licensed")
    assert by_path["/export/CN/licenses"] == ([], [LICENCE])
    assert by_path["/export/CN/by_jurisdiction/US"] == ("license_required", "licensed")


def test_what_the_halt_report_changed_in_knowledge(demo: Demo) -> None:
    changes = demo.get("/v1/chips/h20/diff", **{"from": "2025-08-21", "to": "2025-08-22",
                                                "axis": "known", "as_of": "2025-08-23"})["changes"]
    assert {c["path"] for c in changes} == {
        "/production/status", "/production/since", "/production/halted_by",
        "/production/suppliers"}


@pytest.mark.parametrize(("segment", "object_id", "status"), [
    ("measures", MEASURE, "in_force"), ("licenses", LICENCE, "active"),
    ("agreements", AGREEMENT, "active"), ("advisories", ADVISORY, "active"),
    ("cases", CASE, "open"),
])
def test_each_object_of_the_story_stands_on_23_august(demo: Demo, segment: str, object_id: str,
                                                      status: str) -> None:
    body = demo.get(f"/v1/{segment}/{object_id}", as_of="2025-08-23")
    assert (body["status"], body["version"], len(body["events"])) == (status, 1, 1)


def test_the_measure_was_pending_before_9_april(demo: Demo) -> None:
    assert demo.get(f"/v1/measures/{MEASURE}", as_of="2025-04-08")["status"] == "pending"
