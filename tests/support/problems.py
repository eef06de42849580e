"""Assertions shared by the API tests: RFC 9457 problems, and unique ids per module."""

from __future__ import annotations

import itertools
from typing import Any

from httpx import Response

PROBLEM = "application/problem+json"
LOCATORS = {"pointer", "parameter", "header"}


def assert_problem(response: Response, status: int, kind: str, **where: str) -> dict[str, Any]:
    """An RFC 9457 problem of `kind` whose errors[] hold e.g. pointer="/data/chips/0"."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"] == f"/problems/{kind}"
    assert body["status"] == status and body["title"] and body["detail"]
    for error in body["errors"]:
        assert error["detail"] and len(LOCATORS & set(error)) == 1, error
    for locator, value in where.items():
        assert {locator: value} in [{k: e[k]} for e in body["errors"] for k in LOCATORS & set(e)], (
            body["errors"]
        )
    return body


_serial = itertools.count()


def uid(prefix: str = "t") -> str:
    """A slug no other test in the run uses (tests share services per module)."""
    return f"{prefix}-{next(_serial)}"
