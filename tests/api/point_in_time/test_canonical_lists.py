"""Canonical lists: the lists inside a state or an object are sorted (so an amendment that
only reorders one changes no span), but for a measure's criteria, which keep their order."""

from __future__ import annotations

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.point_in_time import OCTOBER_2023, Scene, spans


@pytest.fixture
def unsorted_scene(api: Api) -> Scene:
    """Everything names its lists out of order: destinations RU, CN; companies zz…, aa…;
    chips zz…, ch-N."""
    s = Scene(api).register()
    late, early = s.id("zz"), s.id("aa")
    api.batch(
        b.company(late),
        b.company(early),
        b.chip(late, s.company),
        s.measure(
            "entity", chips=[late, s.chip], destinations=["RU", "CN"], companies=[late, early]
        ),
        s.licence(chips=[late, s.chip], destinations=["RU", "CN"]),
        b.revenue_share(
            s.id("rs"), company=s.company, chips=[late, s.chip], destinations=["RU", "CN"]
        ),
    )
    return s


@pytest.mark.parametrize(
    "where",
    [
        "chip:end_user_restrictions/companies",
        "chip:end_user_restrictions/destinations",
        "chip:revenue_share/destinations",
        "company:licenses/chips",
        "company:licenses/destinations",
        "company:revenue_share/chips",
        "company:revenue_share/destinations",
        "end_user:export_restrictions/chips",
        "end_user:export_restrictions/destinations",
    ],
)
def test_lists_inside_a_state_are_sorted(unsorted_scene: Scene, where: str) -> None:
    s = unsorted_scene
    subject, path = where.split(":")
    body = {
        "chip": s.state,
        "company": s.company_state,
        "end_user": lambda: s.api.ok(f"/v1/companies/{s.id('zz')}"),
    }[subject]()
    field, inner = path.split("/")
    values = body[field][0][inner]
    assert len(values) == 2 and values == sorted(values)


def test_an_amendment_that_only_reorders_a_list_changes_no_span(api: Api) -> None:
    s = Scene(api).register()
    api.batch(
        s.measure(destinations=["CN", "RU"], companies=[s.company]),  # an end-user rule
        b.amendment(s.id("m"), "2025-06-01", destinations=["RU", "CN"]),
    )
    assert [x["from"] for x in spans(api, s.chip)] == [None, "2025-04-09T00:00:00Z"]


def test_lists_inside_an_object_are_sorted(unsorted_scene: Scene) -> None:
    s = unsorted_scene
    body = s.api.ok(f"/v1/measures/{s.id('entity')}")
    assert (body["chips"], body["destinations"], body["companies"]) == (
        sorted([s.chip, s.id("zz")]),
        ["CN", "RU"],
        sorted([s.id("aa"), s.id("zz")]),
    )


def test_criteria_keep_their_order_in_an_object(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure(criteria=list(reversed(OCTOBER_2023)), destinations=["AD"]))
    assert api.ok(f"/v1/measures/{s.id('m')}")["criteria"] == [
        {"performance_density_min": "5.92", "tpp_min": "1600"},
        {"tpp_min": "4800"},
    ]
