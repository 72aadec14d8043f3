"""The engine (one per process) and the unit of work (one transaction, or a savepoint)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy import Connection, Engine, create_engine

from geo.settings import get_settings

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def get_engine(url: str | None = None) -> Engine:
    """Return the engine for ``url`` (default: the configured ``DATABASE_URL``)."""
    return create_engine(url or get_settings().database_url, pool_pre_ping=True, future=True)


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
