"""What every `regtl` command starts from: the settings, and a database ready for it.

Both answer a mistake in one line on stderr and exit 1 (docs/cli.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from services.cli.output import fail

if TYPE_CHECKING:
    from services.settings import Settings


def settings() -> Settings:
    """REGTL_* read once; a bad value is one line, not pydantic's report."""
    from pydantic import ValidationError

    from services.settings import Settings

    try:
        return Settings()
    except ValidationError as error:
        first = error.errors()[0]
        name = "REGTL_" + "_".join(str(p) for p in first["loc"]).upper()
        raise fail(f"{name}: {first['msg']}") from None


def ready(current: Settings | None = None, *, any_revision: bool = False) -> Settings:
    """Settings whose database exists, answers and is migrated (at the latest revision,
    unless `any_revision`)."""
    from services.storage.preflight import NotReady, check_migrated

    current = current or settings()
    try:
        check_migrated(current, any_revision=any_revision)
    except NotReady as problem:
        raise fail(str(problem)) from None
    return current
