"""POST /v1/events validation of the envelope (docs/clocks.md; docs/events.md): unknown and server-assigned
fields, the type and its clocks, and a body that is not a JSON object (400 vs 422)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid

# -- docs/events.md, "The envelope": unknown fields --------------------------------------------------------------


def _unknown_field(where: str) -> dict[str, Any]:
    body = b.measure(uid(), chips=[], criteria=[{"tpp_min": 4800}])
    if where == "/bogus":
        body["bogus"] = 1
    elif where == "/data/bogus":
        body["data"]["bogus"] = 1
    elif where == "/sources/0/bogus":
        body["sources"] = [{"url": "https://example.org/a", "bogus": 1}]
    elif where == "/data/criteria/0/bogus":
        body["data"]["criteria"][0]["bogus"] = 1
    elif where == "/data/specs/bogus":
        body = b.chip(uid(), specs={"tpp": 1, "bogus": 1})
    elif where == "/data/changes/bogus":
        body = b.correction(
            "0d17489d-12ce-49c4-aa9c-14c0d96c6d6c", effective_at="2025-01-01", bogus=1
        )
    return body


@pytest.mark.parametrize(
    "where",
    [
        "/bogus",
        "/data/bogus",
        "/sources/0/bogus",
        "/data/specs/bogus",
        "/data/criteria/0/bogus",
        "/data/changes/bogus",
    ],
)
def test_an_unknown_field_is_refused_by_name(api: Api, where: str) -> None:
    body = assert_problem(api.post(_unknown_field(where)), 422, "validation-error", pointer=where)
    assert "'bogus'" in body["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", "0d17489d-12ce-49c4-aa9c-14c0d96c6d6c"),
        ("recorded_at", "2025-01-01"),
        ("recorded_by", "me"),
        ("position", 1),
        ("version", 1),
        ("schema_version", 1),
    ],
)
def test_a_server_assigned_field_in_a_post_is_refused(api: Api, field: str, value: object) -> None:
    body = {**b.company(uid()), field: value}
    assert_problem(api.post(body), 422, "validation-error", pointer=f"/{field}")


# -- docs/events.md, "The envelope": type and clocks -------------------------------------------------------------


def test_an_event_without_a_type_is_refused(api: Api) -> None:
    body = {k: v for k, v in b.company(uid()).items() if k != "type"}
    assert_problem(api.post(body), 422, "validation-error", pointer="/type")


@pytest.mark.parametrize("type_", ["ExportBanRemoved", "companyregistered", "", 5, None])
def test_an_unknown_type_is_refused(api: Api, type_: object) -> None:
    body = {**b.company(uid()), "type": type_}
    assert_problem(api.post(body), 422, "validation-error", pointer="/type")


def test_a_domain_event_without_effective_at_is_refused(api: Api) -> None:
    body = b.measure(uid())
    del body["effective_at"]
    assert_problem(api.post(body), 422, "invalid-event", pointer="/effective_at")


def test_a_revision_with_its_own_effective_at_is_refused(api: Api) -> None:
    target = api.post(b.measure(uid())).json()["id"]
    body = {**b.correction(target, effective_at="2025-04-10"), "effective_at": "2025-04-10"}
    assert_problem(api.post(body), 422, "invalid-event", pointer="/effective_at")


# -- docs/events.md, "The envelope": the body itself ---------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [b"[]", b'"CompanyRegistered"', b"5", b"null", b"true"],
    ids=["array", "string", "number", "null", "boolean"],
)
def test_a_body_that_is_not_an_object_is_a_422(api: Api, raw: bytes) -> None:
    assert_problem(api.post_raw(raw), 422, "validation-error", pointer="")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"type": "CompanyRegistered",',
        b"{'type': 'CompanyRegistered'}",
        b'{"type": "A",}',
        b"",
        b"   ",
        b'{"a": 1} {"b": 2}',
        b'{"a": 1 /* c */}',
        b"\xff\xfe{}",
        b"\xef\xbb\xbf{}",
        b"[" * 20_000 + b"]" * 20_000,
    ],
    ids=[
        "truncated",
        "single-quotes",
        "trailing-comma",
        "empty",
        "blank",
        "two-documents",
        "comment",
        "not-utf8",
        "bom",
        "nested-too-deep",
    ],
)
def test_malformed_json_is_a_400(api: Api, raw: bytes) -> None:
    assert_problem(api.post_raw(raw), 400, "malformed-json", pointer="")


@pytest.mark.parametrize(
    "raw",
    [
        b'{"type": "CompanyRegistered", "type": "ChipRegistered", "data": {}}',
        b'{"type": "CompanyRegistered", "data": {"company": "a", "company": "b", "name": "A"}}',
    ],
    ids=["top-level", "nested"],
)
def test_duplicate_json_keys_are_a_400(api: Api, raw: bytes) -> None:
    body = assert_problem(api.post_raw(raw), 400, "malformed-json")
    assert "duplicate" in body["detail"]


def test_an_unpaired_surrogate_escape_is_a_400_not_a_500(api: Api) -> None:
    raw = json.dumps({**b.company(uid()), "summary": "x"}).replace('"x"', '"\\ud800"').encode()
    assert_problem(api.post_raw(raw), 400, "malformed-json", pointer="/summary")


def test_a_paired_surrogate_escape_is_an_ordinary_character(api: Api) -> None:
    raw = (
        json.dumps({**b.company(uid()), "summary": "x"})
        .replace('"x"', '"chip \\ud83d\\ude80"')
        .encode()
    )
    response = api.post_raw(raw)
    assert response.status_code == 201, response.text
    assert response.json()["summary"] == "chip \U0001f680"


@pytest.mark.parametrize(
    "version", [-1, "1", True, 1.5], ids=["negative", "string", "boolean", "fraction"]
)
def test_expected_version_must_be_a_non_negative_integer(api: Api, version: object) -> None:
    body = {**b.company(uid()), "expected_version": version}
    assert_problem(api.post(body), 422, "validation-error", pointer="/expected_version")
