#!/usr/bin/env bash
# Run the app: dependencies, database (DATABASE_URL or a local PostGIS), schema, data, app.
#   scripts/run.sh [--port 8501]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv ""
ensure_pg_client
if [ -z "${DATABASE_URL:-}" ]; then
    # Local PostGIS: the schema and the loads run as the local administrator; the app runs as
    # its own role (`sit db app-role`: rows only, no DDL, the audit log append-only), whose
    # address `sit db app-role` keeps in .streamlit/secrets.toml.
    ensure_local_postgis
    export SIT_ADMIN_DATABASE_URL="${SIT_ADMIN_DATABASE_URL:-$(local_database_url sit_pladeco)}"
    say "Preparing the database"
    "$VENV/bin/sit" setup
    "$VENV/bin/sit" db app-role
    unset SIT_ADMIN_DATABASE_URL PGPASSWORD  # the app never holds the administrator's password
else
    say "Preparing the database"
    "$VENV/bin/sit" setup
fi
# With no administrator yet, say how to create one (there is no default password).
"$VENV/bin/sit" user check
say "Starting SIT PLADECO Vallenar"
exec "$VENV/bin/sit" serve "$@"
