"""Idempotency-Key (docs/http.md): a retry returns the first response and stores nothing twice.

The module shares one service per backend (`api`, tests/api/conftest.py); every test uses
keys and ids of its own and counts only the events stored after it started.
"""

from __future__ import annotations

import json
from typing import Any

from httpx import Response

from domain.clocks import utc_now
from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid

# -- single events ------------------------------------------------------------------------


def test_a_retry_returns_the_first_status_and_byte_identical_body(api: Api) -> None:
    key, body = uid("key"), b.company(uid())
    first = api.post(body, key)
    api.post(b.company(uid()))  # the log moves on in between
    retry = api.post(body, key)
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert retry.headers["location"] == first.headers["location"]


def test_a_retry_stores_nothing_twice(api: Api) -> None:
    head, key, body = api.head(), uid("key"), b.company(uid())
    first = api.post(body, key).json()
    api.post(body, key)
    api.post(body, key)
    assert [e["id"] for e in api.stored_since(head)] == [first["id"]]


def test_the_same_key_with_another_body_is_a_422(api: Api) -> None:
    key = uid("key")
    assert api.post(b.company(uid()), key).status_code == 201
    response = api.post(b.company(uid()), key)
    assert_problem(response, 422, "idempotency-key-reused", header="Idempotency-Key")


def test_the_same_key_with_another_body_stores_nothing(api: Api) -> None:
    head, key = api.head(), uid("key")
    first = api.post(b.company(uid()), key).json()
    api.post(b.company(uid()), key)
    assert [e["id"] for e in api.stored_since(head)] == [first["id"]]


def test_a_key_over_255_characters_is_a_422(api: Api) -> None:
    head = api.head()
    response = api.post(b.company(uid()), "k" * 256)
    assert_problem(response, 422, "validation-error", header="Idempotency-Key")
    assert api.stored_since(head) == []


def test_an_empty_key_is_a_422(api: Api) -> None:
    response = api.post(b.company(uid()), "")
    assert_problem(response, 422, "validation-error", header="Idempotency-Key")


def test_a_key_of_255_characters_is_accepted_and_honoured(api: Api) -> None:
    key, body = uid("key").ljust(255, "k"), b.company(uid())
    first = api.post(body, key)
    assert first.status_code == 201, first.text
    assert api.post(body, key).content == first.content


def test_the_same_key_under_another_api_key_is_independent(api: Api) -> None:
    head, key = api.head(), uid("key")
    other = {"Authorization": "Bearer " + api.container.keys.create("write", "other", utc_now())[1]}
    assert api.post(b.company(uid()), key).status_code == 201
    response = api.post(b.company(uid()), key, auth=other)
    assert response.status_code == 201, response.text
    assert len(api.stored_since(head)) == 2


def test_the_same_key_and_body_under_another_api_key_is_not_a_replay(api: Api) -> None:
    key, body = uid("key"), b.company(uid())
    other = {"Authorization": "Bearer " + api.container.keys.create("write", "other", utc_now())[1]}
    assert api.post(body, key).status_code == 201
    response = api.post(body, key, auth=other)  # decided afresh: the company exists now
    assert_problem(response, 409, "duplicate-id", pointer="/data/company")


def _send(api: Api, raw: str, key: str, path: str = "/v1/events") -> Response:
    headers = {**api.write, "Idempotency-Key": key, "Content-Type": "application/json"}
    response: Response = api.client.post(path, content=raw.encode(), headers=headers)
    return response


def _agreement(api: Api) -> dict[str, Any]:
    """A revenue share of a company and chip of its own, its percent to be spelled in."""
    company, chip = uid(), uid()
    assert api.post(b.company(company)).status_code == 201
    assert api.post(b.chip(chip, company)).status_code == 201
    return b.revenue_share(uid(), company=company, chips=[chip], percent="PERCENT")


def test_a_retry_with_other_whitespace_and_key_order_is_the_same_request(api: Api) -> None:
    body = _agreement(api)
    head, key = api.head(), uid("key")
    first = _send(api, json.dumps(body).replace('"PERCENT"', "7.25"), key)
    assert first.status_code == 201, first.text
    reordered = {k: body[k] for k in reversed(body)} | {
        "data": dict(reversed(body["data"].items()))
    }
    respelled = json.dumps(reordered, indent=3).replace('"PERCENT"', "7.250")
    retry = _send(api, respelled, key)
    assert retry.status_code == 201 and retry.content == first.content
    assert [e["id"] for e in api.stored_since(head)] == [first.json()["id"]]


def test_a_retry_with_another_value_is_still_a_422(api: Api) -> None:
    key, body = uid("key"), _agreement(api)
    assert _send(api, json.dumps(body).replace('"PERCENT"', "7.25"), key).status_code == 201
    response = _send(api, json.dumps(body, indent=1).replace('"PERCENT"', "7.26"), key)
    assert_problem(response, 422, "idempotency-key-reused", header="Idempotency-Key")


def test_a_batch_retry_with_other_whitespace_is_the_same_request(api: Api) -> None:
    key, events = uid("key"), {"events": [b.company(uid()), b.company(uid())]}
    first = _send(api, json.dumps(events), key, "/v1/events/batch")
    assert first.status_code == 201, first.text
    retry = _send(api, json.dumps(events, indent=2, sort_keys=True), key, "/v1/events/batch")
    assert retry.status_code == 201 and retry.content == first.content


# -- batches ------------------------------------------------------------------------------


def test_a_batch_retry_returns_the_first_response_and_stores_nothing_twice(api: Api) -> None:
    head, key = api.head(), uid("key")
    company = uid()
    events = [b.company(company), b.chip(uid(), manufacturer=company)]
    first = api.events(events, key)
    retry = api.events(events, key)
    assert first.status_code == retry.status_code == 201
    assert retry.content == first.content
    assert [e["id"] for e in api.stored_since(head)] == [i["id"] for i in first.json()["items"]]


def test_a_batch_with_the_same_key_and_another_body_is_a_422(api: Api) -> None:
    key = uid("key")
    assert api.events([b.company(uid())], key).status_code == 201
    response = api.events([b.company(uid())], key)
    assert_problem(response, 422, "idempotency-key-reused", header="Idempotency-Key")


def test_a_key_used_for_one_event_cannot_be_reused_for_a_batch_of_it(api: Api) -> None:
    key, body = uid("key"), b.company(uid())
    assert api.post(body, key).status_code == 201
    response = api.events([body], key)
    assert_problem(response, 422, "idempotency-key-reused", header="Idempotency-Key")


# -- retention ----------------------------------------------------------------------------


def test_a_key_is_kept_for_24_hours(api: Api) -> None:
    key, body = uid("key"), b.company(uid())
    first = api.post(body, key)
    api.clock.advance(hours=23, minutes=59)
    assert api.post(body, key).content == first.content
    assert_problem(
        api.post(b.company(uid()), key), 422, "idempotency-key-reused", header="Idempotency-Key"
    )


def test_a_key_is_free_again_after_24_hours(api: Api) -> None:
    key = uid("key")
    assert api.post(b.company(uid()), key).status_code == 201
    api.clock.advance(hours=24, seconds=1)
    response = api.post(b.company(uid()), key)
    assert response.status_code == 201, response.text
