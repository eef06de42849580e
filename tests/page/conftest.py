"""Fixtures of the page tests: one demo service and one browser (per test process: the
tests that write only touch subjects they register themselves), a browser context per
module, a new page per test that must log no error and load nothing from anywhere but
the service (the page works offline)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    expect,
    sync_playwright,
)

from tests.page.browser import DESKTOP, demo_server, launch
from tests.support.live_server import LiveServer

expect.set_options(timeout=10_000)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with demo_server(Path(tmp_path_factory.mktemp("page"))) as live:
        yield live


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def context(browser: Browser, server: LiveServer) -> Iterator[BrowserContext]:
    opened = browser.new_context(viewport=DESKTOP, base_url=server.base)
    try:
        yield opened
    finally:
        opened.close()


@pytest.fixture
def viewport() -> dict[str, int]:
    return DESKTOP


@pytest.fixture
def errors() -> list[str]:
    """What went wrong in the page: a test that provokes an error takes its own out."""
    return []


@pytest.fixture
def page(
    context: BrowserContext, server: LiveServer, viewport: dict[str, int], errors: list[str]
) -> Iterator[Page]:
    opened = context.new_page()
    opened.set_viewport_size(viewport)  # type: ignore[arg-type]

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(f"console: {message.text}")

    def request(sent: Request) -> None:
        if not sent.url.startswith((server.base + "/", "data:")):
            errors.append(f"a request off the service: {sent.url}")

    opened.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    opened.on("console", console)
    opened.on("request", request)
    try:
        yield opened
    finally:
        opened.close()
    assert errors == []
