"""POST /v1/events input validation (docs/clocks.md; docs/events.md): the service each module shares.

Nearly every case is refused before anything is stored, so each module shares one
service per backend (a fresh PostgreSQL database per test would cost minutes); the few
cases that store an event use ids of their own.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import builders as b
from tests.support import postgres
from tests.support.events_api import Api, open_api


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_farm: postgres.PostgresFarm | None,
) -> Iterator[Api]:
    """A migrated service on each backend, with nvidia and its H20 registered."""
    with open_api(request.param, tmp_path_factory.mktemp("validation"), pg_farm) as shared:
        for body in b.basics():
            assert shared.post(body).status_code == 201
        yield shared
