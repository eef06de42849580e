"""Envelopes for the write-rule tests (docs/events.md, "Write rules").

The client that stores the givens is tests/support/events_api.py `Api`; a refusal (status,
problem `type`, the pointer or header in `errors[]`) is checked by
tests/support/problems.py `assert_problem`.
"""

from __future__ import annotations

from typing import Any

Body = dict[str, Any]


def with_(body: Body, **fields: Any) -> Body:
    """The envelope with extra top-level fields (builders put keywords into `data`)."""
    return {**body, **fields}
