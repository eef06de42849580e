"""The page tests' two collaborators: the service with the shipped demo loaded, served for
real on 127.0.0.1, and Debian's Chromium driven by Playwright (never a downloaded browser:
`playwright install` is not used; `make test` installs the `chromium` package)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright

from services.bootstrap import bootstrap
from services.cli.main import shipped_demos
from services.cli.transfer import load
from services.cli.transfer_files import read_items
from services.settings import Settings
from services.storage import migrate
from tests.support.live_server import LiveServer

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
ARTIFACTS = Path(__file__).parent / "artifacts"


@contextmanager
def demo_server(folder: Path) -> Iterator[LiveServer]:
    """`make run`'s service: SQLite, both demo timelines loaded, public reads."""
    settings = Settings(
        database_url=f"sqlite:///{folder}/regtimeline.db", data_dir=folder, public_reads=True
    )
    migrate.upgrade(settings)
    container = bootstrap(settings)
    for path in shipped_demos():
        load(container, read_items(path))
    with LiveServer(container) as live:  # closes the container on the way out
        yield live


def launch(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless. Where it is missing the page tests are skipped, or fail
    when a browser is required (CI, or REGTL_REQUIRE_BROWSER=1)."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: `make test` installs it (apt-get install chromium)"
        if os.environ.get("CI") == "true" or os.environ.get("REGTL_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    """Keep a screenshot as a test artefact (tests/page/artifacts/, not committed)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
