"""Point-in-time reads over HTTP (docs/state.md; docs/http.md): the service, scenes and readers the
tests/api/point_in_time modules share.

A `Scene` is a test's own corner of a module's shared log: its own company, chip and ids
(and, where a measure could reach other tests' chips, its own destination).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from domain.clocks import format_instant, utc_now
from services.bootstrap import Container
from tests.support import builders as b
from tests.support import postgres
from tests.support.clock import FakeClock
from tests.support.service import open_service

PROBLEM = "application/problem+json"
EU = {"authority": "EC", "jurisdiction": "EU"}
OCTOBER_2023 = [{"tpp_min": 4800}, {"tpp_min": 1600, "performance_density_min": 5.92}]
serial = itertools.count()  # numbers the scenes and the other ids tests make their own


@dataclass
class Api:
    client: TestClient
    container: Container
    clock: FakeClock
    headers: dict[str, str]

    @property
    def now(self) -> str:
        return format_instant(self.clock.now)

    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post("/v1/events", json=body, headers=self.headers)
        assert response.status_code == 201, response.text
        stored: dict[str, Any] = response.json()
        return stored

    def batch(self, *bodies: dict[str, Any], project: bool = True) -> list[dict[str, Any]]:
        response = self.client.post("/v1/events/batch", json={"events": list(bodies)},
                                    headers=self.headers)
        assert response.status_code == 201, response.text
        if project:
            self.container.catch_up()
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def get(self, path: str, headers: dict[str, str] | None = None, /, **params: Any) -> Response:
        response: Response = self.client.get(path, params=_query(params), headers=headers)
        return response

    def ok(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.get(path, **params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def head(self) -> int:
        return self.container.log.head()


def _query(params: dict[str, Any]) -> dict[str, str]:
    """`from_` stands for `from` (a Python keyword); None drops a parameter."""
    return {k.rstrip("_"): str(v) for k, v in params.items() if v is not None}


@contextmanager
def open_api(kind: str, tmp_path: Path, farm: postgres.PostgresFarm | None) -> Iterator[Api]:
    """A migrated service on `kind` ("sqlite" | "postgres") and a write key to it."""
    with open_service(kind, tmp_path, farm) as service:
        token = service.container.keys.create("write", "test-write", utc_now())[1]
        yield Api(service.client, service.container, service.clock,
                  {"Authorization": f"Bearer {token}"})


def reported(body: dict[str, Any], at: str) -> dict[str, Any]:
    return {**body, "reported_at": at}


def assert_problem(response: Response, status: int, kind: str,
                   parameter: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    problem: dict[str, Any] = response.json()
    assert problem["type"] == f"/problems/{kind}" and problem["status"] == status, problem
    if parameter is not None:
        assert parameter in [e.get("parameter") for e in problem["errors"]], problem["errors"]
    return problem


class Scene:
    """A test's own corner of the shared log: a company `co-N` making a chip `ch-N`."""

    def __init__(self, api: Api):
        self.api = api
        self.n = next(serial)
        self.company, self.chip = f"co-{self.n}", f"ch-{self.n}"

    def id(self, name: str) -> str:
        return f"{name}-{self.n}"

    def register(self, **specs: Any) -> Scene:
        chip_data = {"specs": specs} if specs else {}
        self.api.batch(b.company(self.company), b.chip(self.chip, self.company, **chip_data))
        return self

    # builders bound to this scene's ids
    def measure(self, name: str = "m", effective_at: str = "2025-04-09",
                **data: Any) -> dict[str, Any]:
        return b.measure(self.id(name), effective_at, **{"chips": [self.chip], **data})

    def licence(self, name: str = "lic", effective_at: str = "2025-08-11",
                **data: Any) -> dict[str, Any]:
        return b.license_granted(self.id(name), effective_at,
                                 **{"licensee": self.company, "chips": [self.chip], **data})

    def state(self, **params: Any) -> dict[str, Any]:
        return self.api.ok(f"/v1/chips/{self.chip}", **params)

    def company_state(self, **params: Any) -> dict[str, Any]:
        return self.api.ok(f"/v1/companies/{self.company}", **params)

    def cn(self, **params: Any) -> str | None:
        """export.CN.status, or None when CN is unrestricted."""
        export = self.state(**params)["export"]
        return export["CN"]["status"] if "CN" in export else None


def spans(api: Api, chip: str, **params: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = api.ok(f"/v1/chips/{chip}/history", **params)["spans"]
    return found


def diff(s: Scene, **params: Any) -> dict[str, Any]:
    return s.api.ok(f"/v1/chips/{s.chip}/diff", **params)


@dataclass
class Catalog:
    api: Api
    ids: dict[str, str]  # CATALOG name → event id


def listed(catalog: Catalog, path: str, key: str, **params: Any) -> list[str]:
    return [item[key] for item in catalog.api.ok(path, **params)["items"]]
