"""The shipped demo (deploy/demo/h20_timeline.json) over HTTP: its ids and states, and a
reader of its answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from services.bootstrap import Container

NOW = "2026-01-15T12:00:00Z"  # the FakeClock's start: "today"
LICENCE = "nvidia-h20-cn-2025"
MEASURE = "bis-2025-04-h20"
AGREEMENT = "nvidia-us-15pct-cn-2025"
ADVISORY = "cn-2025-08-h20-avoid"
CASE = "cac-2025-07-nvidia-h20"
# The sequel (deploy/demo/h200_sequel.json, docs/demo.md "The sequel (2025-2026)")
ACS_RULE = "bis-2023-10-17-acs"  # the October 2023 rule, amended in January 2026
D5 = "group:ear-d5"
ANNOUNCEMENT = "us-2025-12-08-h200-cn"
TARIFF = "us-232-2026-chips"
H20_APPLICATION = "nvidia-h20-cn-2025-07"
H200_APPLICATION = "nvidia-h200-cn-2025-12"
CUSTOMS = "cn-2026-01-h200-customs"
PURCHASES = "cn-2026-01-h200-purchases"
ACTIVE: dict[str, Any] = {"status": "active", "since": None, "halted_by": [], "suppliers": []}
HALTED: dict[str, Any] = {
    "status": "halted",
    "since": "2025-08-22T00:00:00Z",
    "halted_by": ["nvidia"],
    "suppliers": ["amkor", "foxconn", "samsung"],
}


@dataclass
class Demo:
    client: TestClient
    container: Container

    def get(self, path: str, **params: str) -> dict[str, Any]:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def h20(self, **params: str) -> dict[str, Any]:
        return self.get("/v1/chips/h20", **params)

    def h200(self, **params: str) -> dict[str, Any]:
        return self.get("/v1/chips/h200", **params)

    def company(self, slug: str, **params: str) -> dict[str, Any]:
        return self.get(f"/v1/companies/{slug}", **params)
