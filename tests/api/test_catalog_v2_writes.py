"""POST /v1/events of catalog v2, on both backends: each new type is stored and echoed by
GET /v1/events/{id} with its data normalised; a v1 measure is echoed as in v1; the write
rules refuse with RFC 9457 problems naming the field, and store nothing
(docs/events.md, "Write rules"; the rules in full: tests/unit/test_catalog_v2_*.py).
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import builders as b
from tests.support import builders_v2 as v2
from tests.support.events_api import Api
from tests.support.problems import assert_problem, uid


@pytest.fixture(scope="module")
def api(api: Api) -> Api:
    """The module's service on each backend (tests/api/conftest.py), with nvidia and its H20."""
    api.given(*b.basics())
    return api


def echoed(api: Api, stored: dict[str, Any]) -> dict[str, Any]:
    """GET /v1/events/{id} of a stored event (the projections brought to the head first):
    it must answer the event as the POST did."""
    api.container.catch_up()
    body = api.ok(f"/v1/events/{stored['id']}")
    assert body == stored
    return body


def test_each_new_type_is_stored_and_echoed_normalised(api: Api) -> None:
    group, measure = uid("group"), uid("measure")
    bodies = [
        v2.group(group, members=["CN", "MO"]),
        v2.group_amended(group, add=["RU"], remove=["MO"]),
        v2.v2_measure(measure, group),
        b.amendment(measure, **v2.v2_fields(group)),
        v2.suspension(measure, until="2025-06-30"),
        v2.reinstatement(measure),
    ]
    data = [echoed(api, stored)["data"] for stored in api.given(*bodies)]
    imposition = {**b.measure(measure)["data"], "criteria": [], "companies": []}
    assert data == [
        {**v2.group(group)["data"], "members": ["CN", "MO"]},
        {"group_id": group, "add": ["RU"], "remove": ["MO"]},
        {**imposition, **v2.v2_stored(group)},
        {"measure_id": measure, **v2.v2_stored(group)},
        {
            "measure_id": measure,
            "until": "2025-07-01T00:00:00Z",
            "reason": "suspended during talks",
        },
        {"measure_id": measure},
    ]


def test_the_stored_envelope_of_a_new_type_is_complete(api: Api) -> None:
    group = uid("group")
    response = api.post(v2.group(group, members=[]))
    assert response.status_code == 201, response.text
    stored = echoed(api, response.json())
    assert response.headers["location"] == f"/v1/events/{stored['id']}"
    assert stored["type"] == "DestinationGroupDefined" and stored["version"] == 1
    assert stored["data"]["members"] == []
    assert stored["effective_at"] == "2025-01-01T00:00:00Z"


def test_a_v1_measure_is_echoed_without_any_v2_key(api: Api) -> None:
    measure = uid("measure")
    [stored] = api.given(b.measure(measure, criteria=[{"tpp_min": 4800}]))
    assert echoed(api, stored)["data"] == {
        "measure_id": measure,
        "authority": "BIS",
        "jurisdiction": "US",
        "destinations": ["CN"],
        "chips": ["h20"],
        "criteria": [{"tpp_min": "4800"}],
        "companies": [],
        "control": "license_required",
    }
    [amended] = api.given(b.amendment(measure, chips=["h20"]))
    assert echoed(api, amended)["data"] == {"measure_id": measure, "chips": ["h20"]}


def test_a_group_named_in_the_same_batch_is_known(api: Api) -> None:
    group, measure = uid("group"), uid("measure")
    items = api.batch(v2.group(group), v2.v2_measure(measure, group))
    stored = api.ok(f"/v1/events/{items[1]['id']}")
    assert stored["position"] == items[1]["position"] == items[0]["position"] + 1
    assert stored["data"]["destinations"] == [f"group:{group}", "RU"]


# -- refusals ----------------------------------------------------------------------------------

