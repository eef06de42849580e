"""A log written by an earlier release keeps its meaning (docs/deploy.md, "Upgrades").

tests/fixtures/v1_log/ holds a SQLite database written through the API by the code of
commit c7961d6 — before services/ was regrouped, so its idempotency records carry the old
module's topic — and the answers that code gave (tests/fixtures/make_v1_log.py made both).
The current code upgrades a copy and must give the same answers at the same (T, K, P) —
every field of v1 with the same value, and nothing added but the fields of catalog v2
(docs/http.md, "Schema version") — and replay the same answers to the same Idempotency-Keys.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from services.api.app import create_app
from services.bootstrap import bootstrap
from services.settings import Settings
from services.storage import migrate
from tests.fixtures.make_v1_log import BATCH  # the batch the fixture was written with
from tests.support.contract import checked_client

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "v1_log"
ANSWERS: dict[str, Any] = json.loads((FIXTURE / "answers.json").read_text())


@pytest.fixture(scope="module")
def upgraded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("v1")
    shutil.copy(FIXTURE / "regtimeline.db", folder / "regtimeline.db")
    settings = Settings(database_url=f"sqlite:///{folder}/regtimeline.db", data_dir=folder)
    migrate.upgrade(settings)
    container = bootstrap(settings)
    try:
        with checked_client(create_app(container, manage_lifecycle=True)) as client:
            client.get(f"/v1/events?min_position={ANSWERS['head']}")
            yield client
    finally:
        container.close()


# The fields catalog v2 adds to answers about a v1 log (docs/state.md): nothing else may appear.
V2_FIELDS = {
    "suspended_measures",
    "review_policy",
    "exceptions",
    "via",
    "pending_applications",
    "duties",
    "announcements",
    "applications",
    "owners",
    "holdings",
    "events",  # /history spans name the events that start them
}


def v1_differences(before: Any, after: Any, path: str = "") -> list[str]:
    """Where `after` is not `before` plus catalog v2 fields: a v1 value changed or went
    missing, or a field that is not v2's appeared."""
    if isinstance(before, dict) and isinstance(after, dict):
        found = [f"{path}/{k}: added" for k in after.keys() - before.keys() if k not in V2_FIELDS]
        found += [f"{path}/{k}: missing" for k in before.keys() - after.keys()]
        for key in before.keys() & after.keys():
            found += v1_differences(before[key], after[key], f"{path}/{key}")
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            d
            for i, (b, a) in enumerate(zip(before, after, strict=True))
            for d in v1_differences(b, a, f"{path}/{i}")
        ]
    return [] if before == after else [f"{path}: {before!r} became {after!r}"]


def test_the_comparison_sees_a_changed_or_added_field() -> None:
    assert v1_differences({"a": [1, {"b": 2}]}, {"a": [1, {"b": 2, "via": {}}]}) == []
    assert v1_differences({"a": [1]}, {"a": [2]}) == ["/a/0: 1 became 2"]
    assert v1_differences({"a": 1}, {"a": 1, "new": 0}) == ["/new: added"]
    assert v1_differences({"a": 1}, {}) == ["/a: missing"]


@pytest.mark.parametrize("path", sorted(ANSWERS["reads"]))
def test_a_read_gives_the_v1_answer_with_only_v2_fields_added(
    upgraded: TestClient, path: str
) -> None:
    response = upgraded.get(path)
    assert response.status_code == 200
    assert response.headers["Regtl-Schema"] == "2"
    before = json.loads(ANSWERS["reads"][path])
    assert v1_differences(before, response.json()) == []


def test_an_idempotency_key_of_the_old_log_replays_its_first_answer(upgraded: TestClient) -> None:
    status, body = ANSWERS["idempotent"]["fixture-batch"]
    again = upgraded.post(
        "/v1/events/batch",
        json=BATCH,
        headers={"Authorization": f"Bearer {ANSWERS['token']}", "Idempotency-Key": "fixture-batch"},
    )
    assert (again.status_code, again.text) == (status, body)


def test_a_refusal_recorded_by_the_old_log_is_replayed_too(upgraded: TestClient) -> None:
    status, body = ANSWERS["idempotent"]["fixture-refused"]
    again = upgraded.post(
        "/v1/events",
        headers={
            "Authorization": f"Bearer {ANSWERS['token']}",
            "Idempotency-Key": "fixture-refused",
        },
        json={
            "type": "LicenseRevoked",
            "effective_at": "2025-09-01",
            "data": {"license_id": "no-such-licence"},
        },
    )
    assert (again.status_code, again.text) == (status, body)
