"""The questions the shipped demo answers (docs/demo.md): the demo each module reads.

`deploy/demo/h20_timeline.json` is loaded once per backend into a module-scoped service:
every test here only reads, so a module's tests share it. The fake clock stands at
2026-01-15, after every report in the demo ("today's knowledge").
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from services.cli.main import REPO_DEMO
from services.cli.transfer import load, read_items
from tests.support import postgres
from tests.support.demo import Demo
from tests.support.service import open_service


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_farm: postgres.PostgresFarm | None,
) -> Iterator[Demo]:
    with open_service(request.param, tmp_path_factory.mktemp("demo"), pg_farm) as service:
        load(service.container, read_items(REPO_DEMO))
        service.container.catch_up()
        yield Demo(service.client, service.container)
