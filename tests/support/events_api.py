"""The test client of the HTTP API: a migrated service per backend, its clock and a write key.

The one `Api` of tests/api and tests/domain: writes (`post`, `events`, `stored`, `given`,
`batch`), reads (`get`, `ok`, and `head`/`stored_since` from ReadsTheLog) and keys (`key`,
`write_as`, `listed`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from domain.clocks import format_instant, utc_now
from services.bootstrap import Container
from services.keys import ApiKey
from tests.support import builders as b
from tests.support import postgres
from tests.support.clock import FakeClock
from tests.support.problems import uid
from tests.support.service import ReadsTheLog, open_service


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Api(ReadsTheLog):
    client: TestClient
    container: Container
    clock: FakeClock
    write: dict[str, str]  # the write key's Authorization header ({} without one)

    @property
    def now(self) -> str:
        return format_instant(self.clock.now)

    # -- writes, answered as they come ------------------------------------------------------

    def post(
        self,
        body: Any,
        key: str | None = None,
        path: str = "/v1/events",
        auth: dict[str, str] | None = None,
        **headers: str,
    ) -> Response:
        """POST `body` with the write key (or `auth`), an Idempotency-Key and `headers`."""
        sent = {**(auth or self.write), **headers}
        if key is not None:
            sent["Idempotency-Key"] = key
        response: Response = self.client.post(path, json=body, headers=sent)
        return response

    def post_raw(
        self, raw: Any, content_type: str | None = "application/json", path: str = "/v1/events"
    ) -> Response:
        headers = dict(self.write)
        if content_type is not None:
            headers["Content-Type"] = content_type
        response: Response = self.client.post(path, content=raw, headers=headers)
        return response

    def events(self, events: list[Any], key: str | None = None) -> Response:
        """POST /v1/events/batch of `events`."""
        return self.post({"events": events}, key, "/v1/events/batch")

    # -- writes that must be stored ---------------------------------------------------------

    def stored(self, body: dict[str, Any], project: bool = True) -> dict[str, Any]:
        """Append `body` and (if `project`) bring the projections to the head: the stored event."""
        response = self.post(body)
        assert response.status_code == 201, response.text
        if project:
            self.container.catch_up()
        return response.json()  # type: ignore[no-any-return]

    def given(self, *bodies: dict[str, Any]) -> list[dict[str, Any]]:
        """Store each event, failing the test if any is refused; return the stored events."""
        stored = []
        for body in bodies:
            response = self.post(body)
            assert response.status_code == 201, response.text
            stored.append(response.json())
        return stored

    def batch(self, *bodies: dict[str, Any], project: bool = True) -> list[dict[str, Any]]:
        """Store `bodies` in one batch and (if `project`) project them: the stored items."""
        response = self.events(list(bodies))
        assert response.status_code == 201, response.text
        if project:
            self.container.catch_up()
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    # -- reads ------------------------------------------------------------------------------

    def get(self, path: str, headers: dict[str, str] | None = None, /, **params: Any) -> Response:
        response: Response = self.client.get(path, params=_query(params), headers=headers)
        return response

    def ok(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    # -- keys -------------------------------------------------------------------------------

    def key(
        self, scope: str = "write", name: str | None = None, expires_in: timedelta | None = None
    ) -> tuple[ApiKey, dict[str, str]]:
        """A new key made at the clock's now: the key and its Authorization header."""
        now = self.clock.now
        expires_at = None if expires_in is None else now + expires_in
        key, token = self.container.keys.create(scope, name or uid("key"), now, expires_at)
        return key, bearer(token)

    def write_as(self, headers: dict[str, str], path: str = "/v1/events") -> Response:
        """A company of its own written to `path` (single or batch) with `headers`."""
        body: dict[str, Any] = b.company(uid())
        if path.endswith("/batch"):
            body = {"events": [body]}
        response: Response = self.client.post(path, json=body, headers=headers)
        return response

    def listed(self, key_id: str) -> ApiKey:
        return next(k for k in self.container.keys.list() if k.id == key_id)


def _query(params: dict[str, Any]) -> dict[str, str]:
    """`from_` stands for `from` (a Python keyword); None drops a parameter."""
    return {k.rstrip("_"): str(v) for k, v in params.items() if v is not None}


@contextmanager
def open_api(
    kind: str,
    tmp_path: Path,
    farm: postgres.PostgresFarm | None,
    write_key: bool = True,
    **overrides: Any,
) -> Iterator[Api]:
    """A migrated service on `kind` ("sqlite" | "postgres"), with `overrides` to its Settings,
    and (unless not `write_key`) a write key to it."""
    with open_service(kind, tmp_path, farm, **overrides) as service:
        client, container, clock = service.client, service.container, service.clock
        write: dict[str, str] = {}
        if write_key:
            write = bearer(container.keys.create("write", "test-write", utc_now())[1])
        yield Api(client, container, clock, write)
