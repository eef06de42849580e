"""Fixtures of the integration tests."""

from __future__ import annotations

import pytest

from services.bootstrap import Container
from tests.support.rebuilds import build_log


@pytest.fixture
def logged(container: Container) -> Container:
    build_log(container)
    container.catch_up()  # the live projector: generation a
    return container
