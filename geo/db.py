"""The engine (one per process) and the unit of work (one transaction, or a savepoint)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import psycopg.errors
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import ExceptionContext

from geo.errors import DataError
from geo.settings import get_settings

log = logging.getLogger(__name__)


def get_engine(url: str | None = None, statement_timeout_ms: int | None = None) -> Engine:
    """Return the engine for ``url`` (default: the configured ``DATABASE_URL``).

    Every statement on its connections is cancelled by PostgreSQL after
    ``statement_timeout_ms`` (default: the setting; 0: never, for the administrator's long
    loads, see ``geo.cli.common.admin_engine``); a cancelled statement raises a
    :class:`DataError` in Spanish.
    """
    settings = get_settings()
    timeout = settings.statement_timeout_ms if statement_timeout_ms is None else statement_timeout_ms
    return _engine(url or settings.database_url, int(timeout))


@lru_cache(maxsize=8)
def _engine(url: str, timeout_ms: int) -> Engine:
    # JIT off for every statement of the app: PostgreSQL compiles a query whose estimated cost
    # passes jit_above_cost, and the joins on funding lines (MONEY_JOIN) and territories pass
    # it at 10,000 initiatives, where compiling took longer than running: the map's filtered
    # selection 0.61 -> 0.22-0.28 s, its initiatives 0.31 -> 0.17 s; Brechas' allocation and
    # totals spent 0.7-0.8 s of 0.8-2.2 s compiling, at Vallenar and national scale (bench/).
    engine = create_engine(
        url,
        pool_pre_ping=True,
        future=True,
        connect_args={"options": f"-c statement_timeout={timeout_ms} -c jit=off"},
    )
    if timeout_ms:
        event.listen(engine, "handle_error", _cancelled_as_data_error(timeout_ms))
    return engine


def _cancelled_as_data_error(timeout_ms: int) -> Callable[[ExceptionContext], None]:
    def handle(context: ExceptionContext) -> None:
        if isinstance(context.original_exception, psycopg.errors.QueryCanceled):
            log.warning("statement cancelled after %d ms: %s", timeout_ms, context.statement)
            seconds = f"{timeout_ms / 1000:g}".replace(".", ",")
            raise DataError(
                f"La base de datos canceló la operación porque tardó más de {seconds} s (el límite "
                "por consulta, para que nadie la bloquee); no se guardó nada de ella. Intente con "
                "menos datos (un archivo más pequeño o geometrías simplificadas) o avise a quien "
                "administra el sistema."
            ) from context.original_exception

    return handle


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


def fetch_tuples(
    conn: Connection, sql: str, params: Mapping[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    """Run a ``text`` query and return its rows as the driver's plain tuples.

    For large aggregate results read into arrays (coverage at national scale: ~90,000
    rows): SQLAlchemy's ``Row`` costs a few microseconds each, the driver's tuples
    nothing. The values are the same: a ``text`` query has no result processors.
    """
    result = conn.execute(text(sql), dict(params or {}))
    try:
        return list(result.cursor.fetchall()) if result.cursor is not None else []
    finally:
        result.close()


@contextmanager
def local_settings(conn: Connection, **settings: str) -> Iterator[None]:
    """Planner settings for the statements run inside, then the transaction's own again.

    ``set_config(..., true)`` lasts until the end of the transaction at most; after an
    error the transaction is rolled back, which restores them anyway.
    """
    names = {f"n{i}": name for i, name in enumerate(settings)}
    values = {f"v{i}": value for i, value in enumerate(settings.values())}
    before = conn.execute(text("SELECT " + ", ".join(f"current_setting(:{n})" for n in names)), names).one()
    configure = "SELECT " + ", ".join(f"set_config(:n{i}, :v{i}, true)" for i in range(len(names)))
    conn.execute(text(configure), {**names, **values})
    yield
    conn.execute(text(configure), {**names, **{f"v{i}": v for i, v in enumerate(before)}})
