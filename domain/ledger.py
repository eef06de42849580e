"""What `decide` reads of the log, as currently known: `services/write/ledger.py` serves it
from the store, `tests/unit/memory_ledger.py` from a list."""

from __future__ import annotations

from typing import Protocol

from domain.dossier import Dossier


class Ledger(Protocol):
    def dossier(self, key: str, *, expect_new: bool = False) -> Dossier:
        """The aggregate's events; `expect_new`: the caller is about to create it."""
        ...

    def is_registered(self, kind: str, slug: str) -> bool: ...
    def locate(self, event_id: str) -> str | None: ...
