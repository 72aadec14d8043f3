"""Database provisioning and schema migrations (Alembic)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from alembic import command
from alembic.config import Config
from geoalchemy2 import alembic_helpers
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from geo.errors import DataError
from geo.settings import PROJECT_ROOT

log = logging.getLogger(__name__)

#: Schemas that PostGIS extensions create for themselves (postgis_topology, the tiger geocoder).
POSTGIS_SCHEMAS = frozenset({"topology", "tiger", "tiger_data"})
#: Tables that the postgis extension keeps in the public schema.
POSTGIS_TABLES = frozenset({"spatial_ref_sys"})


def include_name(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Alembic hook: leave PostGIS's own schemas and tables out of autogenerate.

    The migrations never create them and the models do not describe them, so without this
    ``alembic check`` would ask to drop ``spatial_ref_sys``.
    """
    if type_ == "schema":
        return name not in POSTGIS_SCHEMAS
    if type_ == "table":
        return name not in POSTGIS_TABLES and parent_names.get("schema_name") not in POSTGIS_SCHEMAS
    return True


#: What ``migrations/env.py`` gives ``context.configure``: autogenerate (``alembic check``,
#: ``alembic revision --autogenerate``) compares types and server defaults too, and skips
#: PostGIS's own objects.
AUTOGENERATE_OPTIONS: dict[str, Any] = {
    "compare_type": True,
    "compare_server_default": True,
    "include_name": include_name,
    "include_object": alembic_helpers.include_object,
    "render_item": alembic_helpers.render_item,
}


def alembic_config(database_url: str) -> Config:
    """Return the Alembic configuration of the project bound to ``database_url``."""
    cfg = Config(str(PROJECT_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    cfg.attributes["database_url"] = database_url
    return cfg


def ensure_database(database_url: str) -> bool:
    """Create the database named in ``database_url`` if it does not exist.

    Returns True when the database was created. Connects to the ``postgres``
    maintenance database of the same server to do so.
    """
    url = make_url(database_url)
    if not url.database:
        raise DataError("La dirección de la base de datos (DATABASE_URL) no indica el nombre de la base.")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            ).first()
            if exists:
                return False
            name = url.database.replace('"', '""')
            conn.execute(text(f'CREATE DATABASE "{name}"'))
            log.info("created database %s", url.database)
            return True
    finally:
        admin.dispose()


def ensure_postgis(database_url: str) -> str:
    """Create the PostGIS extension in the database if missing; return its version."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
            return conn.execute(text("SELECT postgis_lib_version()")).scalar_one()
    finally:
        engine.dispose()


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply the migrations up to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def current_revision(database_url: str) -> str | None:
    """Return the revision the database is at, or None before the first migration."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            has_table = conn.execute(text("SELECT to_regclass('alembic_version')")).scalar()
            if not has_table:
                return None
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    finally:
        engine.dispose()
