"""A service on SQLite with the operations settings each test asks for (`ops(...)`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

from tests.support.service import Service, open_service

OpenOps = Callable[..., Service]


@pytest.fixture
def ops(tmp_path: Path) -> Iterator[OpenOps]:
    """`ops(metrics=True, rate_limit="2/s", …)`: the app over a real SQLite database, its
    rate limiter on the service's FakeClock (`service.clock.advance` refills buckets)."""
    with ExitStack() as stack:
        count = 0

        def open_one(**overrides: Any) -> Service:
            nonlocal count
            count += 1
            folder = tmp_path / f"service-{count}"
            folder.mkdir()
            return stack.enter_context(open_service("sqlite", folder, None, **overrides))

        yield open_one
