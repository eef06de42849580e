"""Chip and company lists at full coordinates (docs/state.md, "Lists"): `known_at` and
`at_position` filter as the single-item read does, are echoed, travel with `next`, and make
the page immutable when T, K and P are all given (docs/http.md, "Caching")."""

from __future__ import annotations

import re

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.point_in_time import Catalog, Scene, listed

LINK = re.compile(r'^<(?P<url>[^>]+)>; rel="next"$')
IMMUTABLE = "public, max-age=31536000, immutable"


def position(catalog: Catalog, name: str) -> int:
    found: int = catalog.api.ok(f"/v1/events/{catalog.ids[name]}")["position"]
    return found


@pytest.mark.parametrize(
    ("known_at", "chips"),
    [
        ("2023-10-16", ["a100"]),  # the H100 ban took effect on 10-17, reported then
        ("2024-01-01", ["a100", "h100"]),
    ],
)
def test_which_chips_were_banned_for_cn_as_known_on_a_date(
    catalog: Catalog, known_at: str, chips: list[str]
) -> None:
    query = {"destination": "CN", "status": "banned", "as_of": "2024-01-01"}
    assert listed(catalog, "/v1/chips", "chip", known_at=known_at, **query) == chips


def test_a_requirement_reported_late_is_listed_only_once_known(catalog: Catalog) -> None:
    # us-2025-h20 took effect on 2025-04-09 and was reported on 2025-04-15
    query = {"destination": "CN", "status": "license_required", "as_of": "2025-04-12"}
    assert listed(catalog, "/v1/chips", "chip", known_at="2025-04-12", **query) == []
    assert listed(catalog, "/v1/chips", "chip", known_at="2025-04-15", **query) == [
        "h20",
        "mi308",
    ]


def test_a_listed_chip_is_the_single_read_at_the_same_coordinates(catalog: Catalog) -> None:
    at = {"as_of": "2025-05-01", "known_at": "2025-04-12", "at_position": position(catalog, "adv")}
    page = catalog.api.ok("/v1/chips", manufacturer="amd", **at)
    state = catalog.api.ok("/v1/chips/mi308", **at)
    assert page["items"] == [
        {k: v for k, v in state.items() if k not in ("as_of", "known_at", "position")}
    ]
    assert (page["known_at"], page["position"]) == (state["known_at"], state["position"])
    assert page["items"][0]["export"] == {}  # the requirement was not known on 04-12


def test_at_position_lists_only_what_the_log_held_then(catalog: Catalog) -> None:
    before_h100_ban = position(catalog, "h100-ban") - 1
    query = {"destination": "CN", "status": "banned", "as_of": "2024-01-01"}
    assert listed(catalog, "/v1/chips", "chip", at_position=before_h100_ban, **query) == ["a100"]
    # chips registered after P are not listed at all
    assert listed(catalog, "/v1/chips", "chip", at_position=position(catalog, "a100")) == ["a100"]


def test_a_company_list_takes_known_at_and_at_position(catalog: Catalog) -> None:
    page = catalog.api.ok(
        "/v1/companies", country="CN", known_at="2025-01-01", at_position=position(catalog, "amd")
    )
    assert [c["company"] for c in page["items"]] == ["huawei"]
    assert (page["known_at"], page["position"]) == (
        "2025-01-01T23:59:59.999999Z",
        position(catalog, "amd"),
    )
    assert listed(catalog, "/v1/companies", "company", at_position=position(catalog, "nvidia")) == [
        "nvidia"
    ]


@pytest.mark.parametrize("path", ["/v1/chips", "/v1/companies"])
def test_a_list_with_t_k_and_p_explicit_is_immutable_and_otherwise_short(
    catalog: Catalog, path: str
) -> None:
    p = position(catalog, "case-end")
    full = catalog.api.get(path, as_of="2025-08-15", known_at="2025-08-15", at_position=p)
    assert (full.status_code, full.headers["cache-control"]) == (200, IMMUTABLE)
    for partial in ({"as_of": "2025-08-15", "known_at": "2025-08-15"}, {"at_position": p}):
        response = catalog.api.get(path, **partial)
        assert response.headers["cache-control"] == "public, max-age=5", partial


def test_next_keeps_known_at_and_at_position(catalog: Catalog) -> None:
    p = position(catalog, "mi308")  # every chip registered, no measure yet
    response = catalog.api.get("/v1/chips", limit=4, known_at="2025-01-01", at_position=p)
    link = LINK.match(response.headers["link"])
    assert link is not None
    assert "known_at=2025-01-01" in link["url"] and f"at_position={p}" in link["url"]
    rest = catalog.api.client.get(link["url"]).json()
    assert ([c["chip"] for c in rest["items"]], rest["position"]) == (["h20", "l20", "mi308"], p)


def test_a_list_at_position_beyond_the_head_is_refused(api: Api) -> None:
    response = api.get("/v1/chips", at_position=api.head() + 1000)
    assert response.status_code == 422
    assert [e["parameter"] for e in response.json()["errors"]] == ["at_position"]


def test_a_list_with_known_at_sees_a_retraction_only_once_reported(api: Api) -> None:
    s = Scene(api).register()
    [imposed] = api.batch(s.measure(control="ban"))
    api.batch({**b.retraction(imposed["id"]), "reported_at": "2025-09-01"})
    query = {"manufacturer": s.company, "destination": "CN", "as_of": "2025-08-01"}
    assert listed_in(api, known_at="2025-08-31", **query) == [s.chip]
    assert listed_in(api, known_at="2025-09-01", **query) == []


def listed_in(api: Api, **params: str) -> list[str]:
    return [c["chip"] for c in api.ok("/v1/chips", **params)["items"]]
