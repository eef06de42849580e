"""Reading the raw log over HTTP (GET /v1/events): what the read-log tests share."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi.testclient import TestClient

Stored = dict[str, dict[str, Any]]


def write(client: TestClient, headers: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/events", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def get(client: TestClient, query: str = "") -> httpx.Response:
    return client.get(f"/v1/events{query}")


def items(client: TestClient, query: str) -> list[dict[str, Any]]:
    response = get(client, query)
    assert response.status_code == 200, response.text
    return response.json()["items"]  # type: ignore[no-any-return]


def names(log: Stored, listed: list[dict[str, Any]]) -> list[str]:
    by_id = {event["id"]: name for name, event in log.items()}
    return [by_id[event["id"]] for event in listed]


def assert_parameter_problem(
    response: httpx.Response, parameter: str, status: int = 422, kind: str = "validation-error"
) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == f"/problems/{kind}", problem
    assert parameter in [e.get("parameter") for e in problem["errors"]], problem["errors"]
