"""GET /metrics (docs/deploy.md, "Metrics"): the families, counted by real requests over a
real SQLite database; the route template as the label, never the raw path."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from domain.clocks import utc_now
from services.operations.metrics import Metrics, ProjectionLag, metrics_default
from tests.operations.conftest import OpenOps
from tests.support import builders as b
from tests.support.metrics import parse
from tests.support.service import Service

REQUESTS = "regtl_http_requests_total"


def writer(service: Service) -> dict[str, str]:
    token = service.container.keys.create("write", "metrics-writer", utc_now())[1]
    return {"Authorization": f"Bearer {token}"}


def test_a_request_counts_under_its_route_template(ops: OpenOps) -> None:
    service = ops(metrics=True)
    for chip in ("h20", "a100", "b200"):
        assert service.client.get(f"/v1/chips/{chip}").status_code == 404
    assert service.client.get("/no/such/path").status_code == 404
    assert service.client.get("/healthz").status_code == 200
    samples = parse(service.client.get("/metrics").text)
    assert samples.value(REQUESTS, route="/v1/chips/{chip}", method="GET", status="404") == 3
    assert samples.value(REQUESTS, route="unmatched", method="GET", status="404") == 1
    assert samples.value(REQUESTS, route="/healthz", method="GET", status="200") == 1
    latency = "regtl_http_request_duration_seconds_count"
    assert samples.value(latency, route="/v1/chips/{chip}", method="GET", status="404") == 3
    assert samples.value(latency, route="/healthz", method="GET", status="200") == 1
    raw_paths = [
        labels
        for name, labels in samples
        if ("route", "/v1/chips/h20") in labels or ("route", "/no/such/path") in labels
    ]
    assert raw_paths == []


def test_a_405_is_labelled_with_its_route(ops: OpenOps) -> None:
    service = ops(metrics=True)
    assert service.client.delete("/v1/events").status_code == 405
    samples = parse(service.client.get("/metrics").text)
    assert samples.value(REQUESTS, route="/v1/events", method="DELETE", status="405") == 1


def test_appends_count_their_events_and_not_idempotency_records(ops: OpenOps) -> None:
    service = ops(metrics=True)
    headers = writer(service)
    assert service.client.post("/v1/events", json=b.company(), headers=headers).status_code == 201
    batch = {"events": [b.company("amd"), b.chip("mi308", manufacturer="amd")]}
    assert service.client.post("/v1/events/batch", json=batch, headers=headers).status_code == 201
    keyed = {**headers, "Idempotency-Key": "metrics-1"}
    assert service.client.post("/v1/events", json=b.chip(), headers=keyed).status_code == 201
    assert service.client.post("/v1/events", json=b.chip(), headers=keyed).status_code == 201
    samples = parse(service.client.get("/metrics").text)
    assert samples.value("regtl_events_appended_total") == 4  # the replay stores nothing


def test_projection_lag_is_measured_at_scrape_time(ops: OpenOps) -> None:
    service = ops(metrics=True)
    headers = writer(service)
    for body in (b.company(), b.chip()):
        assert service.client.post("/v1/events", json=body, headers=headers).status_code == 201
    service.clock.advance(seconds=30)
    samples = parse(service.client.get("/metrics").text)
    for projection in ("views", "webhooks"):
        assert samples.value("regtl_projection_lag_events", projection=projection) == 2
        assert samples.value("regtl_projection_lag_seconds", projection=projection) == 30
    service.container.catch_up()  # the views only: the webhook fan-out is still behind
    samples = parse(service.client.get("/metrics").text)
    assert samples.value("regtl_projection_lag_events", projection="views") == 0
    assert samples.value("regtl_projection_lag_seconds", projection="views") == 0
    assert samples.value("regtl_projection_lag_events", projection="webhooks") == 2
    service.container.webhooks.fanout.catch_up()
    samples = parse(service.client.get("/metrics").text)
    assert samples.value("regtl_projection_lag_events", projection="webhooks") == 0
    assert samples.value("regtl_projection_lag_seconds", projection="webhooks") == 0


@pytest.mark.parametrize("setting", [False, None])
def test_metrics_is_not_published_unless_enabled(ops: OpenOps, setting: bool | None) -> None:
    service = ops(metrics=setting)  # None: "auto", which only `regtl serve` resolves
    response = service.client.get("/metrics")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_metrics_is_outside_the_openapi_document(ops: OpenOps) -> None:
    service = ops(metrics=True)
    assert "/metrics" not in service.client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(
    ("host", "published"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.1.2.3", False),
    ],
)
def test_the_default_follows_the_bind_address(host: str, published: bool) -> None:
    assert metrics_default(host) is published


CHILD = """
from services.operations.metrics import Metrics
Metrics().observe_request("/v1/chips/{chip}", "GET", 200, 0.01)
"""


def test_multiprocess_mode_adds_up_every_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """prometheus_client chooses its value store at import: each server process is a child
    here, started with PROMETHEUS_MULTIPROC_DIR set, as a process manager would."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(folder)}
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-c", CHILD],
            env=env,
            check=True,
            timeout=60,
            cwd=Path(__file__).resolve().parents[2],
        )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(folder))
    body, _ = Metrics().exposition(ProjectionLag(lambda: []))
    samples = parse(body.decode())
    assert samples.value(REQUESTS, route="/v1/chips/{chip}", method="GET", status="200") == 2
