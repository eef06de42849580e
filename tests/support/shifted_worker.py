"""`regtl worker` with its clock moved ahead: `python -m tests.support.shifted_worker SECONDS`.

A worker restarted after a crash must wait out the leases its predecessor held on the
attempts it had in flight (60 s, longer than the 15 s attempt deadline). Running the very
`regtl worker` command with its clock SECONDS ahead stands for that minute passing, without
the test waiting for it (time is outside our control: the one thing we fake).
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

import services.cli.main as cli  # the module: what `regtl worker` runs
from domain.clocks import utc_now
from services.bootstrap import Container, bootstrap
from services.settings import Settings


def main(offset: timedelta) -> None:
    def clock() -> datetime:
        return utc_now() + offset

    def shifted(settings: Settings | None = None) -> Container:
        settings = settings or cli._settings()
        if not settings.is_postgres:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        return bootstrap(settings, clock=clock)

    cli._container = shifted  # what `regtl worker` builds its container with
    cli.worker()


if __name__ == "__main__":
    main(timedelta(seconds=float(sys.argv[1])))
