"""GET /v1/events/{id}: one event as stored, or a not-found problem."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.support.read_log import Stored

# -- one event ---------------------------------------------------------------------------


def test_one_event_is_served_as_stored(client: TestClient, log: Stored) -> None:
    response = client.get(f"/v1/events/{log['granted']['id']}")
    assert response.status_code == 200
    assert response.json() == log["granted"]


def test_an_unknown_event_is_a_not_found_problem(
    client: TestClient, log: Stored, subtests: pytest.Subtests
) -> None:
    for event_id in (str(uuid.uuid4()), "not-an-id", "1"):
        with subtests.test(event_id):
            response = client.get(f"/v1/events/{event_id}")
            assert response.status_code == 404
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"] == "/problems/not-found"
            assert response.json()["status"] == 404
