"""POST /v1/events validation of identifiers (docs/clocks.md): slugs and jurisdiction codes."""

from __future__ import annotations

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid

# -- docs/clocks.md: slugs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "slug",
    [
        "H20",
        "a" * 81,
        "-h20",
        "_h20",
        ".h20",
        "",
        "h20\n",
        "h 20",
        "h²0",
        "h/20",
    ],
    ids=[
        "upper-case",
        "81-chars",
        "dash-first",
        "underscore-first",
        "dot-first",
        "empty",
        "trailing-newline",
        "space",
        "non-ascii",
        "slash",
    ],
)
def test_an_invalid_slug_is_refused(api: Api, slug: str) -> None:
    assert_problem(api.post(b.company(slug)), 422, "validation-error", pointer="/data/company")


def test_a_bad_slug_in_a_list_is_located_by_index(api: Api) -> None:
    response = api.post(b.measure(uid(), chips=["h20", "H100"]))
    assert_problem(response, 422, "validation-error", pointer="/data/chips/1")


@pytest.mark.parametrize("shape", ["80-chars", "all-punctuation"])
def test_a_slug_at_the_limits_of_the_grammar_is_accepted(api: Api, shape: str) -> None:
    serial = uid("")[1:]
    slug = serial.rjust(80, "a") if shape == "80-chars" else f"{serial}.b_c-d"
    response = api.post(b.company(slug))
    assert response.status_code == 201, response.text
    assert response.json()["data"]["company"] == slug


# -- docs/clocks.md: jurisdictions ---------------------------------------------------------------


def test_uk_is_refused_with_a_hint_to_use_gb(api: Api) -> None:
    body = assert_problem(
        api.post(b.company(uid(), country="UK")), 422, "validation-error", pointer="/data/country"
    )
    assert "GB" in body["errors"][0]["detail"]


def test_a_lower_case_code_is_refused_with_the_upper_case_hint(api: Api) -> None:
    body = assert_problem(
        api.post(b.company(uid(), country="gb")), 422, "validation-error", pointer="/data/country"
    )
    assert "'GB'" in body["errors"][0]["detail"]


@pytest.mark.parametrize("code", ["XX", "GBR", "", "U S", 826])
def test_an_unknown_country_code_is_refused(api: Api, code: object) -> None:
    assert_problem(
        api.post(b.company(uid(), country=code)), 422, "validation-error", pointer="/data/country"
    )


def test_a_bad_destination_is_located_by_index(api: Api) -> None:
    response = api.post(b.measure(uid(), destinations=["CN", "UK"]))
    assert_problem(response, 422, "validation-error", pointer="/data/destinations/1")


def test_eu_is_accepted_as_a_jurisdiction_and_a_destination(api: Api) -> None:
    response = api.post(b.measure(uid(), jurisdiction="EU", destinations=["EU", "CN"]))
    assert response.status_code == 201, response.text
    assert response.json()["data"]["jurisdiction"] == "EU"
    assert response.json()["data"]["destinations"] == ["EU", "CN"]
