"""Fixtures of the point-in-time properties: the databases a test's examples share."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import Backend
from tests.properties.stores import Stores
from tests.support.clock import FakeClock


@pytest.fixture
def stores(backend: Backend, tmp_path: Path, clock: FakeClock) -> Iterator[Stores]:
    shared = Stores(backend, tmp_path, clock)
    try:
        yield shared
    finally:
        shared.close()
