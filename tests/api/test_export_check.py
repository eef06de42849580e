"""GET /v1/checks/export over HTTP (docs/checks.md), on SQLite and PostgreSQL: the shipped
demo's real history asked as an exporter would ask it, the refusals, and caching.

Both demo files are loaded once per backend, as `make run` loads them; the fake clock stands
at 2026-01-15T12:00Z. Every test reads, except the last of the module, which appends (a
service per backend: the tests run in file order for each).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from httpx import Response

from services.cli.main import shipped_demos
from services.cli.transfer import load, read_items
from tests.support import builders as b
from tests.support import postgres
from tests.support.demo import (
    ACS_RULE,
    ADVISORY,
    AGREEMENT,
    CUSTOMS,
    D5,
    H200_APPLICATION,
    LICENCE,
    MEASURE,
    PURCHASES,
    TARIFF,
)
from tests.support.service import Service, open_service

PATH = "/v1/checks/export"
IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_farm: postgres.PostgresFarm | None,
) -> Iterator[Service]:
    with open_service(request.param, tmp_path_factory.mktemp("check"), pg_farm) as service:
        for path in shipped_demos():
            load(service.container, read_items(path))
        service.container.catch_up()
        yield service


def ask(demo: Service, **params: Any) -> Response:
    return demo.client.get(PATH, params={k: v for k, v in params.items() if v is not None})


def checked(demo: Service, **params: Any) -> dict[str, Any]:
    response = ask(demo, **params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


# -- the real history ------------------------------------------------------------------------


def test_h20_to_china_on_15_august_2025_is_licensed_under_the_15_percent_share(
    demo: Service,
) -> None:
    answer = checked(demo, chip="h20", destination="CN", as_of="2025-08-15")
    assert {k: answer[k] for k in ("decision", "by_jurisdiction", "exporter", "review_policy")} == {
        "decision": "licensed",
        "by_jurisdiction": {"US": "licensed"},
        "exporter": "nvidia",
        "review_policy": None,
    }
    assert [(r["kind"], r["id"], r["effect"]) for r in answer["reasons"]] == [
        ("license", LICENCE, "licensed"),
        ("measure", MEASURE, "license_required"),
    ]
    assert [
        (s["agreement_id"], s["percent"], s["beneficiary"]) for s in answer["revenue_share"]
    ] == [(AGREEMENT, "15", "US")]
    assert [a["advisory_id"] for a in answer["destination_advisories"]] == [ADVISORY]
    # the October 2023 rule reaches China through D:5; the H20's registration gives no
    # performance density, so its second clause could not be checked
    assert answer["unknowns"] == [
        {"measure_id": ACS_RULE, "clause": 1, "missing": ["performance_density"]}
    ]


def test_h200_to_china_on_20_january_2026_needs_a_licence_reviewed_case_by_case(
    demo: Service,
) -> None:
    answer = checked(demo, chip="h200", destination="CN", as_of="2026-01-20")
    assert (answer["decision"], answer["review_policy"], answer["by_jurisdiction"]) == (
        "license_required",
        "case_by_case",
        {"US": "license_required"},
    )
    (rule,) = answer["reasons"]
    assert {k: rule[k] for k in ("kind", "id", "effect", "matched_by", "via", "review_policy")} == {
        "kind": "measure",
        "id": ACS_RULE,
        "effect": "license_required",
        "matched_by": {"by": "criteria", "index": 0},
        "via": D5,
        "review_policy": "case_by_case",
    }
    assert [(d["tariff_id"], d["rate_percent"], d["direction"]) for d in answer["duties"]] == [
        (TARIFF, "25", "import")
    ]
    assert [(a["advisory_id"], a["guidance"]) for a in answer["destination_advisories"]] == [
        (CUSTOMS, "import_blocked"),
        (PURCHASES, "avoid_purchase"),
    ]
    assert (answer["pending_applications"], answer["revenue_share"], answer["unknowns"]) == (
        [H200_APPLICATION],
        [],
        [],
    )


def test_as_known_on_10_december_2025_the_h200_looked_presumed_denied_and_duty_free(
    demo: Service,
) -> None:
    answer = checked(demo, chip="h200", destination="CN", as_of="2026-01-20", known_at="2025-12-10")
    assert (answer["review_policy"], answer["duties"], answer["destination_advisories"]) == (
        "presumption_of_denial",
        [],
        [],
    )
    assert len(answer["reasons"][0]["events"]) == 1  # the January amendment was not known


def test_a_reasons_events_and_sources_are_those_of_the_stored_events(demo: Service) -> None:
    (rule,) = checked(demo, chip="h200", destination="CN", as_of="2026-01-20")["reasons"]
    stored = [demo.client.get(f"/v1/events/{event}").json() for event in rule["events"]]
    assert [e["type"] for e in stored] == ["ExportBanImposed", "ExportBanAmended"]
    assert rule["sources"] == [source for e in stored for source in e["sources"]]


def test_the_answer_echoes_the_question_and_its_coordinates(demo: Service) -> None:
    answer = checked(
        demo,
        chip="h20",
        destination="RU",
        exporter="nvidia",
        end_user="bytedance",
        as_of="2025-08-15",
    )
    assert {k: answer[k] for k in ("chip", "destination", "exporter", "end_user", "as_of")} == {
        "chip": "h20",
        "destination": "RU",
        "exporter": "nvidia",
        "end_user": "bytedance",
        "as_of": "2025-08-15T23:59:59.999999Z",
    }
    assert (answer["decision"], answer["known_at"]) == ("unrestricted", "2026-01-15T12:00:00Z")
    assert answer["position"] == demo.container.projected_position()


def test_another_exporter_holds_no_licence(demo: Service) -> None:
    answer = checked(demo, chip="h20", destination="CN", exporter="amkor", as_of="2025-08-15")
    assert (answer["decision"], answer["revenue_share"]) == ("license_required", [])


def test_the_openapi_description_says_decision_support_not_legal_advice(demo: Service) -> None:
    operation = demo.client.get("/openapi.json").json()["paths"][PATH]["get"]
    assert "not legal advice" in operation["summary"]
    assert "Decision support, not legal advice" in operation["description"]


# -- refusals --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "status", "parameter"),
    [
        ({"chip": "h900", "destination": "CN"}, 404, "chip"),
        ({"chip": "h20", "destination": "CN", "exporter": "acme"}, 404, "exporter"),
        ({"chip": "h20", "destination": "CN", "end_user": "acme"}, 404, "end_user"),
        ({"chip": "h20", "destination": "group:ear-d5"}, 422, "destination"),
        ({"chip": "h20", "destination": "UK"}, 422, "destination"),
        ({"chip": "h20", "destination": "cn"}, 422, "destination"),
        ({"destination": "CN"}, 422, "chip"),
        ({"chip": "h20"}, 422, "destination"),
        ({"chip": "H20", "destination": "CN"}, 422, "chip"),
        ({"chip": "h20", "destination": "CN", "enduser": "acme"}, 422, "enduser"),
        ({"chip": "h20", "destination": "CN", "at_position": "99999"}, 422, "at_position"),
    ],
    ids=lambda v: str(v),
)
def test_mistakes_are_problems_naming_the_parameter(
    demo: Service, params: dict[str, str], status: int, parameter: str
) -> None:
    response = ask(demo, **params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert parameter in [e.get("parameter") for e in response.json()["errors"]]


def test_a_chip_registered_later_in_the_log_is_not_found_at_an_earlier_position(
    demo: Service,
) -> None:
    response = ask(demo, chip="h200", destination="CN", at_position="5")
    assert (response.status_code, response.json()["errors"][0]["parameter"]) == (404, "chip")


# -- caching ---------------------------------------------------------------------------------


def explicit(demo: Service, chip: str, as_of: str, known_at: str) -> dict[str, str]:
    """A question about `chip` for CN with T, K and P explicit (P: the projections' position)."""
    return {
        "chip": chip,
        "destination": "CN",
        "as_of": as_of,
        "known_at": known_at,
        "at_position": str(demo.container.projected_position()),
    }


def test_t_k_and_p_explicit_is_cached_forever_and_revalidates(demo: Service) -> None:
    params = explicit(demo, "h20", as_of="2025-08-15", known_at="2025-09-01")
    response = ask(demo, **params)
    assert response.headers["cache-control"] == IMMUTABLE
    again = demo.client.get(
        PATH, params=params, headers={"If-None-Match": response.headers["etag"]}
    )
    assert (again.status_code, again.content) == (304, b"")


@pytest.mark.parametrize("missing", ["as_of", "known_at", "at_position"])
def test_with_a_default_coordinate_it_is_cached_briefly(demo: Service, missing: str) -> None:
    params = explicit(demo, "h20", as_of="2025-08-15", known_at="2025-09-01")
    response = ask(demo, **{**params, missing: None})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=5"


def test_the_same_coordinates_give_the_same_bytes_after_more_is_appended(demo: Service) -> None:
    params = explicit(demo, "h200", as_of="2026-01-20", known_at="2026-01-15")
    first = ask(demo, **params)
    token = demo.container.keys.create("write", "check-writer", demo.clock())[1]
    writer = {"Authorization": f"Bearer {token}"}
    for body in (
        b.company("later-co"),
        b.measure("later-h200-rule", chips=["h200"], control="ban", effective_at="2026-01-01"),
    ):
        assert demo.client.post("/v1/events", json=body, headers=writer).status_code == 201
    demo.container.catch_up()
    assert ask(demo, **params).content == first.content
    now = checked(demo, **{**params, "at_position": None, "known_at": None})
    assert now["decision"] == "banned"  # the new rule, at the head
