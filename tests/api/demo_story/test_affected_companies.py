"""The demo's companies on 23 August 2025 (docs/demo.md question 5): suppliers, warned
buyers, Nvidia itself, and the chips left unrestricted."""

from __future__ import annotations

import pytest

from tests.support.demo import ACTIVE, ADVISORY, AGREEMENT, CASE, LICENCE, Demo

# -- 5. Which companies were affected on 23 August 2025? -----------------------------------


@pytest.mark.parametrize("supplier", ["amkor", "foxconn", "samsung"])
def test_each_supplier_received_nvidias_order_to_stop(demo: Demo, supplier: str) -> None:
    assert demo.company(supplier, as_of="2025-08-23")["production_orders_received"] == [
        {"company": "nvidia", "chip": "h20", "since": "2025-08-22T00:00:00Z"}
    ]


def test_amkor_had_no_order_before_the_halt(demo: Demo) -> None:
    assert demo.company("amkor", as_of="2025-08-21")["production_orders_received"] == []


def test_amkor_had_no_order_as_known_before_the_report(demo: Demo) -> None:
    body = demo.company("amkor", as_of="2025-08-23", known_at="2025-08-21")
    assert body["production_orders_received"] == []


@pytest.mark.parametrize("buyer", ["alibaba", "bytedance"])
def test_the_warned_buyers_list_the_advisory(demo: Demo, buyer: str) -> None:
    assert demo.company(buyer, as_of="2025-08-23")["advisories"] == [
        {
            "advisory_id": ADVISORY,
            "authority": "CAC",
            "jurisdiction": "CN",
            "guidance": "avoid_purchase",
            "chips": ["h20"],
        }
    ]


def test_nvidia_holds_the_licence(demo: Demo) -> None:
    assert demo.company("nvidia", as_of="2025-08-23")["licenses"] == [
        {
            "license_id": LICENCE,
            "authority": "BIS",
            "jurisdiction": "US",
            "chips": ["h20"],
            "destinations": ["CN"],
            "expires_at": None,
        }
    ]


def test_nvidia_owes_the_revenue_share(demo: Demo) -> None:
    assert demo.company("nvidia", as_of="2025-08-23")["revenue_share"] == [
        {
            "agreement_id": AGREEMENT,
            "chips": ["h20"],
            "destinations": ["CN"],
            "beneficiary": "US",
            "percent": "15",
        }
    ]


def test_nvidia_is_under_the_open_summons(demo: Demo) -> None:
    assert demo.company("nvidia", as_of="2025-08-23")["investigations"] == [
        {
            "case_id": CASE,
            "authority": "CAC",
            "jurisdiction": "CN",
            "kind": "summons",
            "status": "open",
            "finding": None,
        }
    ]


def test_nvidia_has_halted_the_h20(demo: Demo) -> None:
    assert demo.company("nvidia", as_of="2025-08-23")["production_halts"] == [
        {
            "chip": "h20",
            "since": "2025-08-22T00:00:00Z",
            "suppliers": ["amkor", "foxconn", "samsung"],
        }
    ]


def test_nvidia_is_not_itself_a_supplier_or_an_end_user(demo: Demo) -> None:
    body = demo.company("nvidia", as_of="2025-08-23")
    assert (
        body["production_orders_received"],
        body["export_restrictions"],
        body["advisories"],
    ) == ([], [], [])


@pytest.mark.parametrize("as_of", ["2020-01-01", "2025-08-23"])
def test_nvidias_chips_include_the_b30a_at_any_date(demo: Demo, as_of: str) -> None:
    assert demo.company("nvidia", as_of=as_of)["chips"] == ["b30a", "h20", "l20"]


def test_nvidia_on_1_may_2025_held_nothing_yet(demo: Demo) -> None:
    body = demo.company("nvidia", as_of="2025-05-01")
    assert (
        body["licenses"],
        body["revenue_share"],
        body["investigations"],
        body["production_halts"],
    ) == ([], [], [], [])


@pytest.mark.parametrize("chip", ["l20", "b30a", "ascend"])
def test_the_other_chips_are_unrestricted(demo: Demo, chip: str) -> None:
    body = demo.get(f"/v1/chips/{chip}", as_of="2025-08-23")
    assert (body["export"], body["production"]) == ({}, ACTIVE)


def test_the_b30a_succeeds_the_h20(demo: Demo) -> None:
    assert demo.get("/v1/chips/b30a")["successor_of"] == "h20"


def test_the_h20s_recorded_specs(demo: Demo) -> None:
    assert demo.h20()["specs"] == {"tpp": "2368"}
