"""The demo's spring of 2025 (docs/demo.md questions 1 and 2): the US licence requirement
on the H20 for China, when it took effect and when it became known."""

from __future__ import annotations

import pytest

from tests.support.demo import ACTIVE, LICENCE, MEASURE, NOW, Demo

# -- the timeline itself -------------------------------------------------------------------


def test_the_demo_holds_seventeen_events_all_projected(demo: Demo) -> None:
    assert demo.h20()["position"] == 17
    assert len(demo.get("/v1/events", limit="1000")["items"]) == 17


def test_the_answer_echoes_its_resolved_coordinates(demo: Demo) -> None:
    body = demo.h20(as_of="2025-05-01")
    assert (body["as_of"], body["known_at"], body["position"]) == (
        "2025-05-01T23:59:59.999999Z",
        NOW,
        17,
    )


# -- 1. Could Nvidia ship the H20 to China on 1 May 2025? ----------------------------------


def test_on_1_may_2025_exports_to_china_need_a_us_licence(demo: Demo) -> None:
    assert demo.h20(as_of="2025-05-01")["export"] == {
        "CN": {
            "status": "license_required",
            "measures": [MEASURE],
            "licenses": [],
            "matched_by": {MEASURE: {"by": "named"}},
            "by_jurisdiction": {"US": "license_required"},
            "review_policy": None,  # the demo's measure states none
            "exceptions": [],
            "via": {MEASURE: "CN"},
            "pending_applications": [],
        }
    }


def test_on_1_may_2025_production_runs_with_no_advisory_case_or_deal(demo: Demo) -> None:
    body = demo.h20(as_of="2025-05-01")
    assert (
        body["production"],
        body["advisories"],
        body["investigations"],
        body["revenue_share"],
        body["end_user_restrictions"],
    ) == (ACTIVE, [], [], [], [])


def test_on_1_may_2025_todays_knowledge_sees_the_licence_coming(demo: Demo) -> None:
    assert demo.h20(as_of="2025-05-01")["upcoming"] == [
        {"effective_at": "2025-08-11T00:00:00Z", "kind": "LicenseGranted", "id": LICENCE}
    ]


def test_on_1_may_2025_as_known_then_nothing_is_upcoming(demo: Demo) -> None:
    assert demo.h20(as_of="2025-05-01", known_at="2025-05-01")["upcoming"] == []


# -- 2. What was known on 12 April 2025? ---------------------------------------------------


@pytest.mark.parametrize(
    ("known_at", "cn_status"),
    [
        ("2025-04-12", None),
        ("2025-04-14T23:59:59.999999Z", None),  # the last instant before the 8-K
        ("2025-04-15", "license_required"),  # reported at 2025-04-15T00:00:00Z
        (None, "license_required"),  # today's knowledge
    ],
    ids=["known-12-april", "known-just-before-report", "known-15-april", "known-today"],
)
def test_on_12_april_2025_the_requirement_shows_only_once_reported(
    demo: Demo, known_at: str | None, cn_status: str | None
) -> None:
    params = {"as_of": "2025-04-12", **({"known_at": known_at} if known_at else {})}
    export = demo.h20(**params)["export"]
    assert (export["CN"]["status"] if "CN" in export else None) == cn_status


def test_before_9_april_2025_nothing_restricted_the_h20(demo: Demo) -> None:
    assert demo.h20(as_of="2025-04-08")["export"] == {}
