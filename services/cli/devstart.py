"""`make run`'s first-run step: load the demo timelines into an empty database (the H20
story, then its H200 sequel: docs/demo.md), make a local key.

The key is written to data/dev-api-key (mode 600) so the README's curl examples can use it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from domain.clocks import utc_now
from services.bootstrap import bootstrap
from services.cli.main import shipped_demos
from services.cli.transfer import load
from services.cli.transfer_files import read_items
from services.settings import Settings


def main(argv: list[str]) -> None:
    """argv: [HOST, PORT] as `make run` will serve them (default 127.0.0.1 8000)."""
    host, port = (argv + ["127.0.0.1", "8000"][len(argv) :])[:2]
    settings = Settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    container = bootstrap(settings)
    try:
        if container.log.head() == 0:
            for path in shipped_demos(settings.demo_file):
                report = load(container, read_items(path))
                print(f"loaded the demo timeline {path.name}: {report.stored} events")
        key_file = settings.data_dir / "dev-api-key"
        if not key_file.exists():
            _, token = container.keys.create("admin", "make-run", utc_now())
            key_file.write_text(token + "\n")
            os.chmod(key_file, 0o600)
        print(_banner(key_file, f"http://{host}:{port}"))
    finally:
        container.close()


def _banner(key_file: Path, base: str) -> str:
    return (
        f"\nregtimeline is starting: open the timeline page at {base}/\n"
        f"  API docs (offline):  {base}/docs\n"
        f"  the log:             {base}/v1/events?chip=h20\n"
        f"  readiness:           {base}/readyz\n"
        f"  an admin API key:    {key_file} (export KEY=$(cat {key_file}))\n"
    )


if __name__ == "__main__":
    main(sys.argv[1:])
