"""Using the page (docs/page.md): by keyboard, the export check form, and the live
stream (an event posted while the page is open appears without a reload). The events
posted here name only a chip registered here, so the demo's subjects stay as shipped."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from domain.clocks import utc_now
from tests.page.browser import screenshot
from tests.support import builders as b
from tests.support.live_server import LiveServer


def post(server: LiveServer, body: dict[str, Any]) -> dict[str, Any]:
    token = server.container.keys.create("write", "page-test", utc_now())[1]
    response = server.http.post(
        "/v1/events", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201, response.text
    stored: dict[str, Any] = response.json()
    return stored


def test_tab_to_the_search_and_choose_a_chip_with_enter(page: Page) -> None:
    page.goto("/")
    expect(page.locator("#quick-picks button").first).to_be_visible()
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.id") == "subject-search":
            break
    expect(page.locator("#subject-search")).to_be_focused()
    page.keyboard.type("h20")
    page.keyboard.press("Enter")
    expect(page.locator("#subject-title")).to_have_text("H20 (chip h20)")
    expect(page.locator("#subject-title")).to_be_focused()  # where the reading goes on
    expect(page.locator('#timeline g.lane[data-lane="CN"]')).to_have_count(1)
    assert "chip=h20" in page.url


def test_the_arrow_keys_move_through_the_matches(page: Page) -> None:
    page.goto("/")
    search = page.locator("#subject-search")
    search.focus()
    page.keyboard.type("NVIDIA")
    expect(page.locator("#picker-results button.pick")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    expect(page.locator('#picker-results button[data-id="nvidia"]')).to_be_focused()
    page.keyboard.press("Enter")  # a real button: Enter presses it
    expect(page.locator("#subject-title")).to_have_text("NVIDIA (company nvidia)")
    # a name finds what its id does not spell: Foxconn is registered as Hon Hai too
    search.fill("hon hai")
    expect(page.locator("#picker-results button.pick")).to_have_count(1)
    expect(page.locator('#picker-results button[data-id="foxconn"]')).to_be_visible()


# The page's first answer of /v1/companies comes after 1.5 s, so the search is used while the
# lists are still loading; any later one 0.4 s later than the one before it.
SLOWER_AND_SLOWER = """
const realFetch = window.fetch;
let asked = 0;
window.fetch = (url, ...rest) => {
  const companies = String(url).includes("/v1/companies");
  const delay = !companies ? 0 : asked === 0 ? 1500 : 400 * asked;
  if (companies) asked += 1;
  return realFetch(url, ...rest).then((answer) =>
    new Promise((resolve) => setTimeout(() => resolve(answer), delay)));
};
"""


def test_a_late_list_does_not_take_the_focus_from_a_match(page: Page) -> None:
    """Lists answering slower and slower: whatever arrives after the arrow key, the focused
    match stays on screen and focused."""
    page.add_init_script(SLOWER_AND_SLOWER)
    page.goto("/")
    page.locator("#subject-search").focus()
    page.keyboard.type("NVIDIA")
    expect(page.locator("#picker-results button.pick")).to_have_count(1)
    page.keyboard.press("ArrowDown")
    page.wait_for_timeout(4000)  # every answer asked for by then has arrived
    expect(page.locator('#picker-results button[data-id="nvidia"]')).to_be_focused()


def test_the_export_check_form(page: Page, server: LiveServer, errors: list[str]) -> None:
    page.goto("/#chip=h200&at=2026-02-01")
    form = page.locator("#check")
    expect(form.locator("#check-chip")).to_have_value("h200")
    expect(form.locator("#check-destination")).to_have_value("CN")
    form.locator("button").click()
    answer = page.locator("#check-answer .check-answer")
    expect(answer).to_have_attribute("data-decision", "license_required")
    expect(answer).to_contain_text("nvidia exporting h200 to CN on 1 Feb 2026")
    expect(answer).to_contain_text("review policy: case by case")
    expect(answer).to_contain_text("bis-2023-10-17-acs")
    expect(answer).to_contain_text("us-232-2026-chips")
    expect(answer).to_contain_text("not legal advice")
    screenshot(page, "h200-export-check", full_page=True)
    # a refusal of the API is shown as such (an unknown chip: 404)
    form.locator("#check-chip").fill("no-such-chip")
    form.locator("button").click()
    expect(page.locator("#check-answer .error")).to_contain_text("The check was refused")
    assert [e for e in errors if "status of 404" not in e] == []
    errors.clear()


def test_a_posted_event_appears_and_its_retraction_is_marked_without_reload(
    page: Page, server: LiveServer
) -> None:
    post(server, b.chip("page-x1", name="Page X1"))
    page.goto("/#chip=page-x1")
    expect(page.locator("#live")).to_have_attribute("data-state", "live")
    expect(page.locator("#timeline g.lane")).to_have_count(1)  # production only
    page.evaluate("() => { window.notReloaded = true; }")

    body = b.measure(
        "page-test-ban", "2025-06-01", chips=["page-x1"], destinations=["RU"], control="ban"
    )
    ban = post(server, {**body, "summary": "A ban posted by the page test."})
    item = page.locator(f"#event-{ban['id']}")
    expect(item).to_contain_text("A ban posted by the page test.")
    banned = page.locator('#timeline g.lane[data-lane="RU"] g.segment.status-banned')
    expect(banned).to_have_count(1)
    expect(page.locator("#status")).to_contain_text("New event: ExportBanImposed")

    post(server, b.retraction(ban["id"]))
    expect(item.locator(".badge-retracted")).to_have_text("retracted")
    expect(page.locator(f'#timeline g.marker.retracted[data-id="{ban["id"]}"]')).to_have_count(1)
    expect(page.locator('#timeline g.lane[data-lane="RU"]')).to_have_count(0)
    assert page.evaluate("() => window.notReloaded") is True
