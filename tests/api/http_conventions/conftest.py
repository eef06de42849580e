"""HTTP conventions (docs/http.md): the service each module shares.

Each module shares one service per backend; tests that store use ids of their own and
read only what they wrote.
"""

from __future__ import annotations

import pytest

from tests.support import builders as b
from tests.support.events_api import Api


@pytest.fixture(scope="module")
def api(api: Api) -> Api:
    """A migrated service on each backend (tests/api/conftest.py), with nvidia registered."""
    api.stored(b.company("nvidia"))
    return api
