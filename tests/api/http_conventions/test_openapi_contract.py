"""The OpenAPI document tells the truth (docs/api.md, "The contract"): every answer has a
schema, every parameter is declared once with its type and meaning, every error is a
problem, and the tests' answer checker really refuses what the document does not say."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from tests.support.contract import ContractBroken, check_response
from tests.support.events_api import Api

METHODS = ("get", "post", "patch", "delete", "put")
BODYLESS_WRITES = {
    "rotateSubscriptionSecret",
    "recoverSubscription",
    "resendDelivery",
    "pingSubscription",
}


@pytest.fixture(scope="module")
def document(api: Api) -> dict[str, Any]:
    response = api.client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, ops in document["paths"].items()
        for method, op in ops.items()
        if method in METHODS
    ]


def test_every_operation_has_a_readable_unique_operation_id_a_tag_and_a_summary(
    document: dict[str, Any],
) -> None:
    ids = [op["operationId"] for _, _, op in _operations(document)]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", i) for i in ids), ids
    for path, method, op in _operations(document):
        assert op.get("tags") and op.get("summary"), (method, path)


def test_every_success_has_a_named_schema(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for path, method, op in _operations(document):
        for status, answer in op["responses"].items():
            if not status.startswith("2") or status == "204":
                continue
            ((media_type, content),) = answer["content"].items()
            ref = content["schema"].get("$ref", "")
            if media_type == "text/event-stream":
                continue
            assert ref.startswith("#/components/schemas/"), (method, path, status)
            assert schemas[ref.rsplit("/", 1)[1]].get("properties") or schemas[
                ref.rsplit("/", 1)[1]
            ].get("oneOf"), ref


def test_every_error_a_route_documents_is_a_problem(document: dict[str, Any]) -> None:
    for path, method, op in _operations(document):
        errors = {s: a for s, a in op["responses"].items() if s[0] in "45" or s == "default"}
        assert "default" in errors, (method, path)
        for status, answer in errors.items():
            assert list(answer["content"]) == ["application/problem+json"], (method, path, status)
        if path.startswith("/v1/"):
            assert {"401", "403", "422"} <= set(errors), (method, path)
        if "{" in path:
            assert "404" in errors, (method, path)


def test_every_query_parameter_is_typed_and_described(document: dict[str, Any]) -> None:
    for path, method, op in _operations(document):
        names = [p["name"] for p in op.get("parameters", [])]
        assert len(names) == len(set(names)), (method, path, names)
        for parameter in op.get("parameters", []):
            if parameter["in"] != "query":
                continue
            schema = parameter["schema"]
            assert parameter.get("description"), (path, parameter["name"])
            assert "type" in schema or "anyOf" in schema or "enum" in schema, (path, parameter)


@pytest.mark.parametrize("name", ["as_of", "known_at", "at_position", "min_position"])
def test_a_coordinate_reads_the_same_on_every_route(document: dict[str, Any], name: str) -> None:
    found = [
        p
        for _, _, op in _operations(document)
        for p in op.get("parameters", [])
        if p["name"] == name and p["in"] == "query"
    ]
    assert len(found) >= 10
    assert all(p == found[0] for p in found[1:])
    if name.endswith("position"):
        assert found[0]["schema"]["type"] == "integer"


def test_the_lists_declare_their_filters(document: dict[str, Any]) -> None:
    chips = {p["name"]: p for p in document["paths"]["/v1/chips"]["get"]["parameters"]}
    assert {"destination", "status", "manufacturer", "as_of", "after", "limit"} <= set(chips)
    assert chips["status"]["schema"]["enum"] == [
        "banned",
        "license_required",
        "licensed",
        "unrestricted",
    ]
    for segment in ("measures", "licenses", "agreements", "advisories", "cases"):
        names = {p["name"] for p in document["paths"][f"/v1/{segment}"]["get"]["parameters"]}
        assert {"as_of", "jurisdiction", "in_force", "after", "limit"} <= names, segment


def test_diff_needs_from_and_to_and_names_its_axes(document: dict[str, Any]) -> None:
    parameters = {
        p["name"]: p for p in document["paths"]["/v1/chips/{chip}/diff"]["get"]["parameters"]
    }
    assert parameters["from"]["required"] and parameters["to"]["required"]
    assert parameters["axis"]["schema"]["enum"] == ["effective", "known"]


def test_every_write_declares_its_body(document: dict[str, Any]) -> None:
    for path, method, op in _operations(document):
        if method in ("post", "patch") and op["operationId"] not in BODYLESS_WRITES:
            assert op.get("requestBody", {}).get("required"), (method, path)


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("SubscriptionIn", "event_types"),
        ("SubscriptionPatch", "paused"),
        ("LicenseGrantedEvent", "summary"),
        ("ExportBanImposed", "criteria"),
    ],
)
def test_a_request_field_with_a_default_is_optional_and_says_its_default(
    document: dict[str, Any], name: str, field: str
) -> None:
    """No `default` keyword: openapi-typescript at its defaults would make such fields
    required in request types. The default is in the words instead."""
    schema = document["components"]["schemas"][name]
    assert field not in schema.get("required", [])
    assert "Default: " in schema["properties"][field]["description"]
    assert all("default" not in p for p in schema["properties"].values())


def _answer(api: Api, path: str, status: int, body: Any) -> httpx.Response:
    request = httpx.Request("GET", f"http://testserver{path}")
    return httpx.Response(status, json=body, request=request)


def test_the_checker_refuses_an_undocumented_field(api: Api, document: dict[str, Any]) -> None:
    served = api.client.get("/healthz")
    check_response(document, served)  # what is served passes
    with pytest.raises(ContractBroken, match="breaks the schema"):
        check_response(document, _answer(api, "/healthz", 200, {**served.json(), "extra": 1}))


def test_the_checker_refuses_a_missing_field_and_a_wrong_type(
    api: Api, document: dict[str, Any]
) -> None:
    state = api.client.get("/v1/companies/nvidia").json()
    without = {k: v for k, v in state.items() if k != "licenses"}
    with pytest.raises(ContractBroken, match="'licenses' is a required property"):
        check_response(document, _answer(api, "/v1/companies/nvidia", 200, without))
    with pytest.raises(ContractBroken, match="/position"):
        check_response(
            document, _answer(api, "/v1/companies/nvidia", 200, {**state, "position": "7"})
        )


def test_the_checker_refuses_an_undocumented_status(api: Api, document: dict[str, Any]) -> None:
    with pytest.raises(ContractBroken, match="status not documented"):
        check_response(document, _answer(api, "/healthz", 418, {"status": "ok"}))


def test_the_checker_holds_an_event_to_the_schema_its_type_names(
    api: Api, document: dict[str, Any]
) -> None:
    """Events are a oneOf with a discriminator: the checker picks the branch by `type`
    (tests/support/contract.py), so a body valid for another type still fails."""
    page = api.client.get("/v1/events", params={"limit": 1}).json()
    event = page["items"][0]
    check_response(document, _answer(api, "/v1/events", 200, page))
    unknown = {**page, "items": [{**event, "type": "ChipTeleported"}]}
    with pytest.raises(ContractBroken, match="'ChipTeleported' is not one of"):
        check_response(document, _answer(api, "/v1/events", 200, unknown))
    other = "ChipRegistered" if event["type"] != "ChipRegistered" else "CompanyRegistered"
    mislabelled = {**page, "items": [{**event, "type": other}]}
    with pytest.raises(ContractBroken, match="breaks the schema"):
        check_response(document, _answer(api, "/v1/events", 200, mislabelled))
    extra = {**page, "items": [{**event, "data": {**event["data"], "extra": 1}}]}
    with pytest.raises(ContractBroken, match="breaks the schema"):
        check_response(document, _answer(api, "/v1/events", 200, extra))
