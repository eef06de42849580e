"""The event log: the eventsourcing library's own table, append-only in the database.

The DDL is the library's (eventsourcing 9.5.6, application name "regtimeline"), copied so
that Alembic owns it and the service can run with CREATE_TABLE=no as a role that does not
own the schema; tests/integration/test_schema_drift.py compares it with what the library
would create. Triggers refuse UPDATE, DELETE and TRUNCATE. This base revision never
downgrades: dropping the log is not a migration.

Revision ID: 0001
"""

from alembic import op

revision = "0001"
down_revision = None

SQLITE = [
    "CREATE TABLE IF NOT EXISTS stored_events (originator_id TEXT, originator_version INTEGER, "
    "topic TEXT, state BLOB, PRIMARY KEY (originator_id, originator_version))",
    # SQLite's DELETE without WHERE (its TRUNCATE) runs row triggers too, so two suffice.
    "CREATE TRIGGER stored_events_no_update BEFORE UPDATE ON stored_events "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER stored_events_no_delete BEFORE DELETE ON stored_events "
    "BEGIN SELECT RAISE(ABORT, 'the event log is append-only: DELETE refused'); END",
]

POSTGRES = [
    'CREATE TABLE IF NOT EXISTS "public"."regtimeline_events" (originator_id "uuid" NOT NULL, '
    "originator_version bigint NOT NULL, topic text, state bytea, notification_id bigserial, "
    "PRIMARY KEY (originator_id, originator_version)) WITH (autovacuum_enabled = true, "
    "autovacuum_vacuum_threshold = 100000000, autovacuum_vacuum_scale_factor = 0.5, "
    "autovacuum_analyze_threshold = 1000, autovacuum_analyze_scale_factor = 0.01)",
    'CREATE TYPE "public"."stored_event_uuid" AS (originator_id "uuid", '
    "originator_version bigint, topic text, state bytea)",
    'CREATE UNIQUE INDEX IF NOT EXISTS "regtimeline_events_notification_id_idx" '
    'ON "public"."regtimeline_events" (notification_id ASC)',
    'CREATE OR REPLACE FUNCTION "public"."es_insert_events_uuid"(events "public"."stored_event_uuid"[]) '
    "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$BEGIN SET LOCAL lock_timeout = '5s'; "
    'NOTIFY "regtimeline_events"; RETURN QUERY INSERT INTO "public"."regtimeline_events" AS t '
    "(originator_id, originator_version, topic, state) SELECT originator_id, originator_version, "
    "topic, state FROM unnest(events) RETURNING notification_id; END;$BODY$",
    """CREATE OR REPLACE FUNCTION "public"."regtl_refuse_log_change"() RETURNS trigger
       LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'the event log is append-only: % refused', TG_OP
           USING ERRCODE = 'insufficient_privilege';
       END $$""",
    "CREATE TRIGGER regtimeline_events_no_update_delete BEFORE UPDATE OR DELETE "
    'ON "public"."regtimeline_events" FOR EACH ROW EXECUTE FUNCTION "public"."regtl_refuse_log_change"()',
    "CREATE TRIGGER regtimeline_events_no_truncate BEFORE TRUNCATE "
    'ON "public"."regtimeline_events" FOR EACH STATEMENT EXECUTE FUNCTION "public"."regtl_refuse_log_change"()',
]


def upgrade() -> None:
    statements = SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    raise RuntimeError("the event log's base revision never downgrades (the log is never dropped)")
