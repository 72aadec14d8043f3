"""Test fixtures: a real PostgreSQL + PostGIS database, built once per run and cloned.

The database named by TEST_DATABASE_URL (scripts/test.sh sets a local one) gives the names.
Once per run, ``<name>_template`` is built the way an admin builds one (``sit setup``:
Alembic migrations, the real base pack, the PLADECO catalogue). Every database a test uses
is then a copy of it (``CREATE DATABASE ... TEMPLATE``, a tenth of a second) instead of a
reload: the session database, and the siblings that CLI and browser tests commit to.
Tests on the session database run inside a transaction that is rolled back.

With pytest-xdist each worker has its own session database (``<name>_gw1``...) and the
template is built by whichever worker gets there first, under an advisory lock.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from geo import settings
from geo.schema.migrate import ensure_postgis, upgrade
from geo.settings import PROJECT_ROOT, load_settings

DATA = PROJECT_ROOT / "data"
DEFAULT_TEST_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sit_pladeco_test"


# One id per run, shared by the xdist workers (the controller sets it for them).
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
# Any constant: the advisory lock that serialises building and copying the template.
TEMPLATE_LOCK = 8_620_431


def base_test_url() -> str:
    return load_settings().test_database_url or DEFAULT_TEST_URL


def database_url_for_tests() -> str:
    """This worker's session database: the configured name, ``_gwN`` appended under xdist
    (gw0 keeps the plain name)."""
    u = make_url(base_test_url())
    if WORKER and WORKER != "gw0":
        u = u.set(database=f"{u.database}_{WORKER}")
    return u.render_as_string(hide_password=False)


def template_url() -> str:
    u = make_url(base_test_url())
    return u.set(database=f"{u.database}_template").render_as_string(hide_password=False)


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@contextmanager
def _admin(url: str) -> Iterator[Connection]:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            yield conn
    finally:
        admin.dispose()


def recreate_database(url: str) -> None:
    """Drop and create the database named in ``url`` (whatever a previous run left), empty."""
    name = _quoted(make_url(url).database or "")
    with _admin(url) as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))


def _template_is_current(conn: Connection, name: str) -> bool:
    comment = conn.execute(
        text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"),
        {"n": name},
    ).scalar()
    return comment == f"sit tests {RUN_ID}"


def clone_database(url: str) -> str:
    """Make the database at ``url`` a fresh copy of this run's template (built on first use
    with ``sit setup``, as an admin builds a database); return ``url``."""
    tpl = make_url(template_url()).database or ""
    name = make_url(url).database or ""
    with _admin(url) as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": TEMPLATE_LOCK})
        try:
            if not _template_is_current(conn, tpl):
                conn.execute(text(f"DROP DATABASE IF EXISTS {_quoted(tpl)} WITH (FORCE)"))
                conn.execute(text(f"CREATE DATABASE {_quoted(tpl)}"))
                run_sit("setup", url=template_url())
                conn.execute(text(f"COMMENT ON DATABASE {_quoted(tpl)} IS 'sit tests {RUN_ID}'"))
            conn.execute(text(f"DROP DATABASE IF EXISTS {_quoted(name)} WITH (FORCE)"))
            conn.execute(text(f"CREATE DATABASE {_quoted(name)} TEMPLATE {_quoted(tpl)}"))
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": TEMPLATE_LOCK})
    return url


def derived_url(suffix: str) -> str:
    """URL of a sibling database (e.g. for CLI or browser tests that commit)."""
    u = make_url(database_url_for_tests())
    return u.set(database=f"{u.database}_{suffix}").render_as_string(hide_password=False)


def set_up_database(suffix: str) -> str:
    """A sibling database ``<test db>_<suffix>``, as ``sit setup`` leaves it (a template copy)."""
    return clone_database(derived_url(suffix))


def fresh_database(url: str) -> None:
    """An empty database at ``url``, migrated with Alembic (no data)."""
    recreate_database(url)
    ensure_postgis(url)
    upgrade(url)


def loaded_database(url: str) -> Engine:
    """The database at ``url`` with the real base pack and catalogue; return an engine."""
    return create_engine(clone_database(url))


#: Slowest first: the journeys in a browser, then the CLI run as separate processes, then
#: the pages under AppTest. With whole modules per worker, starting the long ones first
#: keeps one worker from running a long module alone at the end.
_SLOW_FIRST = ("tests/browser/", "tests/geo/cli/", "tests/pages/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        path = Path(item.path).relative_to(PROJECT_ROOT).as_posix()
        return next((i for i, d in enumerate(_SLOW_FIRST) if path.startswith(d)), len(_SLOW_FIRST))

    items.sort(key=rank)  # stable: the order inside a module is kept


@pytest.fixture(scope="session")
def engine() -> Iterator[Engine]:
    eng = loaded_database(database_url_for_tests())
    yield eng
    eng.dispose()


@pytest.fixture
def conn(engine: Engine) -> Iterator[Connection]:
    """A connection inside a transaction that is rolled back after the test."""
    with engine.connect() as connection:
        trans = connection.begin()
        try:
            yield connection
        finally:
            trans.rollback()


@contextmanager
def app_test(
    monkeypatch: pytest.MonkeyPatch, page: str | None = None, timeout: float = 60
) -> Iterator[AppTest]:
    """The whole app (router included) on the test database, optionally opened at ``page``."""
    monkeypatch.setenv("DATABASE_URL", database_url_for_tests())
    settings.get_settings.cache_clear()
    at = AppTest.from_file("../app.py", default_timeout=timeout)
    if page:
        at.run()
        at.switch_page(page).run()
    try:
        yield at
    finally:
        settings.get_settings.cache_clear()


def run_sit(
    *args: str, url: str, check: bool = True, input: str | None = None, admin_url: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the ``sit`` console command as a user would (a separate process; ``input``: its stdin).

    ``url`` is the app's address (``DATABASE_URL``); ``admin_url`` the owner's, for
    migrations and loads (``SIT_ADMIN_DATABASE_URL``; by default the same), so a
    developer's secrets file never sends a test's migration elsewhere.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env["DATABASE_URL"] = url
    env["SIT_ADMIN_DATABASE_URL"] = admin_url or url
    sit = Path(sys.executable).parent / "sit"
    proc = subprocess.run(
        [str(sit), *args], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=600, input=input
    )
    if check and proc.returncode != 0:
        raise AssertionError(
            f"sit {' '.join(args)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
        )
    return proc


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
