"""The write flow: parse an envelope, decide it against the log, record it with its
clocks, group concurrent requests into one commit, idempotency (docs/events.md)."""
