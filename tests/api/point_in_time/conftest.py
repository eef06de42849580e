"""Point-in-time reads over HTTP (docs/state.md; docs/http.md): the services each module shares.

Two module-scoped services per backend keep PostgreSQL database creation out of each test:
- `api` (tests/api/conftest.py): tests write scenarios of their own (a `Scene`: its own
  company, chip and ids, and, where a measure could reach other tests' chips, its own
  destination), so they do not meet;
- `catalog`: one fixed world (CATALOG), written once and only read — the lists and the objects.
The fake clock stands at 2026-01-15T12:00:00Z ("now") and is never moved here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import builders as b
from tests.support import postgres
from tests.support.events_api import Api, open_api
from tests.support.point_in_time import EU, Catalog, Scene, reported


@pytest.fixture
def scene(api: Api) -> Scene:
    return Scene(api).register()


@pytest.fixture
def licensed_scene(api: Api) -> Scene:
    """CN needs a US licence from 2025-04-09; the licence is granted on 2025-08-11."""
    s = Scene(api).register()
    api.batch(s.measure(), s.licence())
    return s


# -- the fixed catalog: what the lists and the objects read ----------------------------------

CATALOG: dict[str, dict[str, Any]] = {
    "nvidia": b.company("nvidia"),
    "huawei": b.company("huawei", country="CN"),
    "amd": b.company("amd"),
    "samsung": b.company("samsung", country="KR"),
    **{
        chip: b.chip(chip, maker)
        for chip, maker in (
            ("a100", "nvidia"),
            ("ascend", "huawei"),
            ("b30a", "nvidia"),
            ("h100", "nvidia"),
            ("h20", "nvidia"),
            ("l20", "nvidia"),
            ("mi308", "amd"),
        )
    },
    "a100-ban": b.measure("us-2022-a100", "2022-09-01", chips=["a100"], control="ban"),
    "a100-lift": b.lift("us-2022-a100", "2024-06-01", reason="superseded"),
    "h100-ban": b.measure("us-2023-h100", "2023-10-17", chips=["h100"], control="ban"),
    "h100-mo": b.amendment("us-2023-h100", "2024-10-01", destinations=["CN", "MO"]),
    "eu-ru": b.measure(
        "eu-2024-ru", "2024-02-01", destinations=["RU"], chips=["h100", "h20"], **EU
    ),
    "h20-req": reported(
        b.measure("us-2025-h20", "2025-04-09", chips=["h20", "mi308"]), "2025-04-15"
    ),
    "a100-lic": b.license_granted("lic-a100", "2023-01-01", chips=["a100"]),
    "a100-revoke": b.license_revoked("lic-a100", "2023-06-01"),
    "h100-eu-lic": b.license_granted(
        "lic-h100-eu",
        "2024-03-01",
        chips=["h100"],
        destinations=["RU"],
        expires_at="2024-12-31",
        **EU,
    ),
    "h20-lic": b.license_granted("lic-h20", "2025-08-11"),
    "denied": b.license_denied("app-h20", "2025-06-01"),
    "rs": b.revenue_share("rs-h20", "2025-08-11"),
    "rs-end": b.revenue_share_ended("rs-h20", "2025-12-01"),
    "adv-old": b.advisory("cn-caution", "2025-01-01", guidance="caution"),
    "adv-old-end": b.advisory_withdrawn("cn-caution", "2025-03-01"),
    "adv": b.advisory("cn-avoid", "2025-08-12"),
    "case": b.investigation("cac-case", "2025-07-31"),
    "case-end": b.investigation_concluded("cac-case", "2025-11-01", finding="cleared"),
}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def catalog(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_farm: postgres.PostgresFarm | None,
) -> Iterator[Catalog]:
    with open_api(request.param, tmp_path_factory.mktemp("catalog"), pg_farm) as service:
        items = service.batch(*CATALOG.values())
        ids = {name: item["id"] for name, item in zip(CATALOG, items, strict=True)}
        yield Catalog(service, ids)
