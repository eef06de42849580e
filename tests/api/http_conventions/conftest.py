"""HTTP conventions (docs/http.md): the service each module shares.

Each module shares one service per backend; tests that store use ids of their own and
read only what they wrote.
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
    """A migrated service on each backend, with nvidia registered."""
    with open_api(request.param, tmp_path_factory.mktemp("http"), pg_farm) as shared:
        shared.stored(b.company("nvidia"))
        yield shared
