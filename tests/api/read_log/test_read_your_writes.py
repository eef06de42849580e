"""GET /v1/events?min_position=…: a read waits for the projections to reach a position, and
gives up with a 503 and Retry-After."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from domain.clocks import utc_now
from services.api.app import create_app
from services.bootstrap import Container, bootstrap
from tests.conftest import Backend
from tests.support import builders as b
from tests.support.clock import FakeClock
from tests.support.contract import checked_client
from tests.support.read_log import Stored, assert_parameter_problem, get, write

# -- read-your-writes --------------------------------------------------------------------


def test_min_position_already_projected_answers_at_once(client: TestClient, log: Stored) -> None:
    head = max(e["position"] for e in log.values())
    started = time.monotonic()
    response = get(client, f"?min_position={head}")
    assert response.status_code == 200
    assert len(response.json()["items"]) == len(log)
    assert time.monotonic() - started < 1


def test_min_position_waits_for_the_projection(
    client: TestClient,
    write_headers: dict[str, str],
    container: Container,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stored = write(client, write_headers, b.company())
    nudges: list[int] = []

    def project_when_nudged(head: int = 0) -> None:  # the projector thread, driven inline
        nudges.append(head)
        container.catch_up()

    monkeypatch.setattr(container.runner, "nudge", project_when_nudged)
    response = get(client, f"?min_position={stored['position']}")
    assert response.status_code == 200, response.text
    assert [e["id"] for e in response.json()["items"]] == [stored["id"]]
    assert nudges, "the read answered without waiting for the projection"


@pytest.fixture
def impatient_client(backend: Backend, clock: FakeClock) -> Iterator[TestClient]:
    """An app whose reads wait at most 0.2 s for the projections."""
    settings = backend.settings.model_copy(update={"min_position_wait_seconds": 0.2})
    container = bootstrap(settings, clock=clock)
    try:
        with checked_client(create_app(container)) as client:
            yield client
    finally:
        container.close()


def test_a_min_position_not_projected_in_time_is_503_with_retry_after(
    impatient_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    container: Container = impatient_client.app.state.container  # type: ignore[attr-defined]
    monkeypatch.setattr(container.runner, "nudge", lambda head=0: None)  # the projector stalls
    token = container.keys.create("write", "impatient", utc_now())[1]
    stored = write(impatient_client, {"Authorization": f"Bearer {token}"}, b.company())
    started = time.monotonic()
    response = impatient_client.get(f"/v1/events?min_position={stored['position']}")
    assert time.monotonic() - started < 2
    assert_parameter_problem(response, "min_position", status=503, kind="not-ready")
    assert int(response.headers["retry-after"]) >= 1


def test_a_min_position_beyond_the_log_is_a_422_at_once(client: TestClient) -> None:
    """No wait can reach a position never written: a client mistake, not a 503."""
    assert_parameter_problem(get(client, "?min_position=1000000"), "min_position")


def test_a_negative_min_position_is_refused(client: TestClient) -> None:
    assert_parameter_problem(get(client, "?min_position=-1"), "min_position")
