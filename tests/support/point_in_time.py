"""Point-in-time reads over HTTP (docs/state.md; docs/http.md): the scenes and readers the
tests/api/point_in_time modules share (the service and its client: tests/support/events_api.py).

A `Scene` is a test's own corner of a module's shared log: its own company, chip and ids
(and, where a measure could reach other tests' chips, its own destination).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from tests.support import builders as b
from tests.support.events_api import Api

EU = {"authority": "EC", "jurisdiction": "EU"}
OCTOBER_2023 = [{"tpp_min": 4800}, {"tpp_min": 1600, "performance_density_min": 5.92}]
serial = itertools.count()  # numbers the scenes and the other ids tests make their own


def reported(body: dict[str, Any], at: str) -> dict[str, Any]:
    return {**body, "reported_at": at}


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
    def measure(
        self, name: str = "m", effective_at: str = "2025-04-09", **data: Any
    ) -> dict[str, Any]:
        return b.measure(self.id(name), effective_at, **{"chips": [self.chip], **data})

    def licence(
        self, name: str = "lic", effective_at: str = "2025-08-11", **data: Any
    ) -> dict[str, Any]:
        return b.license_granted(
            self.id(name), effective_at, **{"licensee": self.company, "chips": [self.chip], **data}
        )

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
