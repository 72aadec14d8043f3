"""Whole-database backups (``pg_dump`` custom format) and their restore (``pg_restore``).

The PostgreSQL client programs receive the database as a libpq URI without the password;
the password travels in ``PGPASSWORD`` of their environment only, so it is never on a
command line (visible in ``ps``) nor in a message.
"""

from __future__ import annotations

import logging
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from geo.errors import DataError
from geo.schema.migrate import POSTGIS_TABLES, alembic_config

log = logging.getLogger(__name__)

#: Tables whose rows say nothing about the data (the schema revision, PostGIS's own).
_NOT_DATA = POSTGIS_TABLES | {"alembic_version"}


@dataclass(frozen=True)
class ClientTarget:
    """How a PostgreSQL client program reaches one database."""

    uri: str  # libpq URI, no password
    password: str | None

    def env(self) -> dict[str, str]:
        """The environment of the client program: ours, plus the password if there is one."""
        env = dict(os.environ)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def client_target(database_url: str) -> ClientTarget:
    """Turn an SQLAlchemy URL (``postgresql+psycopg://...``) into a libpq URI and password."""
    url = make_url(database_url)
    # Built anew: ``URL.set(password=None)`` leaves the password in place.
    libpq = URL.create("postgresql", url.username, None, url.host, url.port, url.database, url.query)
    return ClientTarget(libpq.render_as_string(hide_password=False), url.password)


def describe(database_url: str | URL) -> str:
    """The database for a message: ``«name» en host:port``, never the password."""
    url = make_url(database_url)
    where = f"{url.host or 'localhost'}:{url.port or 5432}"
    return f"«{url.database}» en {where}"


def _run(program: str, args: list[str], target: ClientTarget | None) -> subprocess.CompletedProcess[str]:
    cmd = [program, *args]
    log.info("running %s", " ".join(cmd))
    try:
        return subprocess.run(
            cmd, capture_output=True, text=True, env=target.env() if target else None, check=False
        )
    except FileNotFoundError as exc:
        raise DataError(
            f"No se encontró el programa {program} de PostgreSQL. Instálelo (paquete "
            "postgresql-client, el mismo que usa scripts/setup.sh) y vuelva a intentar."
        ) from exc


def _detail(proc: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in (proc.stderr or proc.stdout).splitlines() if line.strip()]
    return " / ".join(lines[:5]) or f"código de salida {proc.returncode}"


def dump(database_url: str, out: Path) -> int:
    """Write the whole database to ``out`` (custom format); return its size in bytes.

    The dump goes to a temporary file next to ``out`` and replaces it only when complete,
    so a failed backup leaves no half file and does not destroy an older one.
    """
    target = client_target(database_url)
    partial = out.with_name(f".{out.name}.parcial")
    proc = _run("pg_dump", ["--format=custom", f"--file={partial}", f"--dbname={target.uri}"], target)
    if proc.returncode != 0:
        log.error("pg_dump failed (%s): %s", proc.returncode, proc.stderr)
        partial.unlink(missing_ok=True)
        raise DataError(
            f"No se pudo hacer la copia de seguridad de la base {describe(database_url)}: {_detail(proc)}"
        )
    partial.replace(out)
    return out.stat().st_size


def check_archive(path: Path) -> None:
    """Refuse ``path`` unless ``pg_restore`` reads it as a custom-format archive."""
    if not path.is_file():
        raise DataError(f"No existe el archivo {path}.")
    proc = _run("pg_restore", ["--list", str(path)], None)
    if proc.returncode != 0:
        log.info("pg_restore --list %s failed: %s", path, proc.stderr)
        raise DataError(
            f"El archivo {path} no es una copia de seguridad de sit (formato personalizado de "
            "pg_dump, la que hace «sit backup»); no se restauró nada."
        )


def tables_with_rows(database_url: str) -> list[str]:
    """The tables of the ``public`` schema that hold at least one row (PostGIS's left out)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            names = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
            ).scalars()
            full = []
            for name in names:
                if name in _NOT_DATA:
                    continue
                quoted = '"' + name.replace('"', '""') + '"'
                if conn.execute(text(f"SELECT EXISTS (SELECT 1 FROM public.{quoted})")).scalar():
                    full.append(name)
            return full
    finally:
        engine.dispose()


def restore(database_url: str, archive: Path) -> None:
    """Replace the database's objects by those of ``archive``, all or nothing.

    ``--clean --if-exists`` drops what the archive holds before creating it again, in one
    transaction: on any error PostgreSQL rolls everything back and the database is as before.
    """
    target = client_target(database_url)
    args = [
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        f"--dbname={target.uri}",
        str(archive),
    ]
    proc = _run("pg_restore", args, target)
    if proc.returncode != 0:
        log.error("pg_restore failed (%s): %s", proc.returncode, proc.stderr)
        raise DataError(
            f"No se pudo restaurar la copia en la base {describe(database_url)}; la base quedó "
            f"como estaba (la restauración es una sola transacción). Detalle: {_detail(proc)}"
        )


def head_revision() -> str | None:
    """The schema revision this code expects (Alembic's head)."""
    # The URL is not used to read the scripts; any value will do.
    return ScriptDirectory.from_config(alembic_config("postgresql://")).get_current_head()
