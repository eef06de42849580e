"""The log and its database: the event store over the library's recorders, database
names, migrations and the checks a command makes before it starts (docs/deploy.md)."""
