"""Diffs of a chip or a company: what changed, as JSON pointers, between two valid times
(axis=effective) or two knowledge times (axis=known); bad diff requests."""

from __future__ import annotations

import pytest

from tests.support.events_api import Api
from tests.support.point_in_time import Scene, diff, reported
from tests.support.problems import assert_problem


def test_an_effective_diff_lists_what_changed_as_json_pointers(licensed_scene: Scene) -> None:
    changes = diff(licensed_scene, from_="2025-05-01", to="2025-08-15")["changes"]
    assert {"path": "/export/CN/status", "from": "license_required", "to": "licensed"} in changes
    assert {"path": "/export/CN/licenses", "from": [], "to": [licensed_scene.id("lic")]} in changes


def test_an_effective_diff_takes_from_and_to_as_valid_times(licensed_scene: Scene) -> None:
    body = diff(licensed_scene, from_="2025-05-01", to="2025-08-15", known_at="2025-09-01")
    assert (body["axis"], body["from"], body["to"]) == (
        "effective",
        {"as_of": "2025-05-01T00:00:00Z", "known_at": "2025-09-01T23:59:59.999999Z"},
        {"as_of": "2025-08-15T23:59:59.999999Z", "known_at": "2025-09-01T23:59:59.999999Z"},
    )


def test_a_diff_between_equal_states_is_empty(licensed_scene: Scene) -> None:
    assert diff(licensed_scene, from_="2025-05-01", to="2025-06-01")["changes"] == []


def test_a_known_diff_compares_two_knowledge_times(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure(), reported(s.licence(), "2025-08-20"))
    body = diff(s, from_="2025-08-15", to="2025-08-25", axis="known", as_of="2025-09-01")
    assert {"path": "/export/CN/status", "from": "license_required", "to": "licensed"} in body[
        "changes"
    ]


def test_a_known_diff_takes_from_and_to_as_knowledge_times(licensed_scene: Scene) -> None:
    body = diff(
        licensed_scene, from_="2025-08-15", to="2025-08-25", axis="known", as_of="2025-09-01"
    )
    assert (body["axis"], body["from"], body["to"]) == (
        "known",
        {"as_of": "2025-09-01T23:59:59.999999Z", "known_at": "2025-08-15T00:00:00Z"},
        {"as_of": "2025-09-01T23:59:59.999999Z", "known_at": "2025-08-25T23:59:59.999999Z"},
    )


def test_a_known_diff_holds_valid_time_still(licensed_scene: Scene) -> None:
    # at T = 05-01 the status is the same whatever was known later; only the licence,
    # reported on 08-11, has become an upcoming change
    s = licensed_scene
    body = diff(s, from_="2025-05-01", to="2025-09-01", axis="known", as_of="2025-05-01")
    assert body["changes"] == [
        {
            "path": "/upcoming",
            "from": [],
            "to": [
                {
                    "effective_at": "2025-08-11T00:00:00Z",
                    "kind": "LicenseGranted",
                    "id": s.id("lic"),
                }
            ],
        }
    ]


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"to": "2025-08-15"}, "from"),
        ({"from_": "2025-05-01"}, "to"),
        ({}, "from"),
        ({"from_": "2025-05-01", "to": "2025-08-15", "axis": "valid"}, "axis"),
        ({"from_": "May", "to": "2025-08-15"}, "from"),
        ({"from_": "2025-05-01", "to": "2025-08-15T00:00:00"}, "to"),
        ({"from_": "2025-05-01", "to": "2025-08-15", "as_of": "2025-06-01"}, "as_of"),
        (
            {"from_": "2025-05-01", "to": "2025-08-15", "axis": "known", "known_at": "2025-06-01"},
            "known_at",
        ),
    ],
    ids=[
        "no-from",
        "no-to",
        "neither",
        "bad-axis",
        "bad-from",
        "naive-to",
        "as-of-on-effective",
        "known-at-on-known",
    ],
)
def test_a_bad_diff_request_is_refused(
    scene: Scene, params: dict[str, str], parameter: str
) -> None:
    response = scene.api.get(f"/v1/chips/{scene.chip}/diff", **params)
    assert_problem(response, 422, "validation-error", parameter=parameter)


def test_a_diff_of_an_unknown_chip_is_not_found(api: Api) -> None:
    response = api.get("/v1/chips/never-registered/diff", from_="2025-05-01", to="2025-08-15")
    assert_problem(response, 404, "not-found")


def test_a_company_diff_lists_what_changed(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.licence())
    changes = api.ok(f"/v1/companies/{s.company}/diff", from_="2025-05-01", to="2025-08-15")
    assert [c["path"] for c in changes["changes"]] == ["/licenses"]
