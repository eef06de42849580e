"""Knowledge over time: revisions (corrections, retractions) apply in report order, and the
anomalies a correction can leave (an event moved before its creator or after the end)."""

from __future__ import annotations

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.point_in_time import Scene, reported

# -- anomalies -------------------------------------------------------------------------------


@pytest.fixture
def anomalous_scene(api: Api) -> tuple[Scene, str]:
    """A licence granted 08-11 and revoked 10-01; a correction reported 11-01 moves the
    revocation to 07-01, before the grant."""
    s = Scene(api).register()
    revoked = api.batch(s.licence(), b.license_revoked(s.id("lic"), "2025-10-01"))[1]
    api.batch(reported(b.correction(revoked["id"], effective_at="2025-07-01"), "2025-11-01"))
    return s, revoked["id"]


@pytest.mark.parametrize("plural", ["chips", "companies"])
def test_a_lifecycle_event_moved_before_its_creator_is_an_anomaly(
    anomalous_scene: tuple[Scene, str], plural: str
) -> None:
    s, revoked = anomalous_scene
    subject = s.chip if plural == "chips" else s.company
    body = s.api.ok(f"/v1/{plural}/{subject}")
    assert body["anomalies"] == [{"event_id": revoked, "reason": "before_creator"}]


@pytest.mark.parametrize("plural", ["chips", "companies"])
def test_the_anomaly_is_listed_from_the_moment_it_is_folded(
    anomalous_scene: tuple[Scene, str], plural: str
) -> None:
    s, revoked = anomalous_scene
    licence = s.api.ok(f"/v1/licenses/{s.id('lic')}", as_of="2025-07-15")["anomalies"]
    subject = s.chip if plural == "chips" else s.company
    assert (
        s.api.ok(f"/v1/{plural}/{subject}", as_of="2025-07-15")["anomalies"]
        == licence
        == [{"event_id": revoked, "reason": "before_creator"}]
    )


def test_a_revocation_moved_before_the_grant_is_a_no_op(anomalous_scene: tuple[Scene, str]) -> None:
    s, _ = anomalous_scene
    assert [lic["license_id"] for lic in s.company_state()["licenses"]] == [s.id("lic")]


def test_before_the_correction_was_reported_there_was_no_anomaly(
    anomalous_scene: tuple[Scene, str],
) -> None:
    s, _ = anomalous_scene
    body = s.state(known_at="2025-10-31")
    assert (body["anomalies"], body["export"]) == ([], {})


def test_an_amendment_moved_after_the_lift_is_an_anomaly(api: Api) -> None:
    s = Scene(api).register()
    _, amended, _ = api.batch(
        s.measure(),
        b.amendment(s.id("m"), "2025-05-01", control="ban"),
        b.lift(s.id("m"), "2025-06-01"),
    )
    api.batch(b.correction(amended["id"], effective_at="2025-07-01"))
    assert s.state()["anomalies"] == [{"event_id": amended["id"], "reason": "after_terminal"}]


# -- knowledge: revisions in report order -----------------------------------------------------


def test_a_registry_event_is_visible_at_any_known_at(scene: Scene) -> None:
    assert scene.state(known_at="2020-01-01")["chip"] == scene.chip


def test_revisions_apply_in_reported_order_not_log_order(api: Api) -> None:
    s = Scene(api).register()
    imposed = api.batch(s.measure())[0]
    late, early = api.batch(  # logged first but reported later: it wins
        reported(b.correction(imposed["id"], effective_at="2025-04-20"), "2025-06-01"),
        reported(b.correction(imposed["id"], effective_at="2025-04-15"), "2025-05-01"),
    )
    assert [s.cn(as_of=t) for t in ("2025-04-19", "2025-04-20")] == [None, "license_required"]
    events = api.ok(f"/v1/measures/{s.id('m')}")["events"]
    assert events[0]["revised_by"] == [early["id"], late["id"]]


def test_a_correction_reinstates_a_retracted_event(api: Api) -> None:
    s = Scene(api).register()
    imposed = api.batch(s.measure())[0]
    api.batch(
        reported(b.retraction(imposed["id"]), "2025-05-10"),
        reported(b.correction(imposed["id"], effective_at="2025-04-10"), "2025-05-20"),
    )
    assert [s.cn(known_at=k) for k in ("2025-05-09", "2025-05-15", "2025-05-25")] == [
        "license_required",
        None,
        "license_required",
    ]
