"""HTTP conventions (docs/http.md): the size of a write body (413) and its media type (415)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid

# -- body size (413) ----------------------------------------------------------------------


def _padded(body: dict[str, Any], size: int) -> bytes:
    """`body` as JSON followed by whitespace up to `size` bytes (still valid JSON)."""
    raw = json.dumps(body).encode()
    return raw + b" " * (size - len(raw))


def test_a_single_event_body_over_64_kb_is_a_413(api: Api) -> None:
    response = api.post_raw(_padded(b.company(uid()), 64 * 1024 + 1))
    assert_problem(response, 413, "payload-too-large", header="Content-Length")


def test_a_single_event_body_of_exactly_64_kb_is_read(api: Api) -> None:
    response = api.post_raw(_padded(b.company(uid()), 64 * 1024))
    assert response.status_code == 201, response.text


def test_a_chunked_body_over_64_kb_is_a_413_without_a_content_length(api: Api) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"type": "CompanyRegistered"'
        for _ in range(70):
            yield b" " * 1024

    response = api.post_raw(chunks())
    assert_problem(response, 413, "payload-too-large", header="Content-Length")


def test_a_batch_may_exceed_the_single_event_limit(api: Api) -> None:
    events = [{**b.company(uid()), "summary": "s" * 900} for _ in range(100)]
    response = api.client.post("/v1/events/batch", json={"events": events}, headers=api.write)
    assert response.status_code == 201, response.text


def test_a_batch_body_over_4_mb_is_a_413(api: Api) -> None:
    raw = _padded({"events": [b.company(uid())]}, 4 * 1024 * 1024 + 1)
    response = api.post_raw(raw, path="/v1/events/batch")
    assert_problem(response, 413, "payload-too-large", header="Content-Length")


# -- media type (415) ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
        "text/json",
    ],
)
def test_a_body_that_is_not_declared_json_is_a_415(api: Api, content_type: str | None) -> None:
    response = api.post_raw(json.dumps(b.company(uid())).encode(), content_type)
    assert_problem(response, 415, "unsupported-media-type", header="Content-Type")


def test_a_batch_that_is_not_declared_json_is_a_415(api: Api) -> None:
    response = api.post_raw(b'{"events": []}', "text/plain", path="/v1/events/batch")
    assert_problem(response, 415, "unsupported-media-type", header="Content-Type")


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON"])
def test_json_with_parameters_or_any_case_is_accepted(api: Api, content_type: str) -> None:
    response = api.post_raw(json.dumps(b.company(uid())).encode(), content_type)
    assert response.status_code == 201, response.text
