#!/usr/bin/env bash
# Run the app: dependencies, database (DATABASE_URL or a local PostGIS), schema, data, app.
#   scripts/run.sh [--port 8501]
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv ""
if [ -z "${DATABASE_URL:-}" ]; then
    ensure_local_postgis
    export DATABASE_URL="$(local_database_url sit_pladeco)"
fi
ensure_pg_client
say "Preparing the database"
"$VENV/bin/sit" setup
# With no administrator yet, say how to create one (there is no default password).
"$VENV/bin/sit" user check
say "Starting SIT PLADECO Vallenar"
exec "$VENV/bin/sit" serve "$@"
