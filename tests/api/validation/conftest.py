"""POST /v1/events input validation (docs/clocks.md; docs/events.md): the service each module shares.

Nearly every case is refused before anything is stored, so each module shares one
service per backend (a fresh PostgreSQL database per test would cost minutes); the few
cases that store an event use ids of their own.
"""

from __future__ import annotations

import pytest

from tests.support import builders as b
from tests.support.events_api import Api


@pytest.fixture(scope="module")
def api(api: Api) -> Api:
    """A migrated service on each backend (tests/api/conftest.py), with nvidia and its H20
    registered."""
    for body in b.basics():
        assert api.post(body).status_code == 201
    return api
