"""Fixtures of the unit layer: an in-memory log, empty or with the registry most rules need."""

from __future__ import annotations

import pytest

from tests.support import builders as b
from tests.unit.memory_ledger import MemoryLedger


@pytest.fixture
def empty() -> MemoryLedger:
    return MemoryLedger()


@pytest.fixture
def log() -> MemoryLedger:
    """nvidia, amkor and the H20 registered (positions 1-3)."""
    ledger = MemoryLedger()
    ledger.record(*b.basics(), b.company("amkor"))
    return ledger
