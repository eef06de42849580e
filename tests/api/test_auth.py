"""API keys (docs/http.md): Bearer tokens, scopes, expiry, revocation, open or closed reads.

The module shares one service per backend and configuration (default, closed reads, no key
cache); every test creates the keys it uses.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from httpx import Response

from services.keys import KeyStore
from tests.support import postgres
from tests.support.events_api import Api, bearer, open_api
from tests.support.problems import assert_problem, uid

WRITES = ["/v1/events", "/v1/events/batch"]


def assert_unauthorized(response: Response) -> None:
    assert_problem(response, 401, "unauthorized", header="Authorization")
    assert response.headers["www-authenticate"].lower().startswith("bearer")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def api(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_farm: postgres.PostgresFarm | None,
) -> Iterator[Api]:
    with open_api(
        request.param, tmp_path_factory.mktemp("auth"), pg_farm, write_key=False
    ) as shared:
        yield shared


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def closed_api(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_farm: postgres.PostgresFarm | None,
) -> Iterator[Api]:
    with open_api(
        request.param,
        tmp_path_factory.mktemp("closed"),
        pg_farm,
        write_key=False,
        public_reads=False,
    ) as shared:
        yield shared


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def uncached_api(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    pg_farm: postgres.PostgresFarm | None,
) -> Iterator[Api]:
    with open_api(
        request.param,
        tmp_path_factory.mktemp("uncached"),
        pg_farm,
        write_key=False,
        key_cache_seconds=0,
    ) as shared:
        yield shared


# -- who is calling (401) -----------------------------------------------------------------


@pytest.mark.parametrize("path", WRITES)
def test_a_write_without_a_key_is_a_401_with_www_authenticate(api: Api, path: str) -> None:
    assert_unauthorized(api.write_as({}, path))


@pytest.mark.parametrize(
    "header",
    [
        "Basic dXNlcjpwYXNz",
        "Bearer",
        "Bearer    ",
        "Token rtl_abc_def",
        "rtl_abc_def",
        "Bearer rtl_onlyone",
        "Bearer rtl_a_b_c",
        "Bearer key_abc_def",
    ],
    ids=[
        "basic",
        "no-token",
        "blank-token",
        "other-scheme",
        "no-scheme",
        "two-parts",
        "four-parts",
        "other-prefix",
    ],
)
def test_a_malformed_authorization_is_a_401(api: Api, header: str) -> None:
    assert_unauthorized(api.write_as({"Authorization": header}))


def test_an_unknown_key_is_a_401(api: Api) -> None:
    assert_unauthorized(api.write_as(bearer("rtl_nosuchkey000_" + "s" * 40)))


def test_a_wrong_secret_for_a_real_key_is_a_401(api: Api) -> None:
    key, _ = api.key()
    assert_unauthorized(api.write_as(bearer(f"rtl_{key.id}_{'s' * 40}")))


def test_a_401_does_not_echo_the_token(api: Api) -> None:
    key, _ = api.key()
    token = f"rtl_{key.id}_{'wrongsecret' * 4}"
    response = api.write_as(bearer(token))
    assert response.status_code == 401
    assert "wrongsecret" not in response.text


def test_the_bearer_scheme_is_case_insensitive(api: Api) -> None:
    _, headers = api.key()
    response = api.write_as({"Authorization": headers["Authorization"].replace("Bearer", "bEARER")})
    assert response.status_code == 201, response.text


def test_a_revoked_key_is_a_401(api: Api) -> None:
    key, headers = api.key()
    assert api.write_as(headers).status_code == 201  # verified, and cached
    assert api.container.keys.revoke(key.id, api.clock.now)
    assert_unauthorized(api.write_as(headers))


def test_a_revocation_by_another_process_is_honoured_without_a_key_cache(uncached_api: Api) -> None:
    key, headers = uncached_api.key()
    assert uncached_api.write_as(headers).status_code == 201
    other_process = KeyStore(uncached_api.container.engine)
    assert other_process.revoke(key.id, uncached_api.clock.now)
    assert_unauthorized(uncached_api.write_as(headers))


def test_an_expired_key_is_a_401(api: Api) -> None:
    now = api.clock.now
    _, token = api.container.keys.create(
        "write", uid("old"), now - timedelta(days=2), expires_at=now - timedelta(days=1)
    )
    assert_unauthorized(api.write_as(bearer(token)))


def test_a_key_is_expired_at_its_expiry_instant(api: Api) -> None:
    _, headers = api.key(expires_in=timedelta(0))
    assert_unauthorized(api.write_as(headers))


def test_a_key_stops_working_when_the_clock_passes_its_expiry(api: Api) -> None:
    _, headers = api.key(expires_in=timedelta(hours=1))
    assert api.write_as(headers).status_code == 201
    api.clock.advance(hours=1, seconds=1)
    assert_unauthorized(api.write_as(headers))


# -- what the key may do (403) ------------------------------------------------------------


@pytest.mark.parametrize("path", WRITES)
def test_a_read_key_on_a_write_is_a_403(api: Api, path: str) -> None:
    _, headers = api.key("read")
    response = api.write_as(headers, path)
    assert_problem(response, 403, "forbidden", header="Authorization")


@pytest.mark.parametrize("scope", ["write", "admin"])
def test_write_and_admin_keys_may_write(api: Api, scope: str) -> None:
    _, headers = api.key(scope)
    assert api.write_as(headers).status_code == 201


# -- reads --------------------------------------------------------------------------------


def test_reads_are_open_by_default(api: Api) -> None:
    _, headers = api.key()
    event = api.write_as(headers).json()
    api.container.catch_up()
    assert api.client.get("/v1/events").status_code == 200
    assert api.client.get(f"/v1/events/{event['id']}").status_code == 200


def test_a_bad_key_on_an_open_read_is_still_a_401(api: Api) -> None:
    assert_unauthorized(api.client.get("/v1/events", headers=bearer("rtl_nosuchkey000_x")))


@pytest.mark.parametrize("path", ["/v1/events", "/v1/events/00000000-0000-4000-8000-000000000000"])
def test_closed_reads_need_a_key(closed_api: Api, path: str) -> None:
    assert_unauthorized(closed_api.client.get(path))


def test_closed_reads_accept_a_read_key(closed_api: Api) -> None:
    _, headers = closed_api.key("read")
    assert closed_api.client.get("/v1/events", headers=headers).status_code == 200


def test_closed_reads_leave_health_open(closed_api: Api) -> None:
    assert closed_api.client.get("/healthz").status_code == 200


# -- what a key leaves behind -------------------------------------------------------------


def test_recorded_by_is_the_name_of_the_key(api: Api) -> None:
    name = uid("ingest-bot")
    _, headers = api.key(name=name)
    event = api.write_as(headers).json()
    assert event["recorded_by"] == name
    api.container.catch_up()
    assert api.client.get(f"/v1/events/{event['id']}").json()["recorded_by"] == name


def test_last_used_at_is_unset_before_a_key_is_used(api: Api) -> None:
    key, _ = api.key()
    assert api.listed(key.id).last_used_at is None


def test_last_used_at_is_set_when_a_key_is_used(api: Api) -> None:
    key, headers = api.key("read")
    api.clock.advance(minutes=3)
    api.client.get("/v1/events", headers=headers)
    assert api.listed(key.id).last_used_at == api.clock.now
