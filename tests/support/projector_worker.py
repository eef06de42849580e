"""The live views projector in a process of its own (the exactly-once tests kill it with
`kill -9`, or run two at once against one database).

Usage: python -m tests.support.projector_worker DATABASE_URL LOG_FILE
           [--page N] [--delay SECONDS] [--no-lock] [--until-head]

Applies the log to the active generation, page by page, through the ordinary `Projector`.
LOG_FILE gets `begin A` when the page after position A is being applied (inside the
transaction, before the `--delay` pause) and `commit A B` once entries A+1..B committed.
`--no-lock` skips PostgreSQL's advisory lock, so rivals really race and only the
checkpoint's compare-and-swap keeps them apart. `--until-head`: exit once the checkpoint is
the log's head.
"""

from __future__ import annotations

import argparse
import os
import time
from typing import Any

from domain.events import Recorded
from projections.database import make_engine
from projections.projector import Projector, active_position
from projections.views import Views
from services.bootstrap import read_log_page
from services.settings import Settings
from services.storage.store import open_event_log


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("log_file")
    parser.add_argument("--page", type=int, default=50)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--no-lock", action="store_true")
    parser.add_argument("--until-head", action="store_true")
    args = parser.parse_args()

    settings = Settings(database_url=args.url)
    engine = make_engine(args.url, pool_size=2)
    event_log = open_event_log(settings)
    out = open(args.log_file, "a", buffering=1)  # noqa: SIM115 - lives as long as the process
    read = read_log_page(event_log)
    last_read = {"after": 0}

    def reading(after: int, limit: int) -> list[tuple[int, Any]]:
        last_read["after"] = after
        return read(after, limit)

    class LoggingViews(Views):
        def apply(self, conn: Any, tables: Any, events: list[tuple[int, Recorded]]) -> None:
            out.write(f"begin {last_read['after']}\n")
            super().apply(conn, tables, events)
            if args.delay:
                time.sleep(args.delay)

    if args.no_lock:
        Projector._lock = staticmethod(lambda _conn, _name: True)  # type: ignore[method-assign]
    projector = Projector(engine, reading, LoggingViews(), page=args.page)
    out.write(f"started {os.getpid()}\n")
    while True:
        if projector.step() > 0:
            out.write(f"commit {last_read['after']} {projector.position}\n")
            continue
        if args.until_head:
            with engine.connect() as conn:
                if active_position(conn) >= event_log.head():
                    break
        time.sleep(0.01)
    out.write("done\n")
    out.close()
    event_log.close()
    engine.dispose()


if __name__ == "__main__":
    main()
