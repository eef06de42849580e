"""The read flow: point-in-time answers at (T, K, P) from the read models (docs/state.md)."""
