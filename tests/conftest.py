"""Test fixtures: a real PostgreSQL + PostGIS database, rebuilt at the start of the run.

The database comes from TEST_DATABASE_URL (scripts/test.sh sets a local one). It is
dropped and created again, migrated with Alembic, and loaded with the real base pack and
the PLADECO catalogue; each test then runs inside a transaction that is rolled back.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from streamlit.testing.v1 import AppTest

from geo import settings
from geo.catalogue.loader import CATALOGUE_FILE, load_catalogue
from geo.schema.migrate import ensure_postgis, upgrade
from geo.settings import PROJECT_ROOT, load_settings
from geo.territory.base_pack import load_base_pack

DATA = PROJECT_ROOT / "data"
DEFAULT_TEST_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sit_pladeco_test"


def database_url_for_tests() -> str:
    return load_settings().test_database_url or DEFAULT_TEST_URL


def recreate_database(url: str) -> None:
    """Drop and create the database named in ``url`` (whatever a previous run left)."""
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = u.database.replace('"', '""')
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def derived_url(suffix: str) -> str:
    """URL of a sibling database (e.g. for CLI or browser tests that commit)."""
    u = make_url(database_url_for_tests())
    return u.set(database=f"{u.database}_{suffix}").render_as_string(hide_password=False)


def set_up_database(suffix: str) -> str:
    """A sibling database ``<test db>_<suffix>`` rebuilt and prepared with ``sit setup``."""
    url = derived_url(suffix)
    recreate_database(url)
    run_sit("setup", url=url)
    return url


def fresh_database(url: str) -> None:
    recreate_database(url)
    ensure_postgis(url)
    upgrade(url)


def loaded_database(url: str) -> Engine:
    """Rebuild the database at ``url`` with the real base pack and catalogue; return an engine."""
    fresh_database(url)
    eng = create_engine(url)
    load_base_pack(eng, DATA)
    load_catalogue(eng, DATA / CATALOGUE_FILE)
    return eng


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


def run_sit(*args: str, url: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run the ``sit`` console command as a user would (a separate process)."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEST_DATABASE_URL")}
    env["DATABASE_URL"] = url
    sit = Path(sys.executable).parent / "sit"
    proc = subprocess.run(
        [str(sit), *args], capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=600
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
