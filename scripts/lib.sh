# Shared set-up steps of scripts/run.sh and scripts/test.sh (sourced, not executed).
# Idempotent: every step checks before it acts, so running twice changes nothing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=0
apt_install() {
    # apt_install PKG...: install the Debian packages that are missing.
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "Installing Debian packages: ${missing[*]}"
    if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq; APT_UPDATED=1; fi
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
}

ensure_venv() {
    # ensure_venv EXTRAS: a virtual environment with the project installed (editable).
    local extras="${1:-}"
    local spec="$ROOT"
    [ -n "$extras" ] && spec="$ROOT[$extras]"
    local stamp="$VENV/.sit-installed"
    local hash want have
    hash="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16)"
    want="${hash}-${extras}"
    have="$(cat "$stamp" 2>/dev/null || true)"
    # An install with the dev extras also serves the run command (no extras).
    [ -z "$extras" ] && [ "$have" = "${hash}-dev" ] && want="$have"
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating the virtual environment (.venv)"
        "$PY" -m venv "$VENV" 2>/dev/null || { apt_install python3-venv; "$PY" -m venv "$VENV"; }
    fi
    if [ "$have" != "$want" ]; then
        say "Installing Python dependencies${extras:+ ($extras)}"
        "$VENV/bin/python" -m pip install -q --upgrade pip
        "$VENV/bin/python" -m pip install -q -e "$spec"
        echo "$want" > "$stamp"
    fi
}

pg_version() {
    ls /etc/postgresql 2>/dev/null | sort -V | tail -1
}

ensure_local_postgis() {
    # A local PostgreSQL with PostGIS at 127.0.0.1:5432: install, start, nothing more.
    local ver
    ver="$(pg_version)"
    if [ -z "$ver" ]; then
        apt_install postgresql
        ver="$(pg_version)"
    fi
    # Both halves: the SQL scripts package can stay behind when the library was removed.
    if [ ! -f "/usr/share/postgresql/$ver/extension/postgis.control" ] \
        || [ ! -f "/usr/lib/postgresql/$ver/lib/postgis-3.so" ]; then
        apt_install "postgresql-$ver-postgis-3"
    fi
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
        say "Starting PostgreSQL $ver"
        as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
        for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    fi
    if ! psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
        # Fresh Debian cluster: no trust on TCP. The local postgres user gets a random
        # password, kept in .local/ (owner-only, never printed) and used for set-up only:
        # the app connects as its own role (`sit db app-role`).
        local pwfile="$ROOT/.local/postgres-password"
        if [ ! -s "$pwfile" ] || ! PGPASSWORD="$(cat "$pwfile")" \
            psql -h 127.0.0.1 -U postgres -d postgres -tAc 'select 1' >/dev/null 2>&1; then
            say "Configuring local access for user postgres (password in .local/, owner-only)"
            mkdir -p "$ROOT/.local"
            (umask 077; "$PY" -c 'import secrets; print(secrets.token_urlsafe(24))' > "$pwfile")
            # Through standard input: the password never appears in a process list.
            { printf '\\set pw %s\n' "$(cat "$pwfile")"; echo "ALTER USER postgres PASSWORD :'pw';"; } \
                | as_root runuser -u postgres -- psql -q >/dev/null
        fi
        export PGPASSWORD="$(cat "$pwfile")"
        LOCAL_PG_PASSWORD="$PGPASSWORD"
    fi
}

ensure_pg_client() {
    # pg_dump and pg_restore, for `sit backup` and `sit restore` (a remote DATABASE_URL too).
    # --version, not command -v: Debian's wrapper in /usr/bin can exist without a client.
    if ! pg_dump --version >/dev/null 2>&1 || ! pg_restore --version >/dev/null 2>&1; then
        apt_install postgresql-client
    fi
}

local_database_url() {
    # local_database_url DBNAME
    if [ -n "${LOCAL_PG_PASSWORD:-}" ]; then
        echo "postgresql+psycopg://postgres:${LOCAL_PG_PASSWORD}@127.0.0.1:5432/$1"
    else
        echo "postgresql+psycopg://postgres@127.0.0.1:5432/$1"
    fi
}

ensure_chromium() {
    [ -x /usr/bin/chromium ] || apt_install chromium
}
