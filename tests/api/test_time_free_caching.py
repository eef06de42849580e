"""Timelines and histories do not depend on T: explicit K and P make them immutable."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from services.bootstrap import Container
from tests.support import builders as b


@pytest.mark.parametrize("view", ["timeline", "history"])
def test_a_time_free_view_with_k_and_p_explicit_is_cached_for_good(
    client: TestClient, container: Container, write_headers: dict[str, str], view: str
) -> None:
    for body in [*b.basics(), b.measure()]:
        assert client.post("/v1/events", json=body, headers=write_headers).status_code == 201
    container.catch_up()
    pinned = client.get(f"/v1/chips/h20/{view}?known_at=2026-01-01&at_position=3")
    assert pinned.headers["cache-control"] == "public, max-age=31536000, immutable"
    floating = client.get(f"/v1/chips/h20/{view}?known_at=2026-01-01")
    assert floating.headers["cache-control"] == "public, max-age=5"
