"""Lists of chips and companies, on the fixed catalog (conftest.py): filters at as_of, pages
(limit, after, Link: next), ETags and refused parameters."""

from __future__ import annotations

import re

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.point_in_time import Catalog, Scene, listed
from tests.support.problems import assert_problem

LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')
ALL_CHIPS = ["a100", "ascend", "b30a", "h100", "h20", "l20", "mi308"]


@pytest.mark.parametrize(
    ("params", "chips"),
    [
        ({}, ALL_CHIPS),
        ({"destination": "CN", "status": "banned", "as_of": "2022-08-01"}, []),
        ({"destination": "CN", "status": "banned", "as_of": "2024-01-01"}, ["a100", "h100"]),
        ({"destination": "CN", "status": "banned", "as_of": "2024-07-01"}, ["h100"]),
        (
            {"destination": "CN", "status": "license_required", "as_of": "2025-05-01"},
            ["h20", "mi308"],
        ),
        ({"destination": "CN", "status": "licensed", "as_of": "2025-08-15"}, ["h20"]),
        ({"destination": "CN", "as_of": "2025-08-15"}, ["h100", "h20", "mi308"]),
        ({"destination": "RU", "status": "licensed", "as_of": "2024-03-15"}, ["h100"]),
        (
            {"destination": "RU", "status": "license_required", "as_of": "2025-01-01"},
            ["h100", "h20"],
        ),
        ({"destination": "MO", "as_of": "2024-09-30"}, []),
        ({"destination": "MO", "as_of": "2024-10-01"}, ["h100"]),
    ],
    ids=[
        "all",
        "banned-before-any-rule",
        "banned-2024",
        "banned-after-the-lift",
        "required",
        "licensed",
        "any-cn-entry",
        "licensed-to-ru",
        "ru-licence-expired",
        "before-the-amendment",
        "after-the-amendment",
    ],
)
def test_chips_filtered_by_destination_and_status_at_as_of(
    catalog: Catalog, params: dict[str, str], chips: list[str]
) -> None:
    assert listed(catalog, "/v1/chips", "chip", **params) == chips


@pytest.mark.parametrize(
    ("params", "chips"),
    [
        (
            {"destination": "CN", "status": "unrestricted", "as_of": "2024-03-15"},
            ["ascend", "b30a", "h20", "l20", "mi308"],
        ),
        ({"status": "unrestricted", "as_of": "2024-03-15"}, ["ascend", "b30a", "l20", "mi308"]),
    ],
    ids=["to-cn", "anywhere"],
)
def test_unrestricted_chips(catalog: Catalog, params: dict[str, str], chips: list[str]) -> None:
    assert listed(catalog, "/v1/chips", "chip", **params) == chips


@pytest.mark.parametrize(
    ("params", "chips"),
    [
        ({"manufacturer": "huawei"}, ["ascend"]),
        ({"manufacturer": "nvidia"}, ["a100", "b30a", "h100", "h20", "l20"]),
        (
            {
                "manufacturer": "amd",
                "destination": "CN",
                "status": "license_required",
                "as_of": "2025-05-01",
            },
            ["mi308"],
        ),
        ({"manufacturer": "samsung"}, []),
    ],
    ids=["huawei", "nvidia", "combined-with-status", "makes-none"],
)
def test_chips_filtered_by_manufacturer(
    catalog: Catalog, params: dict[str, str], chips: list[str]
) -> None:
    assert listed(catalog, "/v1/chips", "chip", **params) == chips


@pytest.mark.parametrize(
    ("country", "companies"),
    [
        ("CN", ["huawei"]),
        ("US", ["amd", "nvidia"]),
        ("KR", ["samsung"]),
        ("JP", []),
    ],
)
def test_companies_filtered_by_country(
    catalog: Catalog, country: str, companies: list[str]
) -> None:
    assert listed(catalog, "/v1/companies", "company", country=country) == companies


def test_a_listed_chip_is_its_state_at_as_of_without_coordinates(catalog: Catalog) -> None:
    item = catalog.api.ok("/v1/chips", destination="CN", status="licensed", as_of="2025-08-15")[
        "items"
    ][0]
    state = catalog.api.ok("/v1/chips/h20", as_of="2025-08-15")
    assert item == {k: v for k, v in state.items() if k not in ("as_of", "known_at", "position")}


