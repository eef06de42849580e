"""The regulatory model: event payloads, aggregates, write rules and the pure folds."""
