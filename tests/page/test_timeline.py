"""The timeline page (docs/page.md) on the shipped demo, in Debian's headless Chromium:
the H20's lanes, the production halt, what was known on 12 April 2025, a phone's
viewport. Read-only: the module's tests share one service."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.page.browser import PHONE, screenshot
from tests.support.live_server import LiveServer


def open_subject(page: Page, fragment: str) -> None:
    page.goto(f"/#{fragment}")
    expect(page.locator("#timeline-section")).to_be_visible()
    expect(page.locator("#timeline svg")).to_be_visible()
    expect(page.locator("#state .coordinates")).to_be_visible()


def segments(page: Page, lane: str) -> list[dict[str, str]]:
    """The lane's segments as drawn: status, bounds and the text label shown on it."""
    return page.locator(f'#timeline g.lane[data-lane="{lane}"] g.segment').evaluate_all(
        """parts => parts.map(p => ({status: p.dataset.status, from: p.dataset.from,
              to: p.dataset.to, label: p.querySelector("text")?.textContent ?? ""}))"""
    )


def lanes(page: Page) -> list[str]:
    return page.locator("#timeline g.lane").evaluate_all("gs => gs.map(g => g.dataset.lane)")


def test_the_h20_has_a_lane_per_destination_with_a_text_label_per_status(
    page: Page, server: LiveServer
) -> None:
    asked: list[str] = []
    page.on("request", lambda sent: asked.append(sent.url))
    open_subject(page, "chip=h20&at=2025-08-23")
    assert lanes(page) == ["CN", "production"]
    # the spans as the lanes need them (docs/page.md, docs/state.md "Lanes: …")
    histories = [url for url in asked if "/v1/chips/h20/history?" in url]
    assert histories and all("detail=lanes" in url for url in histories), asked
    cn = segments(page, "CN")
    assert [(s["status"], s["from"]) for s in cn] == [
        ("unrestricted", ""),
        ("license_required", "2025-04-09T00:00:00Z"),
        ("license_required", "2025-07-15T00:00:00Z"),  # an application pending from then
        ("licensed", "2025-08-11T00:00:00Z"),
    ]
    assert cn[1]["label"] == "licence required"
    assert cn[3]["label"] == "licensed"
    # the same spans as text, for reading without the picture
    rows = page.locator('#lane-table tbody tr[data-lane="CN"]')
    expect(rows).to_have_count(4)
    expect(rows.nth(3)).to_contain_text("11 Aug 2025")
    expect(rows.nth(3)).to_contain_text("licensed")
    # with each span, the events whose effect started it: the grant and the 15 % deal
    # (docs/state.md, "Timelines, history and diffs")
    expect(rows.nth(3).locator("a")).to_have_text(["4", "5"])
    screenshot(page, "h20-desktop")
    screenshot(page, "h20-desktop-full", full_page=True)


def test_production_is_halted_after_22_august_2025(page: Page) -> None:
    open_subject(page, "chip=h20&at=2025-08-23")
    production = segments(page, "production")
    assert [(s["status"], s["from"], s["to"]) for s in production] == [
        ("active", "", "2025-08-22T00:00:00Z"),
        ("halted", "2025-08-22T00:00:00Z", ""),
    ]
    assert production[1]["label"].startswith("halted")
    state = page.locator("#state")
    expect(state).to_contain_text("halted since 22 Aug 2025 by nvidia")
    expect(state).to_contain_text("amkor, foxconn, samsung")
    # the day before, the state beside the timeline says it was still active
    page.locator("#as-of").fill("2025-08-21")
    expect(page.locator("#state .coordinates")).to_contain_text("on 21 Aug 2025")
    expect(page.locator("#state .production")).to_have_text("active")


def test_the_april_2025_requirement_appears_only_once_it_was_reported(page: Page) -> None:
    open_subject(page, "chip=h20&at=2025-04-12")
    known = page.locator("#known-at")
    known.fill("2025-04-12")
    expect(page.locator("#status")).to_contain_text("as known on 12 Apr 2025")
    assert lanes(page) == ["production"]  # no restriction known anywhere yet
    expect(page.locator('#events li[data-type="ExportBanImposed"]')).to_have_count(0)
    expect(page.locator("#state")).to_contain_text("unrestricted everywhere")
    screenshot(page, "h20-known-on-12-april-2025")

    known.fill("2025-04-15")  # the day Nvidia's 8-K made it public
    expect(page.locator("#status")).to_contain_text("as known on 15 Apr 2025")
    assert lanes(page) == ["CN", "production"]
    assert segments(page, "CN")[1]["from"] == "2025-04-09T00:00:00Z"
    expect(page.locator('#events li[data-type="ExportBanImposed"]')).to_have_count(1)
    cn = page.locator('#state li.destination[data-destination="CN"]')
    expect(cn).to_contain_text("licence required")
    expect(cn).to_contain_text("bis-2025-04-h20")


def test_events_show_their_sources_and_corrections(page: Page) -> None:
    open_subject(page, "chip=h20")
    granted = page.locator('#events li[data-type="LicenseGranted"]')
    expect(granted.locator(".badge-corrected")).to_have_text("corrected")
    expect(granted.locator(".revision-corrected")).to_contain_text("(data)")
    expect(page.locator("#timeline g.marker.corrected")).to_have_count(2)  # also the B30A's
    halted = page.locator('#events li[data-type="ProductionHalted"]')
    halted.locator("details.sources summary").click()
    expect(halted.locator(".source")).to_have_count(6)
    expect(halted.locator(".source").first).to_contain_text("The Information")


def test_the_state_at_t_gives_its_reasons(page: Page) -> None:
    open_subject(page, "chip=h200&at=2026-02-01")
    cn = page.locator('#state li.destination[data-destination="CN"]')
    expect(cn).to_contain_text("licence required")
    expect(cn).to_contain_text("review policy: case by case")
    expect(cn).to_contain_text("criteria clause 1")
    expect(cn).to_contain_text("through the group EAR Country Group D:5")
    expect(cn).to_contain_text("nvidia-h200-cn-2025-12")  # the pending application
    expect(page.locator("#state")).to_contain_text("us-232-2026-chips 25 % import duty")


@pytest.mark.parametrize("viewport", [PHONE])
def test_a_phone_shows_it_without_horizontal_scrolling(page: Page) -> None:
    open_subject(page, "chip=h20&at=2025-08-23")
    assert lanes(page) == ["CN", "production"]
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    screenshot(page, "h20-phone", full_page=True)


def test_a_company_has_lanes_from_its_licences_applications_and_halts(page: Page) -> None:
    open_subject(page, "company=nvidia&at=2025-08-23")
    assert lanes(page) == ["CN", "production"]
    assert [(s["status"], s["from"]) for s in segments(page, "CN")] == [
        ("unrestricted", ""),
        ("pending", "2025-07-15T00:00:00Z"),
        ("licensed", "2025-08-11T00:00:00Z"),
        ("licensed", "2025-12-18T00:00:00Z"),  # and the H200 applications are pending
    ]
    rows = page.locator('#lane-table tbody tr[data-lane="CN"]')
    expect(rows.nth(3)).to_contain_text("licensed (h20; application pending: h200)")
    assert segments(page, "production")[1]["from"] == "2025-08-22T00:00:00Z"
    expect(page.locator("#state")).to_contain_text("nvidia-h20-cn-2025")