def test_a_list_echoes_its_as_of(catalog: Catalog) -> None:
    assert catalog.api.ok("/v1/chips", as_of="2025-08-15")["as_of"] == "2025-08-15T23:59:59.999999Z"


def test_limit_caps_a_page_and_next_is_its_last_id(catalog: Catalog) -> None:
    page = catalog.api.ok("/v1/chips", limit=3)
    assert ([c["chip"] for c in page["items"]], page["next"]) == (ALL_CHIPS[:3], "b30a")


def test_after_continues_from_the_cursor(catalog: Catalog) -> None:
    assert listed(catalog, "/v1/chips", "chip", limit=3, after="b30a") == ALL_CHIPS[3:6]


def test_following_next_links_yields_the_rest(catalog: Catalog) -> None:
    seen: list[str] = []
    response = catalog.api.get("/v1/chips", manufacturer="nvidia", limit=2)
    pages = 0
    while True:
        assert response.status_code == 200, response.text
        pages += 1
        seen += [c["chip"] for c in response.json()["items"]]
        if response.json()["next"] is None:
            assert "link" not in response.headers
            break
        link = LINK.match(response.headers["link"])
        assert link is not None, response.headers["link"]
        response = catalog.api.client.get(link["url"])
    assert (seen, pages) == (["a100", "b30a", "h100", "h20", "l20"], 3)


def test_the_last_page_has_no_next(catalog: Catalog) -> None:
    page = catalog.api.get("/v1/chips", limit=3, after="l20")
    assert (page.json()["next"], "link" in page.headers) == (None, False)


def test_a_lists_etag_ignores_the_position(api: Api) -> None:
    s = Scene(api).register()
    url, query = "/v1/chips", {"manufacturer": s.company, "as_of": "2025-08-15"}
    first = api.get(url, **query)
    api.batch(b.company(s.id("bystander")))  # moves the checkpoint, changes no listed chip
    second = api.get(url, **query)
    assert first.json()["position"] != second.json()["position"]
    assert first.headers["etag"] == second.headers["etag"]


def test_a_list_answers_304_to_its_etag(catalog: Catalog) -> None:
    tag = catalog.api.get("/v1/chips", as_of="2025-08-15").headers["etag"]
    again = catalog.api.get("/v1/chips", {"If-None-Match": tag}, as_of="2025-08-15")
    assert (again.status_code, again.content) == (304, b"")


@pytest.mark.parametrize("limit", ["0", "1001", "x"])
def test_a_list_limit_out_of_range_is_refused(catalog: Catalog, limit: str) -> None:
    assert_problem(
        catalog.api.get("/v1/chips", limit=limit), 422, "validation-error", parameter="limit"
    )


@pytest.mark.parametrize("path", ["/v1/measures", "/v1/licenses"])
@pytest.mark.parametrize(("name", "value"), [("known_at", "2025-08-15"), ("at_position", "3")])
def test_an_object_list_refuses_known_at_and_at_position_pointing_to_the_item(
    catalog: Catalog, path: str, name: str, value: str
) -> None:
    # chip and company lists take them: tests/api/point_in_time/test_lists_at_k_and_p.py
    problem = assert_problem(
        catalog.api.get(path, **{name: value}), 422, "validation-error", parameter=name
    )
    assert re.search(rf"{path}/\S+", problem["detail"]), problem["detail"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/chips", "chips"),
        ("/v1/chips", "country"),
        ("/v1/companies", "destination"),
        ("/v1/measures", "status"),
    ],
)
def test_a_list_refuses_an_unknown_parameter(catalog: Catalog, path: str, name: str) -> None:
    assert_problem(catalog.api.get(path, **{name: "x"}), 422, "validation-error", parameter=name)


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/v1/chips", "status", "forbidden"),
        ("/v1/chips", "destination", "UK"),
        ("/v1/chips", "manufacturer", "NVIDIA"),
        ("/v1/chips", "as_of", "2025-02-30"),
        ("/v1/companies", "country", "cn"),
        ("/v1/measures", "in_force", "yes"),
        ("/v1/measures", "jurisdiction", "XX"),
    ],
)
def test_a_list_refuses_a_bad_filter_value(
    catalog: Catalog, path: str, name: str, value: str
) -> None:
    assert_problem(catalog.api.get(path, **{name: value}), 422, "validation-error", parameter=name)
