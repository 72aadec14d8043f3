"""One typed settings object: environment variables first, then `.streamlit/secrets.toml`.

Nothing else in the project reads ``os.environ`` for configuration.
"""

from __future__ import annotations

import logging
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sit_pladeco"
DEFAULT_STATEMENT_TIMEOUT_MS = 30_000
DEFAULT_SESSION_IDLE_HOURS = 8.0
_TRUE = ("1", "true", "sí", "si", "yes")


@dataclass(frozen=True)
class Settings:
    """Runtime configuration of the application, the CLI and the tests."""

    database_url: str
    data_dir: Path
    test_database_url: str | None = None
    static_prefix: str = "/app/static/vendor"
    show_demo_by_default: bool = False
    """Whether the pages open with demo data shown (``SIT_SHOW_DEMO=1`` or ``show_demo = true``
    in the secrets file). Off: real data first; benchmarks of the demo portfolio turn it on."""
    statement_timeout_ms: int = DEFAULT_STATEMENT_TIMEOUT_MS
    """PostgreSQL ``statement_timeout`` of the app's and the CLI's connections
    (``SIT_STATEMENT_TIMEOUT_MS`` or ``statement_timeout_ms`` in the secrets file; 0: none).
    A second line of defence: the work of each request is bounded first (vertex caps)."""
    public_read: bool = False
    """Whether people without an account may open the read-only public pages (the map,
    Brechas) with no persons' names (``SIT_PUBLIC_READ=1`` or ``public_read = true``). Off:
    nobody sees anything but the login page before logging in."""
    session_idle_hours: float = DEFAULT_SESSION_IDLE_HOURS
    """Hours without any interaction after which a logged-in session ends
    (``SIT_SESSION_IDLE_HOURS`` or ``session_idle_hours``; fractions allowed)."""
    admin_database_url: str | None = None
    lan_url: str | None = None
    """The app's address on the workshop's local network (``SIT_LAN_URL`` or ``lan_url``), e.g.
    ``http://192.168.1.20:8501``: set by ``sit serve --lan`` for the app it starts, so the phone
    participation QR code points at it. None: the address the facilitator's browser uses."""
    secrets_file: Path | None = None
    """The secrets file read (``SIT_SECRETS_FILE``, else ``.streamlit/secrets.toml``), where
    ``sit db app-role`` writes the app's address."""
    """Where schema changes and whole-table loads run (``SIT_ADMIN_DATABASE_URL`` or
    ``[database] admin_url`` in the secrets file): the role that owns the tables. The app
    connects with ``database_url``, a role with only the rights it needs (``sit db app-role``).
    None: the same address as ``database_url``."""

    @property
    def migrations_url(self) -> str:
        """The address of the owning role (``admin_database_url``, else ``database_url``)."""
        return self.admin_database_url or self.database_url


def _read_secrets(path: Path) -> dict:
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        return tomllib.load(fh)


def _flag(value: object) -> bool:
    """A yes/no setting: ``1``, ``true``, ``sí`` or ``yes`` (any case; TOML booleans too)."""
    return str(value).strip().lower() in _TRUE


def normalise_database_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver made explicit for SQLAlchemy.

    Users paste ``postgresql://...`` or ``postgres://...`` URLs (libpq style);
    SQLAlchemy would pick psycopg2 for those, which the project does not ship.
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_settings(environ: dict[str, str] | None = None, root: Path | None = None) -> Settings:
    """Build the settings from ``environ`` (default ``os.environ``) and the secrets file."""
    env = os.environ if environ is None else environ
    root = root or PROJECT_ROOT
    secrets_path = Path(env.get("SIT_SECRETS_FILE", root / ".streamlit" / "secrets.toml"))
    secrets = _read_secrets(secrets_path)
    url = (
        env.get("DATABASE_URL")
        or secrets.get("DATABASE_URL")
        or secrets.get("database", {}).get("url")
        or DEFAULT_DATABASE_URL
    )
    admin_url = env.get("SIT_ADMIN_DATABASE_URL") or secrets.get("database", {}).get("admin_url")
    data_dir = Path(env.get("SIT_DATA_DIR", root / "data"))
    show_demo = _flag(env.get("SIT_SHOW_DEMO", secrets.get("show_demo", "")))
    public_read = _flag(env.get("SIT_PUBLIC_READ", secrets.get("public_read", "")))
    idle = str(env.get("SIT_SESSION_IDLE_HOURS", secrets.get("session_idle_hours", ""))).strip()
    try:
        idle_hours = float(idle) if idle else DEFAULT_SESSION_IDLE_HOURS
    except ValueError:
        idle_hours = -1.0
    if not idle_hours > 0:
        raise ValueError(f"SIT_SESSION_IDLE_HOURS / session_idle_hours must be hours above 0, not {idle!r}")
    timeout = str(env.get("SIT_STATEMENT_TIMEOUT_MS", secrets.get("statement_timeout_ms", ""))).strip()
    if timeout and not timeout.isdigit():
        raise ValueError(
            f"SIT_STATEMENT_TIMEOUT_MS / statement_timeout_ms must be milliseconds, not {timeout!r}"
        )
    return Settings(
        secrets_file=secrets_path,
        database_url=normalise_database_url(url),
        data_dir=data_dir,
        test_database_url=(
            normalise_database_url(env["TEST_DATABASE_URL"]) if env.get("TEST_DATABASE_URL") else None
        ),
        show_demo_by_default=show_demo,
        statement_timeout_ms=int(timeout) if timeout else DEFAULT_STATEMENT_TIMEOUT_MS,
        public_read=public_read,
        session_idle_hours=idle_hours,
        admin_database_url=normalise_database_url(admin_url) if admin_url else None,
        lan_url=(str(env.get("SIT_LAN_URL") or secrets.get("lan_url") or "").strip().rstrip("/") or None),
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings (read once)."""
    return load_settings()
