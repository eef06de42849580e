"""The Prometheus families of one process (docs/deploy.md, "Metrics").

Every container makes its own `CollectorRegistry`: tests build many apps in one process,
and prometheus_client refuses a family registered twice in one registry. With
PROMETHEUS_MULTIPROC_DIR set (several server processes on one host), the values are kept
in that folder by prometheus_client and a scrape reads every process's files through its
`MultiProcessCollector`; the projection lag is read from the database at scrape time
either way, so it is the same whichever process answers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
UNMATCHED = "unmatched"  # the route label of a path no route matches (never the raw path)
# Webhook attempts: about 50 ms to the 15 s deadline (services/webhooks/http_post.py).
DELIVERY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 15.0, float("inf"))


def metrics_default(host: str) -> bool:
    """REGTL_METRICS unset: published only when the server listens on loopback alone."""
    return host.strip("[]").lower() in LOOPBACK_HOSTS


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


@dataclass(frozen=True)
class Lag:
    projection: str
    events: int
    seconds: float


class ProjectionLag(Collector):
    """regtl_projection_lag_{events,seconds}, measured when scraped (a few indexed reads)."""

    def __init__(self, measure: Callable[[], Iterable[Lag]]):
        self.measure = measure

    def collect(self) -> Iterator[Metric]:
        events = GaugeMetricFamily(
            "regtl_projection_lag_events",
            "log entries the projection has not applied yet",
            labels=["projection"],
        )
        seconds = GaugeMetricFamily(
            "regtl_projection_lag_seconds",
            "age of the oldest entry the projection has not applied (0 when caught up)",
            labels=["projection"],
        )
        for lag in self.measure():
            events.add_metric([lag.projection], lag.events)
            seconds.add_metric([lag.projection], lag.seconds)
        yield events
        yield seconds

    def describe(self) -> Iterator[Metric]:
        return iter(())  # measured at scrape time only: registering it must not query


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "regtl_http_requests",
            "HTTP requests answered",
            ["route", "method", "status"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "regtl_http_request_duration_seconds",
            "time to answer an HTTP request (a stream: its life)",
            ["route", "method", "status"],
            registry=r,
        )
        self.appended = Counter(
            "regtl_events_appended",
            "events made durable in the log by this process's writer",
            registry=r,
        )
        self.deliveries = Counter(
            "regtl_webhook_deliveries",
            "webhook attempts, by what became of the delivery",
            ["outcome"],
            registry=r,
        )
        self.delivery_seconds = Histogram(
            "regtl_webhook_delivery_duration_seconds",
            "webhook attempt latency",
            registry=r,
            buckets=DELIVERY_BUCKETS,
        )
        self.rate_limited = Counter(
            "regtl_rate_limited",
            "requests refused with 429 by the rate limiter",
            ["scope"],
            registry=r,
        )

    def observe_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.request_seconds.labels(route, method, str(status)).observe(seconds)

    def count_appended(self, events: int) -> None:
        if events:
            self.appended.inc(events)

    def observe_delivery(self, outcome: str, seconds: float) -> None:
        self.deliveries.labels(outcome).inc()
        self.delivery_seconds.observe(seconds)

    def count_rate_limited(self, scope: str) -> None:
        self.rate_limited.labels(scope).inc()

    def exposition(self, lag: Collector) -> tuple[bytes, str]:
        """The text format of every family, and its content type."""
        folder = multiprocess_dir()
        source: Collector | CollectorRegistry = self.registry
        if folder is not None:  # not registered anywhere: read for this one scrape
            # prometheus_client leaves this __init__ unannotated
            source = MultiProcessCollector(None, path=folder)  # type: ignore[no-untyped-call]
        return generate_latest(_Both(source, lag)), CONTENT_TYPE_LATEST


class _Both(Collector):
    """The counted families and the lag, read as one scrape. The lag is never registered in
    a long-lived registry: a scrape is the only time it may touch the database."""

    def __init__(self, counted: Collector | CollectorRegistry, lag: Collector):
        self.counted, self.lag = counted, lag

    def collect(self) -> Iterator[Metric]:
        yield from self.counted.collect()
        yield from self.lag.collect()
