"""POST /v1/events validation of times (docs/clocks.md): RFC 3339 with an offset or a bare date,
refused when naive, numeric or impossible, echoed in UTC with a Z."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid

# -- docs/clocks.md: timestamps ------------------------------------------------------------------

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
    assert_problem(api.post(_with_time(field, 1754906400)), 422, "validation-error", pointer=field)


@pytest.mark.parametrize(
    "value",
    [
        "2025-02-30",
        "2025-13-01",
        "2025-00-10",
        "2025-04-09T24:00:00Z",
        "2025-04-09T10:60:00Z",
        "2025-04-09T10:00:00+24:00",
        "0000-01-01",
        "2025-4-9",
    ],
    ids=[
        "feb-30",
        "month-13",
        "month-0",
        "hour-24",
        "minute-60",
        "offset-24h",
        "year-0",
        "unpadded",
    ],
)
def test_an_impossible_calendar_value_is_refused(api: Api, value: str) -> None:
    assert_problem(
        api.post(b.measure(uid(), effective_at=value)),
        422,
        "validation-error",
        pointer="/effective_at",
    )


@pytest.mark.parametrize(
    "value",
    [
        "2025-04-09T10:00:00.1234567Z",
        "2025-04-09\n",
        "2025-04-09T10:00:00Z\n",
        "２０２５-04-09",
        "2025-04-09T10:00Z",
        "09/04/2025",
    ],
    ids=[
        "7-fraction-digits",
        "date-newline",
        "stamp-newline",
        "fullwidth-digits",
        "no-seconds",
        "not-iso",
    ],
)
def test_a_timestamp_outside_rfc3339_is_refused(api: Api, value: str) -> None:
    assert_problem(
        api.post(b.measure(uid(), effective_at=value)),
        422,
        "validation-error",
        pointer="/effective_at",
    )


def test_an_expiry_past_the_last_representable_day_is_a_422(api: Api) -> None:
    response = api.post(b.license_granted(uid(), expires_at="9999-12-31"))
    assert_problem(response, 422, "validation-error", pointer="/data/expires_at")


@pytest.mark.parametrize(
    ("sent", "echoed"),
    [
        ("2025-04-09T01:30:00+02:00", "2025-04-08T23:30:00Z"),
        ("2025-04-09T10:00:00-05:30", "2025-04-09T15:30:00Z"),
        ("2025-04-09T10:00:00+00:00", "2025-04-09T10:00:00Z"),
        ("2025-04-09t10:00:00.25z", "2025-04-09T10:00:00.250000Z"),
        ("2025-04-09T10:00:00.000000Z", "2025-04-09T10:00:00Z"),
        ("2025-04-09T10:00:00.000001Z", "2025-04-09T10:00:00.000001Z"),
    ],
)
def test_a_timestamp_is_normalised_to_utc_and_echoed_with_z(
    api: Api, sent: str, echoed: str
) -> None:
    response = api.post({**b.measure(uid(), effective_at=sent), "reported_at": sent})
    assert response.status_code == 201, response.text
    assert response.json()["effective_at"] == echoed
    assert response.json()["reported_at"] == echoed


def test_a_bare_date_as_an_event_time_is_the_start_of_that_utc_day(api: Api) -> None:
    body = {
        **b.measure(uid(), effective_at="2025-04-09"),
        "reported_at": "2025-04-01",
        "sources": [{"title": "Notice", "published_at": "2025-04-01"}],
    }
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
