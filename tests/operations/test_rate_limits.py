"""Rate limits (docs/http.md, "Rate limits"): a token bucket per API key and per client
address, burst twice the rate, 429 with Retry-After and the RateLimit-* headers; the
buckets refill with the injected monotonic time (the service's FakeClock here)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from domain.clocks import utc_now
from services.bootstrap import bootstrap
from tests.operations.conftest import OpenOps
from tests.support.contract import check_response
from tests.support.live_server import LiveServer
from tests.support.metrics import parse
from tests.support.service import Service

RATE = "2/s"  # a bucket of 4, refilled at 2 a second
LIMIT_HEADERS = ("ratelimit-limit", "ratelimit-remaining", "ratelimit-reset")


def key(service: Service, scope: str = "read") -> dict[str, str]:
    token = service.container.keys.create(scope, f"limits-{scope}", utc_now())[1]
    return {"Authorization": f"Bearer {token}"}


def limits(response: httpx.Response) -> tuple[int, int, int]:
    return tuple(int(response.headers[h]) for h in LIMIT_HEADERS)  # type: ignore[return-value]


def spend(
    client: TestClient, headers: dict[str, str] | None = None, n: int = 4
) -> list[httpx.Response]:
    return [client.get("/v1/events", headers=headers) for _ in range(n)]


def assert_limited(response: httpx.Response, retry_after: int = 1, burst: int = 4) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["type"] == "/problems/rate-limited"
    assert response.headers["retry-after"] == str(retry_after)
    assert limits(response)[:2] == (burst, 0)


def test_a_key_gets_its_burst_then_429(ops: OpenOps) -> None:
    service = ops(rate_limit=RATE, metrics=True)
    reader = key(service)
    answers = spend(service.client, reader)
    assert [r.status_code for r in answers] == [200] * 4
    assert [limits(r)[:2] for r in answers] == [(4, 3), (4, 2), (4, 1), (4, 0)]
    assert limits(answers[-1])[2] == 2  # seconds until the bucket is full again
    assert_limited(service.client.get("/v1/events", headers=reader))
    samples = parse(service.client.get("/metrics").text)
    assert samples.value("regtl_rate_limited_total", scope="key") == 1
    assert (
        samples.value("regtl_http_requests_total", route="/v1/events", method="GET", status="429")
        == 1
    )


def test_each_key_has_its_own_bucket(ops: OpenOps) -> None:
    service = ops(rate_limit=RATE)
    first, second = key(service), key(service)
    spend(service.client, first)
    assert_limited(service.client.get("/v1/events", headers=first))
    assert service.client.get("/v1/events", headers=second).status_code == 200
    assert service.client.get("/v1/events").status_code == 200  # anonymous: the address's


def test_the_bucket_refills_as_time_passes(ops: OpenOps) -> None:
    service = ops(rate_limit=RATE)
    reader = key(service)
    spend(service.client, reader)
    assert_limited(service.client.get("/v1/events", headers=reader))
    service.clock.advance(seconds=0.5)  # one token
    assert service.client.get("/v1/events", headers=reader).status_code == 200
    assert_limited(service.client.get("/v1/events", headers=reader))
    service.clock.advance(seconds=60)  # full again, never more than the burst
    answers = spend(service.client, reader, 5)
    assert [r.status_code for r in answers] == [200] * 4 + [429]


def test_a_slow_rate_says_how_long_to_wait(ops: OpenOps) -> None:
    service = ops(rate_limit="6/min")  # a bucket of 12, one token every 10 s
    answers = spend(service.client, None, 13)
    assert [r.status_code for r in answers] == [200] * 12 + [429]
    assert answers[-1].headers["retry-after"] == "10"
    assert limits(answers[-1]) == (12, 0, 120)


def client_at(service: Service, address: str) -> TestClient:
    """A second TestClient on the same app, calling from `address` (the TCP peer)."""
    client = TestClient(service.client.app, raise_server_exceptions=False, client=(address, 40000))
    document = service.client.app.openapi()  # type: ignore[attr-defined]
    client.event_hooks["response"].append(lambda response: check_response(document, response))
    return client


def test_anonymous_reads_are_limited_per_client_address(ops: OpenOps) -> None:
    service = ops(rate_limit=RATE, metrics=True)
    with client_at(service, "192.0.2.1") as one, client_at(service, "192.0.2.2") as two:
        assert [r.status_code for r in spend(one)] == [200] * 4
        assert_limited(one.get("/v1/chips/h20"))
        assert two.get("/v1/chips/h20").status_code == 404  # its own bucket
        assert one.get("/v1/events", headers=key(service)).status_code == 200  # a key's own
    samples = parse(service.client.get("/metrics").text)
    assert samples.value("regtl_rate_limited_total", scope="address") == 1


def test_a_refused_key_is_charged_to_its_address(ops: OpenOps) -> None:
    service = ops(rate_limit=RATE)
    bad = {"Authorization": "Bearer rtl_nope_nope"}
    answers = [service.client.get("/v1/events", headers=bad) for _ in range(4)]
    assert [r.status_code for r in answers] == [401] * 4
    assert [limits(r)[1] for r in answers] == [3, 2, 1, 0]
    assert_limited(service.client.get("/v1/events", headers=bad))
    assert_limited(service.client.get("/v1/events"))  # the same address, anonymous


@pytest.mark.parametrize("path", ["/metrics", "/healthz", "/readyz", "/openapi.json"])
def test_operations_routes_are_never_limited(ops: OpenOps, path: str) -> None:
    service = ops(rate_limit="1/h", metrics=True)
    spend(service.client, None, 2)
    assert_limited(service.client.get("/v1/events"), retry_after=3600, burst=2)
    for _ in range(5):
        response = service.client.get(path)
        assert response.status_code == 200, response.text
        assert not any(h in response.headers for h in LIMIT_HEADERS)


def test_off_by_default(ops: OpenOps) -> None:
    service = ops()
    answers = spend(service.client, None, 20)
    assert {r.status_code for r in answers} == {200}
    assert not any(h in answers[0].headers for h in LIMIT_HEADERS)


def operations_of(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, op) for path, ops_ in document["paths"].items() for op in ops_.values()]


def test_the_document_lists_429_on_every_v1_operation_when_limits_apply(ops: OpenOps) -> None:
    limited = ops(rate_limit=RATE).client.get("/openapi.json").json()
    for path, operation in operations_of(limited):
        documented = "429" in operation["responses"]
        assert documented is path.startswith("/v1/"), path
        if documented:
            headers = operation["responses"]["200" if "200" in operation["responses"] else "429"][
                "headers"
            ]
            # every answer also names its shape's version (Regtl-Schema, docs/http.md)
            assert set(headers) - {"Regtl-Schema"} == {
                "RateLimit-Limit",
                "RateLimit-Remaining",
                "RateLimit-Reset",
            }
    unlimited = ops().client.get("/openapi.json").json()  # 429 only where a cap applies
    assert "429" not in unlimited["paths"]["/v1/chips/{chip}"]["get"]["responses"]
    assert not {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} & set(
        unlimited["components"].get("headers", {})
    )


# -- behind a proxy: uvicorn resolves the client address (services/api/server.py) ---------


def live(ops_settings: dict[str, Any], tmp_path: Any) -> LiveServer:
    from services.settings import Settings
    from services.storage import migrate

    settings = Settings(
        database_url=f"sqlite:///{tmp_path}/regtimeline.db",
        data_dir=tmp_path,
        rate_limit="1/h",
        **ops_settings,
    )
    migrate.upgrade(settings)
    return LiveServer(bootstrap(settings))  # closes the container on the way out


def statuses(server: LiveServer, forwarded_for: str, n: int) -> list[int]:
    return [
        server.http.get("/v1/events", headers={"X-Forwarded-For": forwarded_for}).status_code
        for _ in range(n)
    ]


def test_forwarded_addresses_count_only_from_a_trusted_proxy(tmp_path: Any) -> None:
    trusted_dir, untrusted_dir = tmp_path / "trusted", tmp_path / "untrusted"
    trusted_dir.mkdir()
    untrusted_dir.mkdir()
    with live({"trusted_proxies": ["127.0.0.1"]}, trusted_dir) as server:
        assert statuses(server, "203.0.113.1", 3) == [200, 200, 429]
        assert statuses(server, "203.0.113.2", 1) == [200]  # another client behind the proxy
    with live({}, untrusted_dir) as server:  # a forged header: the TCP peer is the client
        assert statuses(server, "203.0.113.1", 2) == [200, 200]
        assert statuses(server, "203.0.113.2", 1) == [429]
