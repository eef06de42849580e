"""POST /v1/events/batch (docs/http.md): up to 1,000 events, in order, all or nothing.

The module shares one service per backend (`api`, tests/api/conftest.py); every test uses
ids of its own and counts only the events stored after it started.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import builders as b
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid


def pointers(problem: dict[str, Any]) -> list[str]:
    return sorted(e["pointer"] for e in problem["errors"])


def registry() -> tuple[str, str, list[dict[str, Any]]]:
    """A fresh company and its chip, as the first two events of a batch."""
    company, chip = uid("co"), uid("chip")
    return company, chip, [b.company(company), b.chip(chip, manufacturer=company)]


# -- success ------------------------------------------------------------------------------


def test_a_batch_of_1000_events_is_stored_in_order(api: Api) -> None:
    head = api.head()
    response = api.events([b.company(uid()) for _ in range(1000)])
    assert response.status_code == 201, response.text
    items = response.json()["items"]
    assert len(items) == 1000
    positions = [i["position"] for i in items]
    assert positions == sorted(set(positions)) and positions[0] > head
    assert [e["id"] for e in api.stored_since(head)] == [i["id"] for i in items]


def test_the_response_lists_id_position_and_version_of_each_item(api: Api) -> None:
    *_, events = registry()
    response = api.events(events)
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"items"}
    assert [set(item) for item in body["items"]] == [{"id", "position", "version"}] * 2
    assert response.headers["content-type"] == "application/json"


def test_later_items_may_name_ids_created_by_earlier_ones(api: Api) -> None:
    head = api.head()
    company, chip, events = registry()
    measure = b.measure(uid("m"), chips=[chip], companies=[company])
    response = api.events([*events, measure])
    assert response.status_code == 201, response.text
    stored = api.stored_since(head)
    assert [e["type"] for e in stored] == [
        "CompanyRegistered",
        "ChipRegistered",
        "ExportBanImposed",
    ]
    assert stored[1]["data"]["manufacturer"] == company


def test_events_on_one_aggregate_in_one_batch_get_successive_versions(api: Api) -> None:
    _, chip, events = registry()
    measure_id = uid("m")
    response = api.events(
        [
            *events,
            b.measure(measure_id, chips=[chip]),
            b.amendment(measure_id, control="ban"),
            b.lift(measure_id),
        ]
    )
    assert response.status_code == 201, response.text
    assert [i["version"] for i in response.json()["items"]] == [1, 1, 1, 2, 3]


# -- the shape of the body ----------------------------------------------------------------


def test_1001_events_are_a_422_pointing_at_events(api: Api) -> None:
    head = api.head()
    response = api.events([b.company(uid()) for _ in range(1001)])
    assert_problem(response, 422, "validation-error", pointer="/events")
    assert api.stored_since(head) == []


@pytest.mark.parametrize(
    "body",
    [{"events": []}, {}, {"events": None}, {"events": {}}, {"events": "CompanyRegistered"}],
    ids=["empty-list", "missing", "null", "object", "string"],
)
def test_events_must_be_a_non_empty_list(api: Api, body: dict[str, Any]) -> None:
    assert_problem(
        api.post(body, path="/v1/events/batch"), 422, "validation-error", pointer="/events"
    )


@pytest.mark.parametrize("raw", [b"[]", b"null", b'"events"'], ids=["array", "null", "string"])
def test_a_batch_body_that_is_not_an_object_is_a_422(api: Api, raw: bytes) -> None:
    response = api.client.post(
        "/v1/events/batch", content=raw, headers={**api.write, "Content-Type": "application/json"}
    )
    assert_problem(response, 422, "validation-error", pointer="")


def test_an_unknown_top_level_key_is_refused_by_name(api: Api) -> None:
    head = api.head()
    response = api.post({"events": [b.company(uid())], "atomic": False}, path="/v1/events/batch")
    body = assert_problem(response, 422, "validation-error", pointer="/atomic")
    assert "'atomic'" in body["detail"]
    assert api.stored_since(head) == []


def test_malformed_batch_json_is_a_400(api: Api) -> None:
    response = api.client.post(
        "/v1/events/batch",
        content=b'{"events": [',
        headers={**api.write, "Content-Type": "application/json"},
    )
    assert_problem(response, 400, "malformed-json", pointer="")


# -- all or nothing -----------------------------------------------------------------------


def test_invalid_items_among_valid_ones_are_each_located(api: Api) -> None:
    company, _, events = registry()
    bad_chip = b.chip("H100", manufacturer=company)
    bad_company = b.company(uid(), country="UK")
    response = api.events([*events, bad_chip, b.company(uid()), bad_company])
    problem = assert_problem(response, 422, "validation-error")
    assert pointers(problem) == ["/events/2/data/chip", "/events/4/data/country"]


def test_an_invalid_item_stores_nothing_of_the_batch(api: Api) -> None:
    head = api.head()
    *_, events = registry()
    api.events([*events, b.company(uid(), country="UK")])
    assert api.stored_since(head) == []


@pytest.mark.parametrize(
    ("item", "pointer"),
    [
        (
            {"type": "CompanyRegistered", "data": {"company": "x", "name": "X"}, "bogus": 1},
            "/events/1/bogus",
        ),
        ({**b.company("x"), "id": "0d17489d-12ce-49c4-aa9c-14c0d96c6d6c"}, "/events/1/id"),
        ("CompanyRegistered", "/events/1"),
        ({"data": {}}, "/events/1/type"),
        (b.measure("m", chips=["h20", "h20"]), "/events/1/data/chips/1"),
    ],
    ids=["unknown-field", "id-field", "not-an-object", "no-type", "repeated-chip"],
)
def test_a_malformed_item_is_located_under_its_index(api: Api, item: Any, pointer: str) -> None:
    response = api.events([b.company(uid()), item])
    assert_problem(response, 422, "validation-error", pointer=pointer)


def test_an_item_breaking_a_log_rule_is_a_422_and_stores_nothing(api: Api) -> None:
    head = api.head()
    response = api.events([b.company(uid()), b.chip(uid(), manufacturer=uid("nobody"))])
    assert_problem(response, 422, "validation-error", pointer="/events/1/data/manufacturer")
    assert api.stored_since(head) == []


def test_an_item_may_not_name_an_id_created_later_in_the_batch(api: Api) -> None:
    company, chip = uid("co"), uid("chip")
    response = api.events([b.chip(chip, manufacturer=company), b.company(company)])
    assert_problem(response, 422, "validation-error", pointer="/events/0/data/manufacturer")


# -- conflicts ----------------------------------------------------------------------------


def test_an_id_created_twice_in_one_batch_is_a_409(api: Api) -> None:
    head = api.head()
    company = uid()
    response = api.events([b.company(company), b.company(company)])
    assert_problem(response, 409, "batch-conflict", pointer="/events/1/data/company")
    assert api.stored_since(head) == []


def test_an_id_that_already_exists_is_a_409(api: Api) -> None:
    company = uid()
    assert api.events([b.company(company)]).status_code == 201
    response = api.events([b.company(uid()), b.company(company)])
    assert_problem(response, 409, "batch-conflict", pointer="/events/1/data/company")


def test_a_version_mismatch_is_a_409(api: Api) -> None:
    _, chip, events = registry()
    measure_id = uid("m")
    assert api.events([*events, b.measure(measure_id, chips=[chip])]).status_code == 201
    amendment = {**b.amendment(measure_id), "expected_version": 5}
    response = api.events([b.company(uid()), amendment])
    assert_problem(response, 409, "batch-conflict", pointer="/events/1/expected_version")


def test_a_conflict_and_an_invalid_item_together_are_a_422(api: Api) -> None:
    company = uid()
    response = api.events(
        [b.company(company), b.company(company), b.chip(uid(), manufacturer=uid("nobody"))]
    )
    problem = assert_problem(response, 422, "validation-error")
    assert pointers(problem) == ["/events/1/data/company", "/events/2/data/manufacturer"]


ONE_ITEM_BUG = (
    "BUG: services/write/writer.py Writer._decide_all re-raises the bare error when a "
    "request has one item, so a one-item batch is answered like POST /v1/events: "
    "errors point at /data/... instead of /events/0/data/... (and the type is the "
    "single-event kind, not batch-conflict / the batch's 422)"
)


@pytest.mark.parametrize(
    ("fault", "status", "pointer"),
    [
        ("existing-id", 409, "/events/0/data/company"),
        ("unknown-manufacturer", 422, "/events/0/data/manufacturer"),
        ("version-mismatch", 409, "/events/0/expected_version"),
    ],
)
def test_a_one_item_batch_locates_its_fault_under_events_0(
    api: Api, fault: str, status: int, pointer: str
) -> None:
    company = uid()
    assert api.events([b.company(company)]).status_code == 201
    item = {
        "existing-id": b.company(company),
        "unknown-manufacturer": b.chip(uid(), manufacturer=uid("nobody")),
        "version-mismatch": {**b.company(uid()), "expected_version": 3},
    }[fault]
    kind = "batch-conflict" if status == 409 else "validation-error"
    assert_problem(api.events([item]), status, kind, pointer=pointer)
