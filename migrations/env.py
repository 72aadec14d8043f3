"""Alembic environment: the URL comes from the project's settings object.

Autogenerate options (PostGIS objects left out, types and defaults compared) live in
``geo.schema.migrate`` so that the drift test uses the same ones.
"""

from alembic import context
from sqlalchemy import create_engine, pool

from geo.schema.migrate import AUTOGENERATE_OPTIONS
from geo.schema.models import Base
from geo.settings import get_settings

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True, **AUTOGENERATE_OPTIONS)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, **AUTOGENERATE_OPTIONS)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, **AUTOGENERATE_OPTIONS)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
