"""Operating the service: metrics, rate limits and request logs (docs/deploy.md, "Metrics";
docs/http.md, "Rate limits"; docs/configuration.md)."""
