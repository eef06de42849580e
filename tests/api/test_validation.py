"""POST /v1/events input validation (SPEC §1, §2): every refusal is a located problem.

Nearly every case here is refused before anything is stored, so the module shares one
service per backend (a fresh PostgreSQL database per test would cost minutes); the few
cases that store an event use ids of their own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from domain.clocks import utc_now
from services.bootstrap import Container
from tests.support import builders as b
from tests.support import postgres
from tests.support.problems import assert_problem, uid
from tests.support.service import open_service


@dataclass
class Api:
    client: TestClient
    container: Container
    write: dict[str, str]

    def post(self, body: Any) -> Response:
        response: Response = self.client.post("/v1/events", json=body, headers=self.write)
        return response

    def post_raw(self, raw: bytes) -> Response:
        headers = {**self.write, "Content-Type": "application/json"}
        response: Response = self.client.post("/v1/events", content=raw, headers=headers)
        return response


@contextmanager
def open_api(kind: str, tmp_path: Path, farm: postgres.PostgresFarm | None) -> Iterator[Api]:
    """A migrated service on `kind`, with nvidia and its H20 registered."""
    with open_service(kind, tmp_path, farm) as service:
        client, container = service.client, service.container
        token = container.keys.create("write", "test-write", utc_now())[1]
        api = Api(client, container, {"Authorization": f"Bearer {token}"})
        for body in b.basics():
            assert api.post(body).status_code == 201
        yield api


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        pg_farm: postgres.PostgresFarm | None) -> Iterator[Api]:
    with open_api(request.param, tmp_path_factory.mktemp("validation"), pg_farm) as shared:
        yield shared


# -- SPEC §1: slugs -----------------------------------------------------------------------

@pytest.mark.parametrize("slug", [
    "H20", "a" * 81, "-h20", "_h20", ".h20", "", "h20\n", "h 20", "h²0", "h/20",
], ids=["upper-case", "81-chars", "dash-first", "underscore-first", "dot-first", "empty",
        "trailing-newline", "space", "non-ascii", "slash"])
def test_an_invalid_slug_is_refused(api: Api, slug: str) -> None:
    assert_problem(api.post(b.company(slug)), 422, "validation-error", pointer="/data/company")


def test_a_bad_slug_in_a_list_is_located_by_index(api: Api) -> None:
    response = api.post(b.measure(uid(), chips=["h20", "H100"]))
    assert_problem(response, 422, "validation-error", pointer="/data/chips/1")


@pytest.mark.parametrize("shape", ["80-chars", "all-punctuation"])
def test_a_slug_at_the_limits_of_the_grammar_is_accepted(api: Api, shape: str) -> None:
    serial = uid("")[1:]
    slug = serial.rjust(80, "a") if shape == "80-chars" else f"{serial}.b_c-d"
    response = api.post(b.company(slug))
    assert response.status_code == 201, response.text
    assert response.json()["data"]["company"] == slug


# -- SPEC §1: jurisdictions ---------------------------------------------------------------

def test_uk_is_refused_with_a_hint_to_use_gb(api: Api) -> None:
    body = assert_problem(api.post(b.company(uid(), country="UK")), 422, "validation-error",
                          pointer="/data/country")
    assert "GB" in body["errors"][0]["detail"]


def test_a_lower_case_code_is_refused_with_the_upper_case_hint(api: Api) -> None:
    body = assert_problem(api.post(b.company(uid(), country="gb")), 422, "validation-error",
                          pointer="/data/country")
    assert "'GB'" in body["errors"][0]["detail"]


@pytest.mark.parametrize("code", ["XX", "GBR", "", "U S", 826])
def test_an_unknown_country_code_is_refused(api: Api, code: object) -> None:
    assert_problem(api.post(b.company(uid(), country=code)), 422, "validation-error",
                   pointer="/data/country")


def test_a_bad_destination_is_located_by_index(api: Api) -> None:
    response = api.post(b.measure(uid(), destinations=["CN", "UK"]))
    assert_problem(response, 422, "validation-error", pointer="/data/destinations/1")


def test_eu_is_accepted_as_a_jurisdiction_and_a_destination(api: Api) -> None:
    response = api.post(b.measure(uid(), jurisdiction="EU", destinations=["EU", "CN"]))
    assert response.status_code == 201, response.text
    assert response.json()["data"]["jurisdiction"] == "EU"
    assert response.json()["data"]["destinations"] == ["EU", "CN"]


# -- SPEC §1: timestamps ------------------------------------------------------------------

TIME_FIELDS = ["/effective_at", "/reported_at", "/data/expires_at", "/sources/0/published_at"]


def _with_time(field: str, value: object) -> dict[str, Any]:
    """A licence grant with `value` in one of its four time fields."""
    body = b.license_granted(uid())
    if field == "/data/expires_at":
        body["data"]["expires_at"] = value
    elif field == "/sources/0/published_at":
        body["sources"] = [{"url": "https://example.org/a", "published_at": value}]
    else:
        body[field.lstrip("/")] = value
    return body


@pytest.mark.parametrize("field", TIME_FIELDS)
def test_a_naive_date_time_is_refused(api: Api, field: str) -> None:
    response = api.post(_with_time(field, "2025-08-11T10:00:00"))
    body = assert_problem(response, 422, "validation-error", pointer=field)
    assert "offset" in body["detail"]


@pytest.mark.parametrize("field", TIME_FIELDS)
def test_an_epoch_number_is_refused(api: Api, field: str) -> None:
    assert_problem(api.post(_with_time(field, 1754906400)), 422, "validation-error",
                   pointer=field)


@pytest.mark.parametrize("value", [
    "2025-02-30", "2025-13-01", "2025-00-10", "2025-04-09T24:00:00Z", "2025-04-09T10:60:00Z",
    "2025-04-09T10:00:00+24:00", "0000-01-01", "2025-4-9",
], ids=["feb-30", "month-13", "month-0", "hour-24", "minute-60", "offset-24h", "year-0",
        "unpadded"])
def test_an_impossible_calendar_value_is_refused(api: Api, value: str) -> None:
    assert_problem(api.post(b.measure(uid(), effective_at=value)), 422, "validation-error",
                   pointer="/effective_at")


@pytest.mark.parametrize("value", [
    "2025-04-09T10:00:00.1234567Z", "2025-04-09\n", "2025-04-09T10:00:00Z\n",
    "２０２５-04-09", "2025-04-09T10:00Z", "09/04/2025",
], ids=["7-fraction-digits", "date-newline", "stamp-newline", "fullwidth-digits",
        "no-seconds", "not-iso"])
def test_a_timestamp_outside_rfc3339_is_refused(api: Api, value: str) -> None:
    assert_problem(api.post(b.measure(uid(), effective_at=value)), 422, "validation-error",
                   pointer="/effective_at")


def test_an_expiry_past_the_last_representable_day_is_a_422(api: Api) -> None:
    response = api.post(b.license_granted(uid(), expires_at="9999-12-31"))
    assert_problem(response, 422, "validation-error", pointer="/data/expires_at")


@pytest.mark.parametrize(("sent", "echoed"), [
    ("2025-04-09T01:30:00+02:00", "2025-04-08T23:30:00Z"),
    ("2025-04-09T10:00:00-05:30", "2025-04-09T15:30:00Z"),
    ("2025-04-09T10:00:00+00:00", "2025-04-09T10:00:00Z"),
    ("2025-04-09t10:00:00.25z", "2025-04-09T10:00:00.250000Z"),
    ("2025-04-09T10:00:00.000000Z", "2025-04-09T10:00:00Z"),
    ("2025-04-09T10:00:00.000001Z", "2025-04-09T10:00:00.000001Z"),
])
def test_a_timestamp_is_normalised_to_utc_and_echoed_with_z(api: Api, sent: str,
                                                            echoed: str) -> None:
    response = api.post({**b.measure(uid(), effective_at=sent), "reported_at": sent})
    assert response.status_code == 201, response.text
    assert response.json()["effective_at"] == echoed
    assert response.json()["reported_at"] == echoed


def test_a_bare_date_as_an_event_time_is_the_start_of_that_utc_day(api: Api) -> None:
    body = {**b.measure(uid(), effective_at="2025-04-09"), "reported_at": "2025-04-01",
            "sources": [{"title": "Notice", "published_at": "2025-04-01"}]}
    event = api.post(body).json()
    assert event["effective_at"] == "2025-04-09T00:00:00Z"
    assert event["reported_at"] == "2025-04-01T00:00:00Z"
    assert event["sources"][0]["published_at"] == "2025-04-01T00:00:00Z"


def test_a_bare_expiry_date_is_stored_as_the_next_day_at_midnight(api: Api) -> None:
    event = api.post(b.license_granted(uid(), expires_at="2026-02-28")).json()
    assert event["data"]["expires_at"] == "2026-03-01T00:00:00Z"


def test_an_expiry_with_a_time_is_kept_at_that_instant(api: Api) -> None:
    event = api.post(b.license_granted(uid(), expires_at="2026-08-10T18:00:00+02:00")).json()
    assert event["data"]["expires_at"] == "2026-08-10T16:00:00Z"


# -- SPEC §1: decimals --------------------------------------------------------------------

def _raw_revenue_share(percent_literal: str) -> bytes:
    return json.dumps(b.revenue_share(uid(), percent=0)).replace(
        '"percent": 0', f'"percent": {percent_literal}').encode()


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
def test_a_nan_or_infinity_literal_is_malformed_json(api: Api, literal: str) -> None:
    assert_problem(api.post_raw(_raw_revenue_share(literal)), 400, "malformed-json", pointer="")


@pytest.mark.parametrize("literal", ["1e400", "1e16", "-1e400", "1" * 5000, "1.00001", "1e-5"],
                         ids=["1e400", "1e16", "minus-1e400", "5000-digits", "5-places",
                              "1e-5"])
def test_a_number_out_of_range_or_too_precise_is_a_422(api: Api, literal: str) -> None:
    assert_problem(api.post_raw(_raw_revenue_share(literal)), 422, "validation-error",
                   pointer="/data/percent")


@pytest.mark.parametrize("value", [
    "NaN", "Infinity", "1.00001", "1e1", "1_5", " 15", "15 ", "", "0x10", ".5", "15.", "+15",
    True, None, [15], {"value": 15},
], ids=["nan-string", "infinity-string", "5-places", "exponent", "underscore",
        "leading-space", "trailing-space", "empty", "hex", "no-integer-part",
        "no-fraction-digits", "plus-sign", "boolean", "null", "list", "object"])
def test_a_value_that_is_not_a_decimal_is_a_422(api: Api, value: object) -> None:
    assert_problem(api.post(b.revenue_share(uid(), percent=value)), 422, "validation-error",
                   pointer="/data/percent")


@pytest.mark.parametrize(("sent", "echoed"), [
    ("15.000", "15"), (15, "15"), ("15.5000", "15.5"), ("0.0001", "0.0001"),
    ("100", "100"), ("99.9999", "99.9999"),
])
def test_a_decimal_is_echoed_as_a_normalised_string(api: Api, sent: object,
                                                    echoed: str) -> None:
    response = api.post(b.revenue_share(uid(), percent=sent))
    assert response.status_code == 201, response.text
    assert response.json()["data"]["percent"] == echoed


def test_json_number_fractions_are_kept_exact(api: Api) -> None:
    raw = json.dumps(b.chip(uid(), specs={"tpp": 0})).replace(
        '"tpp": 0', '"tpp": 2368.0, "performance_density": 5.920, "hbm_gb": 0.1').encode()
    response = api.post_raw(raw)
    assert response.status_code == 201, response.text
    assert response.json()["data"]["specs"] == {"tpp": "2368", "performance_density": "5.92",
                                                "hbm_gb": "0.1"}


@pytest.mark.parametrize("percent", [0, "0", "-5", "100.0001", 101])
def test_a_percent_outside_zero_exclusive_to_100_is_refused(api: Api, percent: object) -> None:
    assert_problem(api.post(b.revenue_share(uid(), percent=percent)), 422, "validation-error",
                   pointer="/data/percent")


@pytest.mark.parametrize("spec", ["tpp", "performance_density", "memory_bandwidth_gbps",
                                  "interconnect_gbps", "hbm_gb"])
def test_a_negative_spec_is_refused(api: Api, spec: str) -> None:
    assert_problem(api.post(b.chip(uid(), specs={spec: "-0.5"})), 422, "validation-error",
                   pointer=f"/data/specs/{spec}")


def test_a_negative_criteria_threshold_is_refused(api: Api) -> None:
    body = b.measure(uid(), chips=[], criteria=[{"tpp_min": 4800}, {"tpp_min": -1}])
    assert_problem(api.post(body), 422, "validation-error", pointer="/data/criteria/1/tpp_min")


# -- SPEC §2: unknown fields --------------------------------------------------------------

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
        body = b.correction("0d17489d-12ce-49c4-aa9c-14c0d96c6d6c", effective_at="2025-01-01",
                            bogus=1)
    return body


@pytest.mark.parametrize("where", ["/bogus", "/data/bogus", "/sources/0/bogus",
                                   "/data/specs/bogus", "/data/criteria/0/bogus",
                                   "/data/changes/bogus"])
def test_an_unknown_field_is_refused_by_name(api: Api, where: str) -> None:
    body = assert_problem(api.post(_unknown_field(where)), 422, "validation-error",
                          pointer=where)
    assert "'bogus'" in body["detail"]


@pytest.mark.parametrize(("field", "value"), [
    ("id", "0d17489d-12ce-49c4-aa9c-14c0d96c6d6c"), ("recorded_at", "2025-01-01"),
    ("recorded_by", "me"), ("position", 1), ("version", 1), ("schema_version", 1),
])
def test_a_server_assigned_field_in_a_post_is_refused(api: Api, field: str,
                                                      value: object) -> None:
    body = {**b.company(uid()), field: value}
    assert_problem(api.post(body), 422, "validation-error", pointer=f"/{field}")


# -- SPEC §2: text and sources ------------------------------------------------------------

def test_a_summary_over_1000_characters_is_refused(api: Api) -> None:
    body = {**b.company(uid()), "summary": "a" * 1001}
    assert_problem(api.post(body), 422, "validation-error", pointer="/summary")


def test_a_summary_of_exactly_1000_characters_is_accepted(api: Api) -> None:
    response = api.post({**b.company(uid()), "summary": "é" * 1000})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("char", ["\t", "\r", "\x00", "\x1b", "\x7f", "\x85"],
                         ids=["tab", "carriage-return", "nul", "escape", "delete", "c1-next-line"])
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
    assert_problem(api.post({**b.company(uid()), "sources": sources}), 422, "validation-error",
                   pointer="/sources")


def test_a_source_needs_a_url_or_a_title(api: Api) -> None:
    body = {**b.company(uid()), "sources": [{"title": "ok"}, {"publisher": "Reuters"}]}
    assert_problem(api.post(body), 422, "validation-error", pointer="/sources/1")


@pytest.mark.parametrize("url", ["ftp://example.org/a", "javascript:alert(1)", "example.org/a",
                                 "https://", "https://exa mple.org", "file:///etc/passwd",
                                 "https://example.org/" + "a" * 2030],
                         ids=["ftp", "javascript", "no-scheme", "no-host", "space",
                              "file", "over-2048"])
def test_a_source_url_must_be_http_or_https(api: Api, url: str) -> None:
    body = {**b.company(uid()), "sources": [{"url": url}]}
    assert_problem(api.post(body), 422, "validation-error", pointer="/sources/0/url")


@pytest.mark.parametrize("field", ["title", "publisher"])
def test_a_source_text_over_300_characters_is_refused(api: Api, field: str) -> None:
    body = {**b.company(uid()), "sources": [{"url": "https://example.org/a", field: "t" * 301}]}
    assert_problem(api.post(body), 422, "validation-error", pointer=f"/sources/0/{field}")


def test_a_free_text_reason_over_1000_characters_is_refused(api: Api) -> None:
    assert_problem(api.post(b.halt(reason="r" * 1001)), 422, "validation-error",
                   pointer="/data/reason")


# -- SPEC §2: arrays and criteria ---------------------------------------------------------

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


# -- SPEC §2: type and clocks -------------------------------------------------------------

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


# -- SPEC §1/§2: the body itself ----------------------------------------------------------

@pytest.mark.parametrize("raw", [b"[]", b'"CompanyRegistered"', b"5", b"null", b"true"],
                         ids=["array", "string", "number", "null", "boolean"])
def test_a_body_that_is_not_an_object_is_a_422(api: Api, raw: bytes) -> None:
    assert_problem(api.post_raw(raw), 422, "validation-error", pointer="")


@pytest.mark.parametrize("raw", [
    b'{"type": "CompanyRegistered",', b"{'type': 'CompanyRegistered'}", b'{"type": "A",}',
    b"", b"   ", b'{"a": 1} {"b": 2}', b'{"a": 1 /* c */}', b"\xff\xfe{}", b"\xef\xbb\xbf{}",
    b"[" * 20_000 + b"]" * 20_000,
], ids=["truncated", "single-quotes", "trailing-comma", "empty", "blank", "two-documents",
        "comment", "not-utf8", "bom", "nested-too-deep"])
def test_malformed_json_is_a_400(api: Api, raw: bytes) -> None:
    assert_problem(api.post_raw(raw), 400, "malformed-json", pointer="")


@pytest.mark.parametrize("raw", [
    b'{"type": "CompanyRegistered", "type": "ChipRegistered", "data": {}}',
    b'{"type": "CompanyRegistered", "data": {"company": "a", "company": "b", "name": "A"}}',
], ids=["top-level", "nested"])
def test_duplicate_json_keys_are_a_400(api: Api, raw: bytes) -> None:
    body = assert_problem(api.post_raw(raw), 400, "malformed-json")
    assert "duplicate" in body["detail"]


def test_an_unpaired_surrogate_escape_is_a_400_not_a_500(api: Api) -> None:
    raw = json.dumps({**b.company(uid()), "summary": "x"}).replace('"x"', '"\\ud800"').encode()
    assert_problem(api.post_raw(raw), 400, "malformed-json", pointer="/summary")


def test_a_paired_surrogate_escape_is_an_ordinary_character(api: Api) -> None:
    raw = json.dumps({**b.company(uid()), "summary": "x"}).replace(
        '"x"', '"chip \\ud83d\\ude80"').encode()
    response = api.post_raw(raw)
    assert response.status_code == 201, response.text
    assert response.json()["summary"] == "chip \U0001f680"


@pytest.mark.parametrize("version", [-1, "1", True, 1.5],
                         ids=["negative", "string", "boolean", "fraction"])
def test_expected_version_must_be_a_non_negative_integer(api: Api, version: object) -> None:
    body = {**b.company(uid()), "expected_version": version}
    assert_problem(api.post(body), 422, "validation-error", pointer="/expected_version")
