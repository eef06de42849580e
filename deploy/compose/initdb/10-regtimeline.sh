#!/bin/bash
# Runs once, when the postgres container starts on an empty data volume.
#
# Creates the schema owner (regtl_owner) and the database it owns. The owner
# is NOT a superuser: it can create roles (so `regtl db upgrade` can create
# and grant the service role regtl_app) and owns everything it migrates.
# The service role itself is left to the migrations.
set -euo pipefail

: "${REGTL_OWNER_PASSWORD:?REGTL_OWNER_PASSWORD must be set for the postgres service}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner_password="$REGTL_OWNER_PASSWORD" <<'SQL'
CREATE ROLE regtl_owner LOGIN CREATEROLE PASSWORD :'owner_password';
CREATE DATABASE regtimeline OWNER regtl_owner;
SQL
