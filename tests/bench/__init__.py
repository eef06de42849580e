"""`make bench` (python -m tests.bench): docs/performance.md benchmarks on PostgreSQL."""
