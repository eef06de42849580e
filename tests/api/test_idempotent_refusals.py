"""A refusal under an Idempotency-Key is remembered: the retry gets the first answer."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support import builders as b


def test_a_retried_refusal_gets_the_first_answer_even_after_the_log_changed(
    client: TestClient, write_headers: dict[str, str]
) -> None:
    for body in b.basics():
        assert client.post("/v1/events", json=body, headers=write_headers).status_code == 201
    keyed = {**write_headers, "Idempotency-Key": "revoke-1"}
    first = client.post("/v1/events", json=b.license_revoked(), headers=keyed)
    assert first.status_code == 422 and first.json()["errors"][0]["pointer"] == "/data/license_id"
    granted = client.post("/v1/events", json=b.license_granted(), headers=write_headers)
    assert granted.status_code == 201
    retry = client.post("/v1/events", json=b.license_revoked(), headers=keyed)
    assert (retry.status_code, retry.content) == (first.status_code, first.content)
    fresh = client.post(
        "/v1/events",
        json=b.license_revoked(),
        headers={**write_headers, "Idempotency-Key": "revoke-2"},
    )
    assert fresh.status_code == 201


def test_a_remembered_refusal_still_refuses_another_body(
    client: TestClient, write_headers: dict[str, str]
) -> None:
    keyed = {**write_headers, "Idempotency-Key": "chip-1"}
    assert client.post("/v1/events", json=b.chip(), headers=keyed).status_code == 422
    other = client.post("/v1/events", json=b.company(), headers=keyed)
    assert other.status_code == 422
    assert other.json()["type"] == "/problems/idempotency-key-reused"


def test_a_batch_refusal_is_remembered_with_its_pointers(
    client: TestClient, write_headers: dict[str, str]
) -> None:
    keyed = {**write_headers, "Idempotency-Key": "batch-1"}
    body = {"events": [b.company(), b.chip("h20", "amd")]}
    first = client.post("/v1/events/batch", json=body, headers=keyed)
    assert first.status_code == 422
    assert first.json()["errors"][0]["pointer"] == "/events/1/data/manufacturer"
    client.post("/v1/events", json=b.company("amd"), headers=write_headers)
    retry = client.post("/v1/events/batch", json=body, headers=keyed)
    assert (retry.status_code, retry.content) == (422, first.content)
