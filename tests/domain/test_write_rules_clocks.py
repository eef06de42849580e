"""The clocks a write stores (docs/events.md, "Write rules"): reported_at's defaults and explicit values, and a
recorded_at that never goes back, whatever the clock does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from tests.conftest import Backend
from tests.domain.write_api import with_
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.contract import checked_client
from tests.support.events_api import Api

NOW = "2026-01-15T12:00:00Z"  # the FakeClock's start


# -- reported_at and recorded_at ---------------------------------------------------------


def test_reported_at_of_a_future_rule_defaults_to_recorded_at(registered: Api) -> None:
    [imposed] = registered.given(b.measure(effective_at="2026-06-01"))
    assert imposed["recorded_at"] == NOW
    assert imposed["reported_at"] == NOW


def test_reported_at_of_a_revision_defaults_to_recorded_at(
    registered: Api, clock: FakeClock
) -> None:
    [imposed] = registered.given(b.measure())
    clock.now = datetime(2026, 2, 1, 8, 30, 0, 250_000, tzinfo=UTC)
    [fix] = registered.given(b.correction(imposed["id"], effective_at="2025-04-10"))
    assert fix["recorded_at"] == "2026-02-01T08:30:00.250000Z"
    assert fix["reported_at"] == fix["recorded_at"]


def test_reported_at_of_a_registry_event_defaults_to_recorded_at(api: Api) -> None:
    [nvidia] = api.given(b.company())
    assert nvidia["reported_at"] == nvidia["recorded_at"] == NOW


def test_an_explicit_reported_at_is_kept_in_utc(registered: Api) -> None:
    [imposed] = registered.given(
        with_(b.measure(effective_at="2025-04-09"), reported_at="2025-04-01T02:00:00+02:00")
    )
    assert imposed["reported_at"] == "2025-04-01T00:00:00Z"


def test_an_explicit_reported_at_of_a_revision_is_kept(registered: Api) -> None:
    [imposed] = registered.given(b.measure())
    [fix] = registered.given(
        with_(b.correction(imposed["id"], effective_at="2025-04-10"), reported_at="2025-04-12")
    )
    assert fix["reported_at"] == "2025-04-12T00:00:00Z"


def test_correcting_effective_at_does_not_move_the_stored_reported_at(
    registered: Api, container: Container
) -> None:
    [imposed] = registered.given(b.measure(effective_at="2025-04-09"))
    registered.given(b.correction(imposed["id"], effective_at="2025-03-01"))
    container.catch_up()
    stored = registered.client.get(f"/v1/events/{imposed['id']}").json()
    assert stored["reported_at"] == "2025-04-09T00:00:00Z"
    assert stored["effective_at"] == "2025-04-09T00:00:00Z"


def test_recorded_at_never_decreases_when_the_clock_steps_back(api: Api, clock: FakeClock) -> None:
    [first] = api.given(b.company("nvidia"))
    clock.now -= timedelta(hours=3)
    [second] = api.given(b.company("amkor"))
    assert second["recorded_at"] == first["recorded_at"] == NOW
    assert second["position"] > first["position"]


def test_recorded_at_never_decreases_across_a_restart(
    api: Api, backend: Backend, clock: FakeClock
) -> None:
    [first] = api.given(b.company("nvidia"))
    behind = FakeClock(clock.now - timedelta(hours=3))
    restarted = bootstrap(backend.settings, clock=behind)
    try:
        with checked_client(create_app(restarted)) as client:
            [second] = Api(client, restarted, behind, api.write).given(b.company("amkor"))
    finally:
        restarted.close()
    assert second["recorded_at"] >= first["recorded_at"]
