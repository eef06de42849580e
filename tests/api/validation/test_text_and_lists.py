"""POST /v1/events validation of free text, sources, arrays and criteria (docs/events.md, "The envelope")."""

from __future__ import annotations

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid

# -- docs/events.md, "The envelope": text and sources ------------------------------------------------------------


def test_a_summary_over_1000_characters_is_refused(api: Api) -> None:
    body = {**b.company(uid()), "summary": "a" * 1001}
    assert_problem(api.post(body), 422, "validation-error", pointer="/summary")


def test_a_summary_of_exactly_1000_characters_is_accepted(api: Api) -> None:
    response = api.post({**b.company(uid()), "summary": "é" * 1000})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    "char",
    ["\t", "\r", "\x00", "\x1b", "\x7f", "\x85"],
    ids=["tab", "carriage-return", "nul", "escape", "delete", "c1-next-line"],
)
def test_a_control_character_in_the_summary_is_refused(api: Api, char: str) -> None:
    body = {**b.company(uid()), "summary": f"two{char}parts"}
    assert_problem(api.post(body), 422, "validation-error", pointer="/summary")


def test_a_newline_in_the_summary_is_accepted_and_kept(api: Api) -> None:
    response = api.post({**b.company(uid()), "summary": "line one\nline two"})
    assert response.status_code == 201, response.text
    assert response.json()["summary"] == "line one\nline two"


@pytest.mark.parametrize("where", ["/sources/0/title", "/sources/0/publisher", "/data/name"])
def test_a_newline_in_a_one_line_text_is_refused(api: Api, where: str) -> None:
    body = {**b.company(uid()), "sources": [{"title": "Notice", "publisher": "Reuters"}]}
    if where == "/data/name":
        body["data"]["name"] = "two\nlines"
    else:
        body["sources"][0][where.rsplit("/", 1)[1]] = "two\nlines"
    assert_problem(api.post(body), 422, "validation-error", pointer=where)


def test_more_than_20_sources_are_refused(api: Api) -> None:
    sources = [{"url": f"https://example.org/{i}"} for i in range(21)]
    assert_problem(
        api.post({**b.company(uid()), "sources": sources}),
        422,
        "validation-error",
        pointer="/sources",
    )


def test_a_source_needs_a_url_or_a_title(api: Api) -> None:
    body = {**b.company(uid()), "sources": [{"title": "ok"}, {"publisher": "Reuters"}]}
    assert_problem(api.post(body), 422, "validation-error", pointer="/sources/1")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/a",
        "javascript:alert(1)",
        "example.org/a",
        "https://",
        "https://exa mple.org",
        "file:///etc/passwd",
        "https://example.org/" + "a" * 2030,
    ],
    ids=["ftp", "javascript", "no-scheme", "no-host", "space", "file", "over-2048"],
)
def test_a_source_url_must_be_http_or_https(api: Api, url: str) -> None:
    body = {**b.company(uid()), "sources": [{"url": url}]}
    assert_problem(api.post(body), 422, "validation-error", pointer="/sources/0/url")


@pytest.mark.parametrize("field", ["title", "publisher"])
def test_a_source_text_over_300_characters_is_refused(api: Api, field: str) -> None:
    body = {**b.company(uid()), "sources": [{"url": "https://example.org/a", field: "t" * 301}]}
    assert_problem(api.post(body), 422, "validation-error", pointer=f"/sources/0/{field}")


def test_a_free_text_reason_over_1000_characters_is_refused(api: Api) -> None:
    assert_problem(
        api.post(b.halt(reason="r" * 1001)), 422, "validation-error", pointer="/data/reason"
    )


# -- docs/events.md, "The envelope": arrays and criteria ---------------------------------------------------------


def test_an_array_over_300_items_is_refused(api: Api) -> None:
    body = b.measure(uid(), chips=[f"chip-{i}" for i in range(301)])
    assert_problem(api.post(body), 422, "validation-error", pointer="/data/chips")


def test_a_repeated_item_is_refused_at_the_repeat(api: Api) -> None:
    body = b.measure(uid(), chips=["h20", "h100", "h20"])
    assert_problem(api.post(body), 422, "validation-error", pointer="/data/chips/2")


def test_an_empty_criteria_clause_is_refused(api: Api) -> None:
    body = b.measure(uid(), chips=[], criteria=[{"tpp_min": 4800}, {}])
    assert_problem(api.post(body), 422, "validation-error", pointer="/data/criteria/1")


def test_more_than_16_criteria_clauses_are_refused(api: Api) -> None:
    body = b.measure(uid(), chips=[], criteria=[{"tpp_min": 1000 + i} for i in range(17)])
    assert_problem(api.post(body), 422, "validation-error", pointer="/data/criteria")


def test_a_measure_that_covers_nothing_is_refused(api: Api) -> None:
    body = b.measure(uid(), chips=[], criteria=[], companies=[])
    assert_problem(api.post(body), 422, "validation-error", pointer="/data")
