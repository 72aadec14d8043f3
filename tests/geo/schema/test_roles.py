"""The app's own PostgreSQL role: it reads and changes rows, and nothing else."""

from __future__ import annotations

import json
import os
import stat
import tomllib
import uuid

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from geo.errors import DataError
from geo.schema.roles import app_url, provision_app_role, store_app_url
from geo.store.actor import Actor
from geo.store.funding import FundingLineValues
from geo.store.initiatives import InitiativeChange, save_initiatives
from tests.conftest import derived_url, run_sit, set_up_database

SUFFIX = "app_role"


def _drop(url: str, role: str) -> None:
    owner = create_engine(url, isolation_level="AUTOCOMMIT")
    with owner.connect() as conn:
        conn.execute(text(f"DROP OWNED BY {role}"))
        conn.execute(text(f"DROP ROLE {role}"))
    owner.dispose()


@pytest.fixture(scope="module")
def provisioned():
    """A database as `sit setup` leaves it, and a new application role with its own address."""
    owner_url = set_up_database(SUFFIX)
    role = f"sit_app_test_{uuid.uuid4().hex[:8]}"
    created = provision_app_role(owner_url, role)
    yield owner_url, created, app_url(owner_url, created)
    _drop(owner_url, role)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def test_the_role_is_created_once_with_a_random_password(provisioned):
    owner_url, created, url = provisioned
    assert created.created and len(created.password or "") >= 24
    again = provision_app_role(owner_url, created.name)
    assert (again.created, again.password) == (False, None)  # the stored address stays valid
    with psycopg.connect(_libpq(url)) as pg:
        attrs = pg.execute(
            "SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin FROM pg_roles "
            "WHERE rolname = current_user"
        ).fetchone()
    assert attrs == (False, False, False, True)


def test_the_app_role_saves_through_the_write_path(provisioned):
    _, _, url = provisioned
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            before = (
                conn.execute(text("SELECT * FROM initiative WHERE code = 'E1.P1.G1.01'")).mappings().one()
            )
            values = {c: before[c] for c in ("code", "name", "kind", "scope", "status", "strategy_id")}
            line = FundingLineValues("fndr", None, 2016, 7_000_000, "aprobado")
            (saved,) = save_initiatives(
                conn,
                Actor.system("prueba del rol de la aplicación"),
                [
                    InitiativeChange(
                        values=values, funding=[line], id=before["id"], expected_version=before["version"]
                    )
                ],
            )
            assert saved.changes == {"funding": [[], [line.as_audit()]]}
            assert conn.execute(text("SELECT count(*) FROM audit_log")).scalar_one() >= 1
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE intruso (id int)",
        "DROP TABLE initiative",
        "ALTER TABLE initiative ADD COLUMN intruso int",
        "TRUNCATE initiative CASCADE",
        "UPDATE audit_log SET user_name = 'otra persona'",
        "DELETE FROM audit_log",
        "DELETE FROM alembic_version",
        "CREATE ROLE intruso",
    ],
)
def test_the_app_role_cannot_change_the_schema_or_rewrite_the_audit(provisioned, statement):
    _, _, url = provisioned
    with psycopg.connect(_libpq(url)) as pg, pytest.raises(psycopg.errors.InsufficientPrivilege):
        pg.execute(statement)


def test_sit_setup_grants_a_new_table_to_the_app_role(provisioned):
    owner_url, created, url = provisioned
    owner = create_engine(owner_url)
    with owner.begin() as conn:  # a table a later migration adds
        conn.execute(text("CREATE TABLE IF NOT EXISTS nueva_tabla (id int)"))
    owner.dispose()
    out = run_sit("setup", url=url, admin_url=owner_url).stdout
    assert f"Permisos del rol de la aplicación actualizados ({created.name})" in out
    assert created.password not in out
    with psycopg.connect(_libpq(url)) as pg:
        pg.execute("INSERT INTO nueva_tabla VALUES (1)")
    # The everyday commands run as the app's role.
    stats = json.loads(run_sit("stats", "--json", url=url, admin_url=owner_url).stdout)
    assert stats["initiatives"]["total"] > 0


def test_sit_db_app_role_writes_the_address_only_to_the_secrets_file(tmp_path):
    owner_url = set_up_database(SUFFIX + "_cli")
    role = f"sit_app_test_{uuid.uuid4().hex[:8]}"
    secrets_file = tmp_path / ".streamlit" / "secrets.toml"
    try:
        proc = run_sit("db", "app-role", "--role", role, "--secrets", str(secrets_file), url=owner_url)
        stored = tomllib.loads(secrets_file.read_text())["database"]["url"]
        password = make_url(stored).password
        assert make_url(stored).username == role and password and password not in proc.stdout + proc.stderr
        assert stat.S_IMODE(os.stat(secrets_file).st_mode) == 0o600
        with psycopg.connect(_libpq(stored)) as pg:
            assert pg.execute("SELECT current_user").fetchone() == (role,)
        again = run_sit(
            "db", "app-role", "--role", role, "--secrets", str(secrets_file), url=stored, admin_url=owner_url
        )
        assert "ya existía" in again.stdout
        assert tomllib.loads(secrets_file.read_text())["database"]["url"] == stored
        # Settings that don't hold its address (a lost secrets file): a new password, written.
        lost = run_sit("db", "app-role", "--role", role, "--secrets", str(secrets_file), url=owner_url)
        assert "contraseña nueva" in lost.stdout
        renewed = tomllib.loads(secrets_file.read_text())["database"]["url"]
        assert renewed != stored and make_url(renewed).password not in lost.stdout
    finally:
        _drop(owner_url, role)


def test_a_role_with_admin_rights_is_not_taken_for_the_app(provisioned):
    owner_url, _, _ = provisioned
    user = make_url(derived_url(SUFFIX)).username or "postgres"
    with pytest.raises(DataError, match="privilegios de administración"):
        provision_app_role(owner_url, user)


def test_the_secrets_file_keeps_what_it_had(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_text(
        'show_demo = true\n\n[database]\nurl = "postgresql://viejo@h/db"\nadmin_url = "x"\n\n[otro]\na = 1\n'
    )
    store_app_url(path, "postgresql+psycopg://sit_app:s3cr%22@h/db")
    data = tomllib.loads(path.read_text())
    assert data["database"] == {"url": "postgresql+psycopg://sit_app:s3cr%22@h/db", "admin_url": "x"}
    assert data["show_demo"] is True and data["otro"] == {"a": 1}
    fresh = tmp_path / "nuevo.toml"
    store_app_url(fresh, "postgresql+psycopg://a:b@h/db")
    assert tomllib.loads(fresh.read_text()) == {"database": {"url": "postgresql+psycopg://a:b@h/db"}}
    top = tmp_path / "top.toml"
    top.write_text('DATABASE_URL = "postgresql://x@h/db"\n')
    with pytest.raises(DataError, match="DATABASE_URL"):
        store_app_url(top, "postgresql+psycopg://a:b@h/db")
