"""POST /v1/events with a write key, on a service shared by a module per backend."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from domain.clocks import utc_now
from services.bootstrap import Container
from tests.support import postgres
from tests.support.service import open_service


@dataclass
class Api:
    client: TestClient
    container: Container
    write: dict[str, str]

    def post(self, body: Any) -> Response:
        response: Response = self.client.post("/v1/events", json=body, headers=self.write)
        return response

    def post_raw(self, raw: Any, content_type: str | None = "application/json",
                 path: str = "/v1/events") -> Response:
        headers = dict(self.write)
        if content_type is not None:
            headers["Content-Type"] = content_type
        response: Response = self.client.post(path, content=raw, headers=headers)
        return response

    def stored(self, body: dict[str, Any]) -> dict[str, Any]:
        """Append `body` and bring the projections to the head: the stored event."""
        response = self.post(body)
        assert response.status_code == 201, response.text
        self.container.catch_up()
        return response.json()  # type: ignore[no-any-return]


@contextmanager
def open_api(kind: str, tmp_path: Path, farm: postgres.PostgresFarm | None,
             **overrides: Any) -> Iterator[Api]:
    """A migrated service on `kind` (with `overrides` to its Settings) and a write key."""
    with open_service(kind, tmp_path, farm, **overrides) as service:
        client, container = service.client, service.container
        token = container.keys.create("write", "test-write", utc_now())[1]
        yield Api(client, container, {"Authorization": f"Bearer {token}"})
