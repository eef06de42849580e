"""Reading /metrics in tests: every sample of the Prometheus text, by name and labels."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from services.bootstrap import Container


class Samples(dict[tuple[str, frozenset[tuple[str, str]]], float]):
    def value(self, name: str, **labels: str) -> float:
        """The sample's value; 0 when it does not exist (a counter never incremented)."""
        return self.get((name, frozenset(labels.items())), 0.0)


def parse(text: str) -> Samples:
    samples = Samples()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def scrape(container: Container) -> Samples:
    """What GET /metrics would answer, for containers whose app does not publish it."""
    operations = container.operations
    body, _ = operations.metrics.exposition(operations.lag)
    return parse(body.decode())
