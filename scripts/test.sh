#!/usr/bin/env bash
# Run the whole test suite: installs what it needs (Python packages, PostGIS, chromium),
# uses TEST_DATABASE_URL or a local database "sit_pladeco_test" that the tests rebuild.
#   scripts/test.sh [pytest args...]
# The tests run on SIT_TEST_WORKERS pytest-xdist workers (default: one per CPU, at most 2),
# each test module whole on one worker so a module's served app and database stay together.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv "dev"
if [ -z "${TEST_DATABASE_URL:-}" ]; then
    ensure_local_postgis
    export TEST_DATABASE_URL="$(local_database_url sit_pladeco_test)"
fi
ensure_pg_client
ensure_chromium
say "Lint and format (ruff)"
"$VENV/bin/ruff" check "$ROOT"
"$VENV/bin/ruff" format --check "$ROOT"
say "Type check (mypy)"
"$VENV/bin/mypy" geo layers
say "Running the tests"
set +e
workers="${SIT_TEST_WORKERS:-$(( $(nproc) < 2 ? 1 : 2 ))}"
"$VENV/bin/python" -m pytest -n "$workers" --dist loadfile --durations=25 "$@"
rc=$?
set -e
# pytest exits 5 when no test ran: that must fail loudly, not pass.
exit $rc
