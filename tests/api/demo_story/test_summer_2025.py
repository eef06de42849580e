"""The demo's summer of 2025 (docs/demo.md questions 3 and 4): the licence, the revenue
share, Beijing's advisory and summons, then the halt and what was known before its report."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.demo import ACTIVE, ADVISORY, AGREEMENT, CASE, HALTED, LICENCE, MEASURE, Demo

# -- 3. The H20's position on 15 August 2025 -----------------------------------------------


def test_on_15_august_2025_the_licence_makes_china_licensed(demo: Demo) -> None:
    assert demo.h20(as_of="2025-08-15")["export"] == {
        "CN": {
            "status": "licensed",
            "measures": [MEASURE],
            "licenses": [LICENCE],
            "matched_by": {MEASURE: {"by": "named"}},
            "by_jurisdiction": {"US": "licensed"},
            "review_policy": None,  # only while a licence is required
            "exceptions": [],
            "via": {MEASURE: "CN"},
            "pending_applications": [],
        }
    }


def test_on_15_august_2025_nvidia_owes_the_us_15_percent(demo: Demo) -> None:
    assert demo.h20(as_of="2025-08-15")["revenue_share"] == [
        {
            "agreement_id": AGREEMENT,
            "company": "nvidia",
            "beneficiary": "US",
            "percent": "15",
            "destinations": ["CN"],
        }
    ]


def test_on_15_august_2025_beijing_advises_against_buying(demo: Demo) -> None:
    assert demo.h20(as_of="2025-08-15")["advisories"] == [
        {
            "advisory_id": ADVISORY,
            "authority": "CAC",
            "jurisdiction": "CN",
            "guidance": "avoid_purchase",
        }
    ]


def test_on_15_august_2025_the_cac_summons_is_open(demo: Demo) -> None:
    assert demo.h20(as_of="2025-08-15")["investigations"] == [
        {
            "case_id": CASE,
            "authority": "CAC",
            "jurisdiction": "CN",
            "kind": "summons",
            "status": "open",
            "finding": None,
        }
    ]


def test_on_15_august_2025_production_is_still_running(demo: Demo) -> None:
    assert demo.h20(as_of="2025-08-15")["production"] == ACTIVE


@pytest.mark.parametrize(
    ("as_of", "status", "licenses"),
    [
        ("2025-08-10", "license_required", []),
        ("2025-08-11", "licensed", [LICENCE]),
    ],
    ids=["day-before-grant", "day-of-grant"],
)
def test_the_licence_takes_effect_on_11_august(
    demo: Demo, as_of: str, status: str, licenses: list[str]
) -> None:
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


@pytest.mark.parametrize(
    ("known_at", "production"),
    [
        ("2025-08-21", ACTIVE),
        ("2025-08-22", HALTED),
    ],
    ids=["before-the-report", "day-of-the-report"],
)
def test_the_halt_is_known_only_once_reported(
    demo: Demo, known_at: str, production: dict[str, Any]
) -> None:
    assert demo.h20(as_of="2025-08-23", known_at=known_at)["production"] == production


def test_before_the_halt_was_reported_the_rest_of_the_story_was_known(demo: Demo) -> None:
    body = demo.h20(as_of="2025-08-23", known_at="2025-08-21")
    assert ([a["advisory_id"] for a in body["advisories"]], body["export"]["CN"]["licenses"]) == (
        [ADVISORY],
        [LICENCE],
    )


def test_before_the_halt_was_reported_the_timeline_does_not_show_it(demo: Demo) -> None:
    types = [e["type"] for e in demo.get("/v1/chips/h20/timeline", known_at="2025-08-21")["items"]]
    assert "ProductionHalted" not in types and "AdvisoryIssued" in types
