"""The objects, on the fixed catalog (conftest.py): a measure, licence, agreement, advisory,
case or application at as_of, known_at and at_position, and their lists."""

from __future__ import annotations

import pytest

from tests.support.point_in_time import Catalog, listed
from tests.support.problems import assert_problem


@pytest.mark.parametrize(
    ("segment", "object_id", "as_of", "status"),
    [
        ("measures", "us-2025-h20", "2025-04-08", "pending"),
        ("measures", "us-2025-h20", "2025-05-01", "in_force"),
        ("measures", "us-2022-a100", "2024-05-31", "in_force"),
        ("measures", "us-2022-a100", "2024-06-01", "lifted"),
        ("licenses", "lic-h100-eu", "2024-12-31", "active"),
        ("licenses", "lic-h100-eu", "2025-01-01", "expired"),
        ("licenses", "lic-a100", "2023-03-01", "active"),
        ("licenses", "lic-a100", "2023-07-01", "revoked"),
        ("agreements", "rs-h20", "2025-09-01", "active"),
        ("agreements", "rs-h20", "2025-12-01", "ended"),
        ("advisories", "cn-caution", "2025-02-01", "active"),
        ("advisories", "cn-caution", "2025-03-01", "withdrawn"),
        ("cases", "cac-case", "2025-08-01", "open"),
        ("cases", "cac-case", "2025-11-01", "concluded"),
        ("applications", "app-h20", "2025-06-01", "denied"),
    ],
)
def test_an_objects_status_at_as_of(
    catalog: Catalog, segment: str, object_id: str, as_of: str, status: str
) -> None:
    assert catalog.api.ok(f"/v1/{segment}/{object_id}", as_of=as_of)["status"] == status


def test_an_object_lists_the_events_that_made_it_and_its_version(catalog: Catalog) -> None:
    body = catalog.api.ok("/v1/measures/us-2022-a100")
    assert (body["version"], [(e["id"], e["type"]) for e in body["events"]]) == (
        2,
        [
            (catalog.ids["a100-ban"], "ExportBanImposed"),
            (catalog.ids["a100-lift"], "ExportBanLifted"),
        ],
    )


def test_a_measures_fields_are_as_amended_at_as_of(catalog: Catalog) -> None:
    destinations = [
        catalog.api.ok("/v1/measures/us-2023-h100", as_of=t)["destinations"]
        for t in ("2024-09-30", "2024-10-01")
    ]
    assert destinations == [["CN"], ["CN", "MO"]]


def test_a_concluded_case_keeps_its_finding(catalog: Catalog) -> None:
    assert catalog.api.ok("/v1/cases/cac-case", as_of="2025-11-01")["finding"] == "cleared"


def test_a_licences_bare_date_expiry_is_the_next_midnight(catalog: Catalog) -> None:
    assert catalog.api.ok("/v1/licenses/lic-h100-eu")["expires_at"] == "2025-01-01T00:00:00Z"


def test_an_object_reported_after_k_is_not_found(catalog: Catalog) -> None:
    response = catalog.api.get("/v1/measures/us-2025-h20", known_at="2025-04-14")
    assert_problem(response, 404, "not-found")


def test_an_object_created_after_p_is_not_found(catalog: Catalog) -> None:
    position = catalog.api.ok("/v1/measures/us-2025-h20")["events"][0]["position"]
    response = catalog.api.get("/v1/measures/us-2025-h20", at_position=position - 1)
    assert_problem(response, 404, "not-found")


@pytest.mark.parametrize(
    "segment", ["measures", "licenses", "agreements", "advisories", "cases", "applications"]
)
def test_an_unknown_object_is_not_found(catalog: Catalog, segment: str) -> None:
    assert_problem(catalog.api.get(f"/v1/{segment}/no-such-id"), 404, "not-found")


def test_an_object_echoes_its_coordinates(catalog: Catalog) -> None:
    body = catalog.api.ok("/v1/advisories/cn-avoid", as_of="2025-09-01", known_at="2025-09-02")
    assert (body["as_of"], body["known_at"]) == (
        "2025-09-01T23:59:59.999999Z",
        "2025-09-02T23:59:59.999999Z",
    )


@pytest.mark.parametrize(
    ("path", "params", "ids"),
    [
        ("/v1/measures", {}, ["eu-2024-ru", "us-2022-a100", "us-2023-h100", "us-2025-h20"]),
        ("/v1/measures", {"jurisdiction": "EU"}, ["eu-2024-ru"]),
        ("/v1/measures", {"jurisdiction": "US"}, ["us-2022-a100", "us-2023-h100", "us-2025-h20"]),
        (
            "/v1/measures",
            {"in_force": "true", "as_of": "2025-01-01"},
            ["eu-2024-ru", "us-2023-h100"],
        ),
        (
            "/v1/measures",
            {"in_force": "false", "as_of": "2025-01-01"},
            ["us-2022-a100", "us-2025-h20"],
        ),
        (
            "/v1/measures",
            {"in_force": "true", "jurisdiction": "US", "as_of": "2025-01-01"},
            ["us-2023-h100"],
        ),
        ("/v1/licenses", {"jurisdiction": "EU"}, ["lic-h100-eu"]),
        ("/v1/licenses", {"in_force": "true", "as_of": "2024-06-01"}, ["lic-h100-eu"]),
        ("/v1/licenses", {"in_force": "true", "as_of": "2025-08-15"}, ["lic-h20"]),
        ("/v1/agreements", {"in_force": "true", "as_of": "2025-09-01"}, ["rs-h20"]),
        ("/v1/agreements", {"in_force": "true", "as_of": "2025-12-01"}, []),
        ("/v1/advisories", {"in_force": "true", "as_of": "2025-02-01"}, ["cn-caution"]),
        ("/v1/advisories", {"in_force": "true", "as_of": "2025-09-01"}, ["cn-avoid"]),
        ("/v1/cases", {"in_force": "false", "as_of": "2025-12-01"}, ["cac-case"]),
        ("/v1/applications", {"jurisdiction": "US"}, ["app-h20"]),
    ],
    ids=[
        "measures",
        "eu-measures",
        "us-measures",
        "measures-in-force",
        "measures-not-in-force",
        "us-in-force",
        "eu-licences",
        "licences-2024",
        "licences-2025",
        "agreements-active",
        "agreements-ended",
        "advisories-early",
        "advisories-late",
        "cases-concluded",
        "applications",
    ],
)
def test_object_lists_filter_by_jurisdiction_and_in_force(
    catalog: Catalog, path: str, params: dict[str, str], ids: list[str]
) -> None:
    id_field = {
        "/v1/measures": "measure_id",
        "/v1/licenses": "license_id",
        "/v1/agreements": "agreement_id",
        "/v1/advisories": "advisory_id",
        "/v1/cases": "case_id",
        "/v1/applications": "application_id",
    }[path]
    assert listed(catalog, path, id_field, **params) == ids
