"""Engine and session factories: one engine per process, one session per unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from geo.settings import get_settings


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """Return the engine for ``url`` (default: the configured ``DATABASE_URL``)."""
    return create_engine(url or get_settings().database_url, pool_pre_ping=True, future=True)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """Yield a session that commits on success and rolls back on error."""
    factory = sessionmaker(bind=engine or get_engine(), expire_on_commit=False)
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def postgis_version(engine: Engine) -> str | None:
    """Return the PostGIS version of the database, or None when the extension is missing."""
    with engine.connect() as conn:
        row = conn.execute(text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")).first()
    return row[0] if row else None


@contextmanager
def transaction(bind: Engine | Connection) -> Iterator[Connection]:
    """One all-or-nothing unit of work on an engine, or a savepoint inside a connection.

    Loaders take either, so the tests can run them inside a transaction that is rolled
    back, and the CLI gets a real commit.
    """
    if isinstance(bind, Connection):
        with bind.begin_nested():
            yield bind
    else:
        with bind.begin() as conn:
            yield conn
