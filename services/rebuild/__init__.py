"""Rebuilding the read models from the log into a new generation (docs/architecture.md,
"Rebuilding the projections")."""
