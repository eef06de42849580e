"""A subject's history (spans of equal state between its changes, as known at k) and its
timeline (the events that concern it, as revised by what is known at k)."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.point_in_time import Scene, reported, spans

# -- history spans ---------------------------------------------------------------------------


@pytest.fixture
def expiring_scene(api: Api) -> Scene:
    """A requirement from 04-09 (corrected to 04-10), a licence 05-01 through 06-30, a
    same-value amendment on 05-15 and a denial on 06-01 (neither changes the chip's state)."""
    s = Scene(api).register()
    api.batch(
        s.measure(),
        s.licence(effective_at="2025-05-01", expires_at="2025-06-30"),
        b.amendment(s.id("m"), "2025-05-15", control="license_required"),
        b.envelope(
            "LicenseDenied",
            {**b.license_denied(s.id("app"))["data"], "licensee": s.company, "chips": [s.chip]},
            "2025-06-01",
        ),
    )
    return s


def test_history_splits_at_every_change_including_a_licence_expiry(expiring_scene: Scene) -> None:
    found = spans(expiring_scene.api, expiring_scene.chip)
    assert [
        (s["from"], s["to"], s["state"]["export"].get("CN", {}).get("status")) for s in found
    ] == [
        (None, "2025-04-09T00:00:00Z", None),
        ("2025-04-09T00:00:00Z", "2025-05-01T00:00:00Z", "license_required"),
        ("2025-05-01T00:00:00Z", "2025-07-01T00:00:00Z", "licensed"),  # expires 06-30 incl.
        ("2025-07-01T00:00:00Z", None, "license_required"),
    ]


def test_history_merges_adjacent_equal_states(expiring_scene: Scene) -> None:
    boundaries = {s["from"] for s in spans(expiring_scene.api, expiring_scene.chip)}
    assert not boundaries & {"2025-05-15T00:00:00Z", "2025-06-01T00:00:00Z"}


def test_history_spans_are_contiguous(expiring_scene: Scene) -> None:
    found = spans(expiring_scene.api, expiring_scene.chip)
    assert all(a["to"] == b_["from"] for a, b_ in itertools.pairwise(found))


def test_history_spans_hold_no_coordinates_or_upcoming(expiring_scene: Scene) -> None:
    state = spans(expiring_scene.api, expiring_scene.chip)[1]["state"]
    assert not {"as_of", "known_at", "position", "upcoming"} & set(state)


def test_history_is_as_known_at_k(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.measure(), reported(s.licence(effective_at="2025-05-01"), "2025-06-01"))
    assert len(spans(api, s.chip, known_at="2025-05-31")) == 2
    assert len(spans(api, s.chip, known_at="2025-06-01")) == 3


def test_company_history_splits_at_its_changes(api: Api) -> None:
    s = Scene(api).register()
    api.batch(s.licence(effective_at="2025-05-01", expires_at="2025-06-30"))
    found = api.ok(f"/v1/companies/{s.company}/history")["spans"]
    assert [(x["from"], x["to"], len(x["state"]["licenses"])) for x in found] == [
        (None, "2025-05-01T00:00:00Z", 0),
        ("2025-05-01T00:00:00Z", "2025-07-01T00:00:00Z", 1),
        ("2025-07-01T00:00:00Z", None, 0),
    ]


# -- timeline ---------------------------------------------------------------------------------


@pytest.fixture
def corrected_scene(api: Api) -> tuple[Scene, dict[str, str]]:
    """A requirement effective 04-09, corrected to 04-10 in a report of 04-20; an advisory
    of 05-01 retracted in a report of 05-10; another chip's measure."""
    s = Scene(api).register()
    other = Scene(api).register()
    imposed, advised, foreign = api.batch(
        s.measure(),
        b.envelope(
            "AdvisoryIssued", {**b.advisory(s.id("adv"))["data"], "chips": [s.chip]}, "2025-05-01"
        ),
        other.measure(),
    )
    fixed, retracted = api.batch(
        reported(b.correction(imposed["id"], effective_at="2025-04-10"), "2025-04-20"),
        reported(b.retraction(advised["id"]), "2025-05-10"),
    )
    return s, {
        "imposed": imposed["id"],
        "advised": advised["id"],
        "foreign": foreign["id"],
        "fixed": fixed["id"],
        "retracted": retracted["id"],
    }


def timeline(s: Scene, **params: Any) -> dict[str, dict[str, Any]]:
    items = s.api.ok(f"/v1/chips/{s.chip}/timeline", **params)["items"]
    return {e["id"]: e for e in items}


def test_the_timeline_applies_a_correction_known_at_k(
    corrected_scene: tuple[Scene, dict[str, str]],
) -> None:
    s, ids = corrected_scene
    imposed = timeline(s, known_at="2025-04-30")[ids["imposed"]]
    assert (imposed["effective_at"], imposed["revised_by"]) == (
        "2025-04-10T00:00:00Z",
        [ids["fixed"]],
    )


def test_the_timeline_ignores_a_correction_reported_after_k(
    corrected_scene: tuple[Scene, dict[str, str]],
) -> None:
    s, ids = corrected_scene
    imposed = timeline(s, known_at="2025-04-19")[ids["imposed"]]
    assert (imposed["effective_at"], imposed["revised_by"]) == ("2025-04-09T00:00:00Z", [])


def test_the_timeline_omits_a_retracted_event(
    corrected_scene: tuple[Scene, dict[str, str]],
) -> None:
    s, ids = corrected_scene
    assert ids["advised"] not in timeline(s)
    assert ids["advised"] in timeline(s, known_at="2025-05-09")


def test_the_timeline_lists_only_events_that_concern_the_chip(
    corrected_scene: tuple[Scene, dict[str, str]],
) -> None:
    s, ids = corrected_scene
    listed = timeline(s, known_at="2025-05-09")
    assert ids["foreign"] not in listed
    assert {e["type"] for e in listed.values()} == {
        "ChipRegistered",
        "ExportBanImposed",
        "AdvisoryIssued",
    }


def test_the_timeline_lists_revisions_in_revised_by_not_as_items(
    corrected_scene: tuple[Scene, dict[str, str]],
) -> None:
    s, ids = corrected_scene
    assert not {ids["fixed"], ids["retracted"]} & set(timeline(s))


def test_the_timeline_is_in_valid_time_order(api: Api) -> None:
    s = Scene(api).register()
    api.batch(
        s.licence(effective_at="2025-08-11"),
        s.measure(effective_at="2025-04-09"),
        b.amendment(s.id("m"), "2025-05-01", control="ban"),
    )
    items = api.ok(f"/v1/chips/{s.chip}/timeline")["items"]
    assert [e["type"] for e in items if e["effective_at"]] == [
        "ExportBanImposed",
        "ExportBanAmended",
        "LicenseGranted",
    ]


def test_the_timeline_echoes_k_and_p(scene: Scene) -> None:
    body = scene.api.ok(f"/v1/chips/{scene.chip}/timeline", known_at="2025-04-30")
    assert (body["known_at"], body["position"], body["chip"]) == (
        "2025-04-30T23:59:59.999999Z",
        scene.api.head(),
        scene.chip,
    )


def test_a_companys_timeline_lists_what_names_it(api: Api) -> None:
    s = Scene(api).register()
    maker = Scene(api).register()
    api.batch(
        s.licence(),
        b.halt(maker.company, [maker.chip], "2025-08-22", suppliers=[s.company]),
        maker.licence(),
    )
    items = api.ok(f"/v1/companies/{s.company}/timeline")["items"]
    named = ("license_id", "company", "chip")
    assert [(e["type"], next(e["data"][k] for k in named if k in e["data"])) for e in items] == [
        ("LicenseGranted", s.id("lic")),
        ("ProductionHalted", maker.company),
        ("CompanyRegistered", s.company),
        ("ChipRegistered", s.chip),
    ]
