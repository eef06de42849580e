"""POST /v1/events validation of decimals (docs/clocks.md): exact strings or JSON numbers,
ranges and precision, echoed normalised."""

from __future__ import annotations

import json

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid

# -- docs/clocks.md: decimals --------------------------------------------------------------------


def _raw_revenue_share(percent_literal: str) -> bytes:
    return (
        json.dumps(b.revenue_share(uid(), percent=0))
        .replace('"percent": 0', f'"percent": {percent_literal}')
        .encode()
    )


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_a_nan_or_infinity_literal_is_malformed_json(api: Api, literal: str) -> None:
    assert_problem(api.post_raw(_raw_revenue_share(literal)), 400, "malformed-json", pointer="")


@pytest.mark.parametrize(
    "literal",
    ["1e400", "1e16", "-1e400", "1" * 5000, "1.00001", "1e-5"],
    ids=["1e400", "1e16", "minus-1e400", "5000-digits", "5-places", "1e-5"],
)
def test_a_number_out_of_range_or_too_precise_is_a_422(api: Api, literal: str) -> None:
    assert_problem(
        api.post_raw(_raw_revenue_share(literal)), 422, "validation-error", pointer="/data/percent"
    )


@pytest.mark.parametrize(
    "value",
    [
        "NaN",
        "Infinity",
        "1.00001",
        "1e1",
        "1_5",
        " 15",
        "15 ",
        "",
        "0x10",
        ".5",
        "15.",
        "+15",
        True,
        None,
        [15],
        {"value": 15},
    ],
    ids=[
        "nan-string",
        "infinity-string",
        "5-places",
        "exponent",
        "underscore",
        "leading-space",
        "trailing-space",
        "empty",
        "hex",
        "no-integer-part",
        "no-fraction-digits",
        "plus-sign",
        "boolean",
        "null",
        "list",
        "object",
    ],
)
def test_a_value_that_is_not_a_decimal_is_a_422(api: Api, value: object) -> None:
    assert_problem(
        api.post(b.revenue_share(uid(), percent=value)),
        422,
        "validation-error",
        pointer="/data/percent",
    )


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        ("15.000", "15"),
        (15, "15"),
        ("15.5000", "15.5"),
        ("0.0001", "0.0001"),
        ("100", "100"),
        ("99.9999", "99.9999"),
    ],
)
def test_a_decimal_is_echoed_as_a_normalised_string(api: Api, sent: object, echoed: str) -> None:
    response = api.post(b.revenue_share(uid(), percent=sent))
    assert response.status_code == 201, response.text
    assert response.json()["data"]["percent"] == echoed


def test_json_number_fractions_are_kept_exact(api: Api) -> None:
    raw = (
        json.dumps(b.chip(uid(), specs={"tpp": 0}))
        .replace('"tpp": 0', '"tpp": 2368.0, "performance_density": 5.920, "hbm_gb": 0.1')
        .encode()
    )
    response = api.post_raw(raw)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["specs"] == {
        "tpp": "2368",
        "performance_density": "5.92",
        "hbm_gb": "0.1",
    }


@pytest.mark.parametrize("percent", [0, "0", "-5", "100.0001", 101])
def test_a_percent_outside_zero_exclusive_to_100_is_refused(api: Api, percent: object) -> None:
    assert_problem(
        api.post(b.revenue_share(uid(), percent=percent)),
        422,
        "validation-error",
        pointer="/data/percent",
    )


@pytest.mark.parametrize(
    "spec", ["tpp", "performance_density", "memory_bandwidth_gbps", "interconnect_gbps", "hbm_gb"]
)
def test_a_negative_spec_is_refused(api: Api, spec: str) -> None:
    assert_problem(
        api.post(b.chip(uid(), specs={spec: "-0.5"})),
        422,
        "validation-error",
        pointer=f"/data/specs/{spec}",
    )


def test_a_negative_criteria_threshold_is_refused(api: Api) -> None:
    body = b.measure(uid(), chips=[], criteria=[{"tpp_min": 4800}, {"tpp_min": -1}])
    assert_problem(api.post(body), 422, "validation-error", pointer="/data/criteria/1/tpp_min")