REFUSED: dict[str, tuple[dict[str, Any], int, str, str]] = {
    "unknown group": (
        b.measure("m", destinations=["CN", "group:nowhere"]),
        422,
        "invalid-event",
        "/data/destinations/1",
    ),
    "unknown group in an exception": (
        b.measure(
            "m",
            exceptions=[{"exception_id": "a", "destinations": ["group:x"], "conditions": "c"}],
        ),
        422,
        "invalid-event",
        "/data/exceptions/0/destinations/0",
    ),
    "unknown chip in an override": (
        b.measure("m", review_overrides=[{"chips": ["h30"], "policy": "case_by_case"}]),
        422,
        "invalid-event",
        "/data/review_overrides/0/chips/0",
    ),
    "bad entry": (
        b.measure("m", destinations=["group:"]),
        422,
        "validation-error",
        "/data/destinations/0",
    ),
    "policy under a ban": (
        b.measure("m", control="ban", review_policy="case_by_case"),
        422,
        "validation-error",
        "/data/review_policy",
    ),
    "repeated exception_id": (
        b.measure("m", exceptions=[{"exception_id": "a", "conditions": "c"}] * 2),
        422,
        "validation-error",
        "/data/exceptions/1",
    ),
    "unknown clause key": (
        b.measure("m", criteria=[{"tpp_above": 1}]),
        422,
        "validation-error",
        "/data/criteria/0/tpp_above",
    ),
    "null destinations": (
        b.amendment("m", destinations=None),
        422,
        "validation-error",
        "/data/destinations",
    ),
    "code added and removed": (
        v2.group_amended("g", add=["RU"], remove=["RU"]),
        422,
        "validation-error",
        "/data/remove/0",
    ),
    "unknown group amended": (v2.group_amended("nowhere"), 422, "invalid-event", "/data/group_id"),
    "unknown measure suspended": (
        v2.suspension("nowhere"),
        422,
        "invalid-event",
        "/data/measure_id",
    ),
}


@pytest.mark.parametrize(
    ("body", "status", "kind", "pointer"), REFUSED.values(), ids=REFUSED.keys()
)
def test_a_refusal_is_a_problem_naming_the_field_and_stores_nothing(
    api: Api, body: dict[str, Any], status: int, kind: str, pointer: str
) -> None:
    head = api.head()
    assert_problem(api.post(body), status, kind, pointer=pointer)
    assert api.stored_since(head) == []


def test_the_log_rules_of_v2_objects_over_http(api: Api) -> None:
    group, measure = uid("group"), uid("measure")
    [defined, _] = api.given(v2.group(group), b.measure(measure, review_policy="case_by_case"))
    head = api.head()
    assert_problem(api.post(v2.group(group)), 409, "duplicate-id", pointer="/data/group_id")
    early = v2.group_amended(group, effective_at="2024-12-01")
    assert_problem(api.post(early), 422, "invalid-event", pointer="/effective_at")
    ban = b.amendment(measure, control="ban")
    assert_problem(api.post(ban), 422, "invalid-event", pointer="/data/control")
    late = b.amendment(measure, compliance_at="2025-04-01")
    assert_problem(api.post(late), 422, "invalid-event", pointer="/data/compliance_at")
    short = v2.suspension(measure, effective_at="2025-06-01", until="2025-05-01")
    assert_problem(api.post(short), 422, "invalid-event", pointer="/data/until")
    renamed = b.correction(defined["id"], data=v2.group(uid("group"))["data"])
    assert_problem(api.post(renamed), 422, "invalid-event", pointer="/data/changes/data/group_id")
    assert api.stored_since(head) == []
    api.given(b.lift(measure, effective_at="2025-12-01"))
    after = v2.suspension(measure, effective_at="2025-12-02")
    assert_problem(api.post(after), 422, "invalid-event", pointer="/effective_at")


def test_a_retracted_group_cannot_be_named_over_http(api: Api) -> None:
    group = uid("group")
    [defined] = api.given(v2.group(group))
    api.given(b.retraction(defined["id"]))
    body = b.measure(uid("measure"), except_destinations=[f"group:{group}"])
    assert_problem(api.post(body), 422, "invalid-event", pointer="/data/except_destinations/0")


def test_a_batch_refusal_names_the_item_and_stores_nothing(api: Api) -> None:
    head, group = api.head(), uid("group")
    response = api.events([v2.group(group), b.measure(uid("m"), destinations=["group:other"])])
    assert_problem(response, 422, "validation-error", pointer="/events/1/data/destinations/0")
    assert api.stored_since(head) == []
