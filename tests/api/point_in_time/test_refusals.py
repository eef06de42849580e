"""Reads refused (docs/http.md): invalid, misspelt or unknown coordinates and parameters, a
position beyond the head, bad slugs, and subjects unknown (or not yet registered) at p."""

from __future__ import annotations

import pytest

from tests.support.events_api import Api
from tests.support.point_in_time import Scene
from tests.support.problems import assert_problem

# -- coordinates and parameters --------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v1/chips/{chip}",
        "/v1/companies/{company}",
        "/v1/chips/{chip}/timeline",
        "/v1/chips/{chip}/history",
        "/v1/companies/{company}/history",
    ],
    ids=["chip", "company", "timeline", "history", "company-history"],
)
def test_an_at_position_beyond_the_head_is_refused(scene: Scene, path: str) -> None:
    url = path.format(chip=scene.chip, company=scene.company)
    response = scene.api.get(url, at_position=scene.api.head() + 1000)
    assert_problem(response, 422, "validation-error", parameter="at_position")


def test_an_at_position_beyond_the_head_is_refused_for_an_object(licensed_scene: Scene) -> None:
    s = licensed_scene
    response = s.api.get(f"/v1/measures/{s.id('m')}", at_position=s.api.head() + 1)
    assert_problem(response, 422, "validation-error", parameter="at_position")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("as_of", "yesterday"),
        ("as_of", "2025-08-11T18:00:00"),
        ("as_of", "2025-02-30"),
        ("as_of", "1754935200"),
        ("known_at", "2025-13-01"),
        ("known_at", "2025-08-11 18:00Z"),
        ("at_position", "-1"),
        ("at_position", "abc"),
        ("at_position", "1.5"),
        ("min_position", "-1"),
    ],
    ids=[
        "word",
        "naive",
        "no-such-day",
        "number",
        "no-such-month",
        "space",
        "negative",
        "letters",
        "fraction",
        "negative-min",
    ],
)
def test_an_invalid_coordinate_is_refused_naming_it(scene: Scene, name: str, value: str) -> None:
    response = scene.api.get(f"/v1/chips/{scene.chip}", **{name: value})
    assert_problem(response, 422, "validation-error", parameter=name)


@pytest.mark.parametrize(
    "path",
    [
        "/v1/companies/{company}",
        "/v1/chips/{chip}/timeline",
        "/v1/companies/{company}/history",
        "/v1/chips/{chip}/diff?from=2025-01-01&to=2025-02-01",
        "/v1/measures/{measure}",
    ],
    ids=["company", "timeline", "history", "diff", "object"],
)
@pytest.mark.parametrize("name", ["known_at", "at_position"])
def test_every_read_names_an_invalid_coordinate(
    licensed_scene: Scene, path: str, name: str
) -> None:
    s = licensed_scene
    url = path.format(chip=s.chip, company=s.company, measure=s.id("m"))
    separator = "&" if "?" in url else "?"
    response = s.api.client.get(f"{url}{separator}{name}=never")
    assert_problem(response, 422, "validation-error", parameter=name)


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/v1/chips/{chip}?asof=2025-05-01", "asof"),
        ("/v1/companies/{company}?knownat=2025-05-01", "knownat"),
        ("/v1/chips/{chip}/history?as_of=2025-05-01", "as_of"),
        ("/v1/chips/{chip}/timeline?as_of=2025-05-01", "as_of"),
        ("/v1/chips/{chip}/diff?from=2025-05-01&to=2025-08-15&axes=known", "axes"),
        ("/v1/measures/{measure}?position=3", "position"),
        ("/v1/chips/{chip}/timeline?detail=lanes", "detail"),
        ("/v1/chips/{chip}/history?details=lanes", "details"),
    ],
    ids=[
        "misspelt-as-of",
        "misspelt-known-at",
        "history-has-no-as-of",
        "timeline-has-no-as-of",
        "diff-axes",
        "object-position",
        "timeline-has-no-detail",
        "history-details-misspelt",
    ],
)
def test_a_read_refuses_an_unknown_parameter(licensed_scene: Scene, path: str, name: str) -> None:
    """A misspelt coordinate must not quietly answer at its default (as the lists refuse)."""
    s = licensed_scene
    url = path.format(chip=s.chip, company=s.company, measure=s.id("m"))
    assert_problem(s.api.client.get(url), 422, "validation-error", parameter=name)


@pytest.mark.parametrize("value", ["summary", "LANES", "", "full,lanes"])
@pytest.mark.parametrize("kind", ["chips", "companies"])
def test_a_history_refuses_a_detail_it_does_not_know(
    licensed_scene: Scene, kind: str, value: str
) -> None:
    """docs/state.md, "Lanes: the history a timeline draws": full or lanes, nothing else."""
    s = licensed_scene
    subject = s.chip if kind == "chips" else s.company
    response = s.api.client.get(f"/v1/{kind}/{subject}/history", params={"detail": value})
    assert_problem(response, 422, "validation-error", parameter="detail")


# -- subjects --------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "plural"), [("chip", "chips"), ("company", "companies")])
def test_an_unknown_subject_is_a_not_found_problem(api: Api, kind: str, plural: str) -> None:
    assert_problem(api.get(f"/v1/{plural}/never-registered-{kind}"), 404, "not-found")


@pytest.mark.parametrize("suffix", ["", "/timeline", "/history"])
def test_a_chip_registered_after_p_is_not_found_at_p(api: Api, suffix: str) -> None:
    before = api.head()
    s = Scene(api).register()
    assert_problem(api.get(f"/v1/chips/{s.chip}{suffix}", at_position=before), 404, "not-found")


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/v1/chips/H20", "chip"),
        ("/v1/chips/-h20", "chip"),
        ("/v1/chips/h20%20x", "chip"),
        ("/v1/companies/Nvidia", "company"),
        ("/v1/chips/H20/history", "chip"),
        ("/v1/measures/BIS", "measure_id"),
        ("/v1/licenses/_x", "license_id"),
    ],
)
def test_a_bad_slug_is_refused(api: Api, path: str, parameter: str) -> None:
    assert_problem(api.get(path), 422, "validation-error", parameter=parameter)
