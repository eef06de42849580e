"""The demo's story as lists, history spans, timelines, diffs and object pages."""

from __future__ import annotations

import pytest

from tests.support.demo import ACTIVE, ADVISORY, AGREEMENT, CASE, LICENCE, MEASURE, Demo

# -- the same story as lists, spans and comparisons ---------------------------------------


@pytest.mark.parametrize(
    ("query", "chips"),
    [
        ({"destination": "CN", "status": "license_required", "as_of": "2025-05-01"}, ["h20"]),
        ({"destination": "CN", "status": "licensed", "as_of": "2025-08-15"}, ["h20"]),
        ({"destination": "CN", "status": "licensed", "as_of": "2025-05-01"}, []),
        (
            {"destination": "CN", "status": "unrestricted", "as_of": "2025-08-15"},
            ["ascend", "b30a", "l20"],
        ),
    ],
    ids=["required-in-may", "licensed-in-august", "not-licensed-in-may", "unrestricted"],
)
def test_which_chips_could_go_to_china(demo: Demo, query: dict[str, str], chips: list[str]) -> None:
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
        "2025-04-09T00:00:00Z",
        "2025-04-15T00:00:00Z",
    )


def test_what_changed_for_the_h20_between_may_and_mid_august(demo: Demo) -> None:
    query = {"from": "2025-05-01", "to": "2025-08-15"}
    changes = demo.get("/v1/chips/h20/diff", **query)["changes"]
    by_path = {c["path"]: (c["from"], c["to"]) for c in changes}
    assert by_path["/export/CN/status"] == ("license_required", "licensed")
    assert by_path["/export/CN/licenses"] == ([], [LICENCE])
    assert by_path["/export/CN/by_jurisdiction/US"] == ("license_required", "licensed")


def test_what_the_halt_report_changed_in_knowledge(demo: Demo) -> None:
    changes = demo.get(
        "/v1/chips/h20/diff",
        **{"from": "2025-08-21", "to": "2025-08-22", "axis": "known", "as_of": "2025-08-23"},
    )["changes"]
    assert {c["path"] for c in changes} == {
        "/production/status",
        "/production/since",
        "/production/halted_by",
        "/production/suppliers",
    }


@pytest.mark.parametrize(
    ("segment", "object_id", "status"),
    [
        ("measures", MEASURE, "in_force"),
        ("licenses", LICENCE, "active"),
        ("agreements", AGREEMENT, "active"),
        ("advisories", ADVISORY, "active"),
        ("cases", CASE, "open"),
    ],
)
def test_each_object_of_the_story_stands_on_23_august(
    demo: Demo, segment: str, object_id: str, status: str
) -> None:
    body = demo.get(f"/v1/{segment}/{object_id}", as_of="2025-08-23")
    assert (body["status"], body["version"], len(body["events"])) == (status, 1, 1)


def test_the_measure_was_pending_before_9_april(demo: Demo) -> None:
    assert demo.get(f"/v1/measures/{MEASURE}", as_of="2025-04-08")["status"] == "pending"
