"""`make bench` (python -m tests.bench): SPEC §9 benchmarks on PostgreSQL."""
