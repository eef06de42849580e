"""POST /v1/events for the write-rule tests (docs/events.md, "Write rules"), on SQLite and PostgreSQL: a client
that stores the givens, and the assertions on a refusal — the status, the problem `type` and
the pointer (or header) in `errors[]` that locates the fault.
"""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

Body = dict[str, Any]


class Api:
    def __init__(self, client: TestClient, headers: dict[str, str]):
        self.client, self.headers = client, headers

    def post(self, body: Body, **headers: str) -> httpx.Response:
        return self.client.post("/v1/events", json=body, headers={**self.headers, **headers})

    def given(self, *bodies: Body) -> list[dict[str, Any]]:
        """Store each event, failing the test if any is refused; return the stored events."""
        stored = []
        for body in bodies:
            response = self.post(body)
            assert response.status_code == 201, response.text
            stored.append(response.json())
        return stored


def with_(body: Body, **fields: Any) -> Body:
    """The envelope with extra top-level fields (builders put keywords into `data`)."""
    return {**body, **fields}


def assert_problem(response: httpx.Response, status: int, kind: str, pointer: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == f"/problems/{kind}", problem
    assert pointer in [e.get("pointer") for e in problem["errors"]], problem["errors"]
    return problem


def assert_header_problem(response: httpx.Response, status: int, kind: str,
                          header: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    problem = response.json()
    assert problem["type"] == f"/problems/{kind}", problem
    assert header in [e.get("header") for e in problem["errors"]], problem["errors"]
    return problem
