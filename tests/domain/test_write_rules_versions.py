"""Optimistic concurrency on writes (docs/events.md, "Write rules"): `expected_version` in the body and the
If-Match header, on creations, lifecycle events and revisions.
"""

from __future__ import annotations

from tests.domain.write_api import with_
from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem

# -- expected_version / If-Match ---------------------------------------------------------


def test_a_matching_expected_version_is_accepted(registered: Api) -> None:
    registered.given(b.measure())
    [amended] = registered.given(with_(b.amendment(), expected_version=1))
    assert amended["version"] == 2


def test_a_stale_expected_version_is_a_conflict_giving_the_current_version(registered: Api) -> None:
    registered.given(b.measure(), b.amendment())
    response = registered.post(with_(b.lift(), expected_version=1))
    problem = assert_problem(response, 409, "version-conflict", pointer="/expected_version")
    assert problem["current_version"] == 2


def test_a_matching_if_match_is_accepted(registered: Api) -> None:
    registered.given(b.measure(), b.amendment())
    response = registered.post(b.lift(), **{"If-Match": '"2"'})
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 3


def test_a_stale_if_match_is_a_conflict_giving_the_current_version(registered: Api) -> None:
    registered.given(b.measure(), b.amendment())
    response = registered.post(b.lift(), **{"If-Match": '"1"'})
    assert response.status_code == 409, response.text
    assert response.json()["type"] == "/problems/version-conflict"
    assert response.json()["current_version"] == 2


def test_a_stale_if_match_conflict_points_at_the_header(registered: Api) -> None:
    registered.given(b.measure(), b.amendment())
    response = registered.post(b.lift(), **{"If-Match": '"1"'})
    assert_problem(response, 409, "version-conflict", header="If-Match")


def test_if_match_disagreeing_with_expected_version_is_refused(registered: Api) -> None:
    registered.given(b.measure(), b.amendment())
    response = registered.post(with_(b.lift(), expected_version=2), **{"If-Match": '"1"'})
    assert_problem(response, 422, "validation-error", header="If-Match")


def test_a_malformed_if_match_is_refused(registered: Api) -> None:
    registered.given(b.measure())
    response = registered.post(b.lift(), **{"If-Match": "latest"})
    assert_problem(response, 422, "validation-error", header="If-Match")


def test_a_creation_accepts_expected_version_zero(registered: Api) -> None:
    [imposed] = registered.given(with_(b.measure(), expected_version=0))
    assert imposed["version"] == 1


def test_a_creation_with_a_nonzero_expected_version_is_a_conflict(registered: Api) -> None:
    problem = assert_problem(
        registered.post(with_(b.measure(), expected_version=1)),
        409,
        "version-conflict",
        pointer="/expected_version",
    )
    assert problem["current_version"] == 0


def test_a_revision_checks_the_version_of_its_targets_aggregate(registered: Api) -> None:
    imposed, _ = registered.given(b.measure(), b.amendment())
    response = registered.post(
        with_(b.correction(imposed["id"], effective_at="2025-04-10"), expected_version=1)
    )
    problem = assert_problem(response, 409, "version-conflict", pointer="/expected_version")
    assert problem["current_version"] == 2
