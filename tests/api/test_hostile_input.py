"""Client input never gets a 5xx (docs/api.md, "Errors"): every integer, id and header the
API reads goes through one rule (services/api/params.py) and a mistake is a 422 naming it.

Each case ran into a 500 (and a dropped keep-alive connection) before the rule existed:
integers from 2^63 up, non-ASCII digits (`%C2%B2` is "²", which str.isdigit accepts and
int() refuses), a raw 0xB2 byte in a header, and on PostgreSQL a NUL byte in an id.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient

from domain.clocks import utc_now
from services.api.app import create_app
from tests.support import builders as b
from tests.support import postgres
from tests.support.events_api import Api, open_api
from tests.support.problems import assert_problem

BIG = str(2**63)  # one past the largest BIGINT
HUGE = "9" * 40
SUPERSCRIPT_TWO = "%C2%B2"  # "²": str.isdigit() says yes, int() says no
ARABIC_FIVE = "%D9%A5"  # "٥": int() accepts it; the API must not


@dataclass
class Hostile:
    api: Api
    admin: dict[str, str]
    subscription: str


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def hostile(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_farm: postgres.PostgresFarm | None,
) -> Iterator[Hostile]:
    with open_api(
        request.param, tmp_path_factory.mktemp("hostile"), pg_farm, webhook_allow_private=True
    ) as api:
        api.stored(b.company("nvidia"))
        token = api.container.keys.create("admin", "test-admin", utc_now())[1]
        admin = {"Authorization": f"Bearer {token}"}
        created = api.client.post(
            "/v1/subscriptions", json={"url": "http://127.0.0.1:9/x"}, headers=admin
        )
        assert created.status_code == 201, created.text
        yield Hostile(api, admin, created.json()["id"])


BAD_INTEGERS = [BIG, HUGE, SUPERSCRIPT_TWO, ARABIC_FIVE, "-1", "1e3", "+1", "%201", "0x10"]

# (path template with {bad}, the parameter the 422 must name)
QUERY_INTEGERS = [
    ("/v1/events?after={bad}", "after"),
    ("/v1/events?limit={bad}", "limit"),
    ("/v1/events?min_position={bad}", "min_position"),
    ("/v1/stream?after={bad}", "after"),
    ("/v1/stream?limit={bad}", "limit"),
    ("/v1/companies/nvidia?at_position={bad}", "at_position"),
    ("/v1/companies/nvidia?min_position={bad}", "min_position"),
    ("/v1/companies/nvidia/timeline?at_position={bad}", "at_position"),
    ("/v1/companies/nvidia/history?min_position={bad}", "min_position"),
    ("/v1/companies/nvidia/diff?from=2025-01-01&to=2025-02-01&at_position={bad}", "at_position"),
    ("/v1/companies?limit={bad}", "limit"),
    ("/v1/companies?min_position={bad}", "min_position"),
    ("/v1/chips?limit={bad}", "limit"),
    ("/v1/measures?limit={bad}", "limit"),
    ("/v1/measures?min_position={bad}", "min_position"),
    ("/v1/measures/m-1?at_position={bad}", "at_position"),
    ("/v1/subscriptions?limit={bad}", "limit"),
    ("/v1/subscriptions/{sub}/deliveries?before={bad}", "before"),
    ("/v1/subscriptions/{sub}/deliveries?limit={bad}", "limit"),
]


@pytest.mark.parametrize("bad", BAD_INTEGERS)
@pytest.mark.parametrize(("template", "name"), QUERY_INTEGERS)
def test_a_bad_integer_parameter_is_a_422_naming_it(
    hostile: Hostile, template: str, name: str, bad: str
) -> None:
    path = template.format(bad=bad, sub=hostile.subscription)
    response = hostile.api.client.get(path, headers=hostile.admin)
    assert_problem(response, 422, "validation-error", parameter=name)


@pytest.mark.parametrize("bad", BAD_INTEGERS)
def test_a_bad_delivery_id_is_a_422_naming_it(hostile: Hostile, bad: str) -> None:
    response = hostile.api.client.post(
        f"/v1/subscriptions/{hostile.subscription}/deliveries/{bad}/resend", headers=hostile.admin
    )
    assert_problem(response, 422, "validation-error", parameter="delivery_id")


@pytest.mark.parametrize("bad", [2**63, 10**40, -1])
def test_a_replay_from_a_position_past_the_log_bound_is_a_422(hostile: Hostile, bad: int) -> None:
    response = hostile.api.client.post(
        f"/v1/subscriptions/{hostile.subscription}/replay",
        content=f'{{"from_position": {bad}}}',
        headers={**hostile.admin, "Content-Type": "application/json"},
    )
    assert_problem(response, 422, "validation-error", pointer="/from_position")


def test_the_largest_integer_is_still_an_ordinary_answer(hostile: Hostile) -> None:
    top = str(2**63 - 1)
    client = hostile.api.client
    assert client.get(f"/v1/events?after={top}").json()["items"] == []
    sub = hostile.subscription
    assert (
        client.get(
            f"/v1/subscriptions/{sub}/deliveries?before={top}", headers=hostile.admin
        ).status_code
        == 200
    )
    assert_problem(
        client.post(f"/v1/subscriptions/{sub}/deliveries/{top}/resend", headers=hostile.admin),
        404,
        "not-found",
    )
    assert_problem(
        client.get(f"/v1/companies/nvidia?at_position={top}"),
        422,
        "validation-error",
        parameter="at_position",
    )  # beyond the head


# -- ids -----------------------------------------------------------------------------------

BAD_IDS = ["%00", "a%00b", "%C3%A9", "%E2%80%8B", "a%20b", "x" * 300]
ID_PATHS = [
    ("/v1/events/{bad}", "event_id"),
    ("/v1/events?chip={bad}", "chip"),
    ("/v1/events?company={bad}", "company"),
    ("/v1/companies/{bad}", "company"),
    ("/v1/chips/{bad}/timeline", "chip"),
    ("/v1/measures/{bad}", "measure_id"),
    ("/v1/companies?after={bad}", "after"),
    ("/v1/chips?after={bad}", "after"),
    ("/v1/measures?after={bad}", "after"),
    ("/v1/chips?manufacturer={bad}", "manufacturer"),
    ("/v1/subscriptions/{bad}", "subscription_id"),
    ("/v1/subscriptions/{bad}/deliveries", "subscription_id"),
    ("/v1/subscriptions?after={bad}", "after"),
]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize(("template", "name"), ID_PATHS)
def test_an_id_with_nul_or_non_ascii_is_a_422_before_any_query(
    hostile: Hostile, template: str, name: str, bad: str
) -> None:
    response = hostile.api.client.get(template.format(bad=bad), headers=hostile.admin)
    assert_problem(response, 422, "validation-error", parameter=name)


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_writes_to_a_nul_subscription_id_are_refused(hostile: Hostile, method: str) -> None:
    response = hostile.api.client.request(
        method, "/v1/subscriptions/%00", json={}, headers=hostile.admin
    )
    assert_problem(response, 422, "validation-error", parameter="subscription_id")


@pytest.mark.parametrize("field", ["url", "description"])
def test_a_nul_in_a_subscription_body_is_a_422(hostile: Hostile, field: str) -> None:
    body: dict[str, Any] = {"url": "http://127.0.0.1:9/x"}
    body[field] = body.get(field, "") + "\u0000"
    response = hostile.api.client.post("/v1/subscriptions", json=body, headers=hostile.admin)
    assert_problem(response, 422, "validation-error", pointer=f"/{field}")


# -- headers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value", [b"\xb2", b"1\xb2", b"\xd9\xa5", BIG.encode(), HUGE.encode(), b"-1", b"abc"]
)
def test_a_bad_last_event_id_is_a_422_naming_it(hostile: Hostile, value: bytes) -> None:
    response = hostile.api.client.get("/v1/stream", headers=[(b"Last-Event-ID", value)])
    assert_problem(response, 422, "validation-error", header="Last-Event-ID")


@pytest.mark.parametrize(
    "value",
    [b'"\xb2"', b"\xb2", b'"' + BIG.encode() + b'"', b'"' + HUGE.encode() + b'"', b'W/"\xd9\xa5"'],
)
def test_a_bad_if_match_is_a_422_naming_it(hostile: Hostile, value: bytes) -> None:
    headers = [
        *((k.encode(), v.encode()) for k, v in hostile.api.write.items()),
        (b"If-Match", value),
    ]
    response = hostile.api.client.post("/v1/events", json=b.company("if-match-co"), headers=headers)
    assert_problem(response, 422, "validation-error", header="If-Match")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        (b"Idempotency-Key", b"k\xb2"),
        (b"Content-Type", b"application/json\xb2"),
        (b"Authorization", b"Bearer rtl_\xb2"),
    ],
)
def test_a_non_ascii_header_the_api_reads_is_a_422_naming_it(
    hostile: Hostile, name: bytes, value: bytes
) -> None:
    headers = dict(hostile.api.write)
    sent = [(k.encode(), v.encode()) for k, v in headers.items() if k.encode() != name]
    response = hostile.api.client.post(
        "/v1/events",
        content=b"{}",
        headers=[*sent, (b"Content-Type", b"application/json"), (name, value)]
        if name != b"Content-Type"
        else [*sent, (name, value)],
    )
    assert_problem(response, 422, "validation-error", header=name.decode())


def test_an_unexpected_error_is_a_problem_that_closes_the_connection(hostile: Hostile) -> None:
    app = create_app(hostile.api.container)

    async def boom() -> None:
        raise RuntimeError("a bug, not the client's fault")

    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert_problem(response, 500, "internal-error")
    assert response.headers["connection"] == "close"
