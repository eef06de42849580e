"""Take the README's picture of the page: `python -m tests.page.readme_image` writes
docs/img/timeline.png (the H20 on 23 August 2025, 1280×800), from the shipped demo served
as the page tests serve it, in Debian's Chromium."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tests.page.browser import DESKTOP, demo_server, launch

TARGET = Path(__file__).resolve().parents[2] / "docs" / "img" / "timeline.png"


def main(target: Path = TARGET) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder, demo_server(Path(folder)) as server:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            page = browser.new_page(viewport=DESKTOP)  # type: ignore[arg-type]
            page.goto(f"{server.base}/#chip=h20&at=2025-08-23")
            expect(page.locator("#state .coordinates")).to_be_visible(timeout=20_000)
            expect(page.locator("#live")).to_have_attribute("data-state", "live")
            page.screenshot(path=str(target))
            browser.close()
    print(f"wrote {target}")


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:2]))
