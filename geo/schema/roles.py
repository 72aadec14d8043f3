"""The application's own PostgreSQL role: only the rights the app needs.

The tables belong to the role that runs the migrations (``Settings.migrations_url``). The
app and the everyday ``sit`` commands connect as another role (``Settings.database_url``)
that can read and change rows and nothing else: it cannot create, alter or drop tables,
cannot touch the schema's history (``alembic_version``) or PostGIS's reference table, and can
only add to the audit log, never change or delete what it says.

``sit db app-role`` creates that role with a random password and writes its address into
``.streamlit/secrets.toml`` (readable by its owner only); ``sit setup`` grants the rights
again after each migration, so a new table is never out of the app's reach.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from geo.errors import DataError

log = logging.getLogger(__name__)

DEFAULT_APP_ROLE = "sit_app"
_ROLE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
#: Tables the app reads but never writes.
READ_ONLY_TABLES = ("alembic_version", "spatial_ref_sys")
#: Append-only for the app: rows are added, never changed or removed.
APPEND_ONLY_TABLES = ("audit_log",)


@dataclass(frozen=True)
class AppRole:
    """The application role as provisioned: its name, and its password when it was (re)set now."""

    name: str
    created: bool
    password: str | None


def _checked(role: str) -> str:
    if not _ROLE.match(role):
        raise DataError(
            f"«{role}» no sirve como nombre de rol de PostgreSQL: use minúsculas, números y guion bajo."
        )
    return role


def grant_app_rights(conn: Connection, role: str) -> None:
    """Give ``role`` exactly the rights the app needs on the current database (idempotent)."""
    role = _checked(role)
    database = conn.execute(text("SELECT current_database()")).scalar_one()
    db = database.replace('"', '""')
    for statement in (
        f'GRANT CONNECT, TEMPORARY ON DATABASE "{db}" TO {role}',
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"REVOKE CREATE ON SCHEMA public FROM {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {', '.join(APPEND_ONLY_TABLES)} FROM {role}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {', '.join(READ_ONLY_TABLES)} FROM {role}",
    ):
        conn.execute(text(statement))
    log.info("rights of role %s on %s granted", role, database)


def role_exists(conn: Connection, role: str) -> bool:
    """Whether a PostgreSQL role named ``role`` exists on the server."""
    return conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role}).first() is not None


def provision_app_role(admin_url: str, role: str = DEFAULT_APP_ROLE, reset_password: bool = False) -> AppRole:
    """Create ``role`` (LOGIN, no other attribute) when missing, with a random password, and grant it.

    The password is returned only when it was set now (a new role, or ``reset_password``);
    it is never logged. Needs a connection that may create roles (the owner with CREATEROLE,
    or a superuser on a local installation).
    """
    role = _checked(role)
    engine = create_engine(make_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            exists = role_exists(conn, role)
            if (
                exists
                and conn.execute(
                    text("SELECT rolsuper OR rolcreaterole OR rolcreatedb FROM pg_roles WHERE rolname = :r"),
                    {"r": role},
                ).scalar_one()
            ):
                raise DataError(
                    f"El rol «{role}» ya existe con privilegios de administración; la aplicación "
                    "necesita un rol sin ellos. Elija otro nombre con --role."
                )
            password = secrets.token_urlsafe(24) if (not exists or reset_password) else None
            if password is not None:
                # A role's password cannot be a bind parameter: quote it as a literal.
                literal = conn.execute(text("SELECT quote_literal(:p)"), {"p": password}).scalar_one()
                verb = "ALTER" if exists else "CREATE"
                extra = "" if exists else " NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"
                conn.execute(text(f"{verb} ROLE {role} WITH LOGIN{extra} PASSWORD {literal}"))
            grant_app_rights(conn, role)
    finally:
        engine.dispose()
    log.info("application role %s %s", role, "created" if not exists else "updated")
    return AppRole(role, not exists, password)


def app_url(admin_url: str, role: AppRole) -> str:
    """The address the app connects with: the owner's, with the application role and its password."""
    url = make_url(admin_url).set(username=role.name, password=role.password)
    return url.render_as_string(hide_password=False)


_SECTION = re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*(#.*)?$")
_URL_KEY = re.compile(r"^\s*url\s*=")


def store_app_url(path: Path, url: str) -> None:
    """Write ``url`` as ``[database] url`` in the secrets file at ``path``, keeping everything else.

    The file is created if missing and left readable and writable by its owner only
    (it holds a password). A top-level ``DATABASE_URL`` would win over it, so it is refused.
    """
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    if path.is_file():
        current = tomllib.loads("\n".join(lines))
        if "DATABASE_URL" in current:
            raise DataError(
                f"{path} define DATABASE_URL, que tiene precedencia: bórrela o reemplácela por la "
                "sección [database] antes de crear el rol de la aplicación."
            )
    entry = f"url = {json.dumps(url)}"
    section, placed = None, False
    out: list[str] = []
    for line in lines:
        if match := _SECTION.match(line):
            if section == "database" and not placed:
                out.append(entry)
                placed = True
            section = match["name"].strip()
        elif section == "database" and _URL_KEY.match(line):
            line, placed = entry, True
        out.append(line)
    if section == "database" and not placed:
        out.append(entry)
        placed = True
    if not placed:
        out += ["", "[database]", entry] if out else ["[database]", entry]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("\n".join(out) + "\n")
    os.chmod(path, 0o600)
    tomllib.loads(path.read_text(encoding="utf-8"))  # still valid TOML
