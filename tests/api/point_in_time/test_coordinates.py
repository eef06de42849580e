"""The coordinates of a read (docs/state.md): as_of and known_at echoed in canonical form, their
defaults, bare dates and a known_at in the future; at_position (an answer at p) and
min_position (read-your-writes)."""

from __future__ import annotations

import time

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.point_in_time import Scene, diff, reported
from tests.support.problems import assert_problem

# -- coordinates -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "given", "echoed"),
    [
        ("as_of", "2025-08-11T20:00:00+02:00", "2025-08-11T18:00:00Z"),
        ("as_of", "2025-08-11T18:00:00.5Z", "2025-08-11T18:00:00.500000Z"),
        ("as_of", "2025-08-11t18:00:00z", "2025-08-11T18:00:00Z"),
        ("as_of", "2025-08-11", "2025-08-11T23:59:59.999999Z"),
        ("known_at", "2025-08-11T18:00:00.000000-00:30", "2025-08-11T18:30:00Z"),
        ("known_at", "2025-08-11", "2025-08-11T23:59:59.999999Z"),
    ],
    ids=["offset", "fraction", "lower-case", "as-of-day", "known-offset", "known-day"],
)
def test_coordinates_are_echoed_in_canonical_form(
    scene: Scene, name: str, given: str, echoed: str
) -> None:
    assert scene.state(**{name: given})[name] == echoed


def test_defaults_are_now_now_and_the_checkpoint(scene: Scene) -> None:
    body = scene.state()
    assert (body["as_of"], body["known_at"], body["position"]) == (
        scene.api.now,
        scene.api.now,
        scene.api.head(),
    )


def test_an_explicit_position_is_echoed(scene: Scene) -> None:
    head = scene.api.head()
    assert scene.state(at_position=head)["position"] == head


@pytest.mark.parametrize(
    ("as_of", "status"),
    [
        ("2025-08-10", "license_required"),
        ("2025-08-11", "licensed"),
    ],
    ids=["day-before", "same-day"],
)
def test_a_bare_date_as_of_includes_that_whole_day(api: Api, as_of: str, status: str) -> None:
    s = Scene(api).register()
    api.batch(s.measure(), s.licence(effective_at="2025-08-11T18:00:00Z"))
    assert s.cn(as_of=as_of) == status


@pytest.mark.parametrize(
    ("known_at", "status"),
    [
        ("2025-08-10", "license_required"),
        ("2025-08-11", "licensed"),
    ],
    ids=["day-before", "same-day"],
)
def test_a_bare_date_known_at_includes_what_was_reported_that_day(
    api: Api, known_at: str, status: str
) -> None:
    s = Scene(api).register()
    api.batch(s.measure(), reported(s.licence(effective_at="2025-08-01"), "2025-08-11T18:00:00Z"))
    assert s.cn(as_of="2025-09-01", known_at=known_at) == status


def test_a_known_at_in_the_future_is_read_as_now_and_echoed_resolved(scene: Scene) -> None:
    assert scene.state(known_at="2030-01-01")["known_at"] == scene.api.now


def test_an_embargoed_event_stays_invisible_even_with_a_future_known_at(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure(), reported(s.licence(), "2027-01-01"))
    assert s.cn(as_of="2025-09-01", known_at="2030-01-01") == "license_required"


# -- at a position ---------------------------------------------------------------------------


def test_an_answer_at_p_does_not_include_a_later_event(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure())
    before = api.head()
    api.batch(s.licence())
    assert (s.cn(as_of="2025-08-15", at_position=before), s.cn(as_of="2025-08-15")) == (
        "license_required",
        "licensed",
    )


# -- read-your-writes ------------------------------------------------------------------------


def test_min_position_waits_for_the_projection(
    licensed_scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, api = licensed_scene, licensed_scene.api
    stored = api.stored(
        b.license_revoked(s.id("lic"), "2025-09-01"), project=False
    )  # not projected yet
    nudges: list[int] = []

    def project_when_nudged(head: int = 0) -> None:  # the projector thread, driven inline
        nudges.append(head)
        api.container.catch_up()

    monkeypatch.setattr(api.container.runner, "nudge", project_when_nudged)
    body = s.state(as_of="2025-10-01", min_position=stored["position"])
    assert body["export"]["CN"]["status"] == "license_required"
    assert body["position"] >= stored["position"]
    assert nudges, "the read answered without waiting for the projection"


def test_a_diff_waits_for_min_position(
    licensed_scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    s, api = licensed_scene, licensed_scene.api
    stored = api.stored(
        b.license_revoked(s.id("lic"), "2025-09-01"), project=False
    )  # not projected yet
    monkeypatch.setattr(api.container.runner, "nudge", lambda head=0: api.container.catch_up())
    body = diff(s, from_="2025-08-15", to="2025-10-01", min_position=stored["position"])
    assert {"path": "/export/CN/status", "from": "licensed", "to": "license_required"} in body[
        "changes"
    ]


def test_a_min_position_not_projected_in_time_is_a_503_with_retry_after(
    scene: Scene, monkeypatch: pytest.MonkeyPatch
) -> None:
    container = scene.api.container
    monkeypatch.setattr(
        container,
        "settings",
        container.settings.model_copy(update={"min_position_wait_seconds": 0.2}),
    )
    monkeypatch.setattr(container.runner, "nudge", lambda head=0: None)  # the projector stalls
    stored = scene.api.stored(b.company(scene.id("late")), project=False)  # written, not projected
    started = time.monotonic()
    response = scene.api.get(f"/v1/chips/{scene.chip}", min_position=stored["position"])
    assert time.monotonic() - started < 2
    assert_problem(response, 503, "not-ready", parameter="min_position")
    assert int(response.headers["retry-after"]) >= 1


def test_a_min_position_beyond_the_log_is_a_422_at_once(scene: Scene) -> None:
    """No wait can reach a position never written: a client mistake, not a 503."""
    response = scene.api.get(f"/v1/chips/{scene.chip}", min_position=10**9)
    assert_problem(response, 422, "validation-error", parameter="min_position")
