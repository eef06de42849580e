"""What starts each history span (`events`) and the `from`/`to` window of timelines and
histories, over HTTP on both backends (docs/state.md, "Timelines, history and diffs")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.point_in_time import Scene, reported
from tests.support.problems import assert_problem

IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture
def story(api: Api) -> tuple[Scene, dict[str, str]]:
    """A requirement from 04-09, a licence 05-01 through 06-30, a halt on 05-01 too, and a
    lift on 09-01."""
    s = Scene(api).register()
    imposed, granted, halted, lifted = api.batch(
        s.measure(),
        s.licence(effective_at="2025-05-01", expires_at="2025-06-30"),
        b.halt(effective_at="2025-05-01", company=s.company, chips=[s.chip]),
        b.lift(s.id("m"), "2025-09-01"),
    )
    return s, {
        "imposed": imposed["id"],
        "granted": granted["id"],
        "halted": halted["id"],
        "lifted": lifted["id"],
    }


def history(s: Scene, **params: Any) -> dict[str, Any]:
    return s.api.ok(f"/v1/chips/{s.chip}/history", **params)


def day(text: str) -> str:
    return f"{text}T00:00:00Z"


def test_each_span_names_the_events_that_start_it(story: tuple[Scene, dict[str, str]]) -> None:
    s, ids = story
    assert [(x["from"], x["events"]) for x in history(s)["spans"]] == [
        (None, []),
        (day("2025-04-09"), [ids["imposed"]]),
        (day("2025-05-01"), [ids["granted"], ids["halted"]]),  # in fold order
        (day("2025-07-01"), [ids["granted"]]),  # the expiry: the grant that set it
        (day("2025-09-01"), [ids["lifted"]]),
    ]


def test_a_company_span_names_its_events_too(story: tuple[Scene, dict[str, str]]) -> None:
    s, ids = story
    spans = s.api.ok(f"/v1/companies/{s.company}/history")["spans"]
    assert [(x["from"], x["events"]) for x in spans] == [
        (None, []),
        (day("2025-05-01"), [ids["granted"], ids["halted"]]),
        (day("2025-07-01"), [ids["granted"]]),
    ]


def test_a_history_window_keeps_the_spans_it_meets_and_echoes_itself(
    story: tuple[Scene, dict[str, str]],
) -> None:
    s, _ = story
    everything = history(s)["spans"]
    answer = history(s, **{"from": "2025-05-15", "to": "2025-07-01"})
    assert answer["spans"] == everything[2:4]
    assert (answer["from"], answer["to"]) == (day("2025-05-15"), "2025-07-01T23:59:59.999999Z")
    assert "from" not in history(s) and "to" not in history(s)


def test_a_span_ending_at_from_is_left_out(story: tuple[Scene, dict[str, str]]) -> None:
    s, _ = story
    spans = history(s, **{"from": "2025-07-01T00:00:00Z"})["spans"]
    assert [x["from"] for x in spans] == [day("2025-07-01"), day("2025-09-01")]
    assert [x["from"] for x in history(s, to="2025-04-08")["spans"]] == [None]


def test_a_timeline_window_keeps_the_events_placed_in_it(
    story: tuple[Scene, dict[str, str]],
) -> None:
    s, ids = story
    answer = s.api.ok(f"/v1/chips/{s.chip}/timeline", **{"from": "2025-05-01", "to": "2025-08-31"})
    assert [e["id"] for e in answer["items"]] == [ids["granted"], ids["halted"]]
    assert (answer["from"], answer["to"]) == (day("2025-05-01"), "2025-08-31T23:59:59.999999Z")
    # registry events are placed at their reported_at (when recorded: the clock, 2026-01-15)
    later = s.api.ok(f"/v1/chips/{s.chip}/timeline", **{"from": "2026-01-01"})["items"]
    assert [e["type"] for e in later] == ["ChipRegistered"]


def test_a_window_is_read_as_known_at_k(api: Api) -> None:
    s = Scene(api).register()
    [late] = api.batch(reported(s.measure(effective_at="2025-05-01"), "2025-06-01"))
    window = {"from": "2025-04-01", "to": "2025-05-31"}
    assert len(history(s, known_at="2025-05-31", **window)["spans"]) == 1
    assert history(s, known_at="2025-06-01", **window)["spans"][-1]["events"] == [late["id"]]


@pytest.mark.parametrize("segment", ["timeline", "history"])
def test_from_after_to_is_refused_naming_from(scene: Scene, segment: str) -> None:
    response = scene.api.get(
        f"/v1/chips/{scene.chip}/{segment}", **{"from": "2025-06-02", "to": "2025-06-01"}
    )
    assert_problem(response, 422, "validation-error", parameter="from")


@pytest.mark.parametrize(("name", "value"), [("from", "June"), ("to", "2025-06-31")])
def test_a_malformed_window_end_is_refused_naming_it(scene: Scene, name: str, value: str) -> None:
    response = scene.api.get(f"/v1/companies/{scene.company}/history", **{name: value})
    assert_problem(response, 422, "validation-error", parameter=name)


def test_the_same_day_as_from_and_to_is_that_whole_day(story: tuple[Scene, dict[str, str]]) -> None:
    s, ids = story
    items = s.api.ok(f"/v1/chips/{s.chip}/timeline", **{"from": "2025-09-01", "to": "2025-09-01"})
    assert [e["id"] for e in items["items"]] == [ids["lifted"]]


def test_a_windowed_read_at_explicit_k_and_p_is_immutable(
    story: tuple[Scene, dict[str, str]],
) -> None:
    s, _ = story
    at = {"known_at": "2025-12-01", "at_position": s.api.head(), "from": "2025-05-01"}
    response = s.api.get(f"/v1/chips/{s.chip}/history", **at)
    assert (response.status_code, response.headers["cache-control"]) == (200, IMMUTABLE)
    again = s.api.get(
        f"/v1/chips/{s.chip}/history", {"If-None-Match": response.headers["etag"]}, **at
    )
    assert again.status_code == 304


def test_the_window_is_documented_on_both_reads(api: Api) -> None:
    document = api.ok("/openapi.json")
    for path in ("/v1/chips/{chip}/timeline", "/v1/companies/{company}/history"):
        parameters = {p["name"]: p for p in document["paths"][path]["get"]["parameters"]}
        for name in ("from", "to"):
            assert parameters[name]["required"] is False
            assert parameters[name]["description"] and parameters[name]["example"]
