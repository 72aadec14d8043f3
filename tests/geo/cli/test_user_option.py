"""``sit --user``: the console acts as an account, proven by its password, and its role applies."""

from __future__ import annotations

import getpass
import json

import pytest
from sqlalchemy import create_engine, text

from geo.accounts.login import REFUSED
from tests.conftest import run_sit, set_up_database

PASSWORD = "clave muy secreta 2026"
ARCHIVED = "SELECT count(*) FROM initiative WHERE archived_at IS NOT NULL"


@pytest.fixture(scope="module")
def url():
    """A database as ``sit setup`` leaves it, with a SECPLAC and a Concejo account."""
    url = set_up_database("cli_user_option")
    for username, role in (("ana", "secplac"), ("concejal1", "concejo")):
        add = ("user", "add", username, "--role", role, "--name", f"Cuenta {username}", "--password-stdin")
        run_sit(*add, url=url, input=PASSWORD + "\n")
    return url


@pytest.fixture(scope="module")
def engine(url):
    eng = create_engine(url)
    yield eng
    eng.dispose()


def scalar(engine, sql, **params):
    with engine.connect() as conn:
        return conn.execute(text(sql), params).scalar_one()


def as_user(url, username, *command, password=PASSWORD, extra_input="", check=False):
    return run_sit(
        "--user",
        username,
        "--password-stdin",
        *command,
        url=url,
        input=f"{password}\n{extra_input}",
        check=check,
    )


def test_an_allowed_write_is_audited_under_the_account_and_the_os_user(url, engine):
    done = as_user(url, "ana", "initiative", "archive", "E1.P1.G1.02", "--reason", "Duplicada", check=True)
    assert "Iniciativa E1.P1.G1.02 archivada" in done.stdout
    last = text("SELECT user_id, user_name, details FROM audit_log ORDER BY id DESC LIMIT 1")
    with engine.connect() as conn:
        row = conn.execute(last).one()
        ana = conn.execute(text("SELECT id FROM app_user WHERE username = 'ana'")).scalar_one()
    assert (row.user_id, row.user_name) == (ana, "Cuenta ana")
    assert row.details["via"] == f"consola: sit initiative (usuario del sistema: {getpass.getuser()})"
    assert PASSWORD not in json.dumps(row.details) and PASSWORD not in done.stdout + done.stderr


def test_a_role_without_the_right_is_refused_and_nothing_is_written(url, engine):
    before = (scalar(engine, ARCHIVED), scalar(engine, "SELECT count(*) FROM audit_log"))
    refused = as_user(url, "concejal1", "initiative", "archive", "E1.P1.G1.03")
    assert refused.returncode == 2
    assert "No autorizado: el rol Concejo Municipal no puede modificar iniciativas" in refused.stderr
    # The login itself is recorded (inicio_sesion); nothing else is.
    after = (scalar(engine, ARCHIVED), scalar(engine, "SELECT count(*) FROM audit_log"))
    assert after == (before[0], before[1] + 1)
    last = scalar(engine, "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")
    assert last == "inicio_sesion"
    # Accounts too: the command's own --password-stdin reads the next line.
    luis = ("user", "add", "luis", "--role", "concejo", "--name", "Luis", "--password-stdin")
    add = as_user(url, "concejal1", *luis, extra_input="otra clave muy larga\n")
    assert add.returncode == 2 and "no puede administrar cuentas" in add.stderr
    assert scalar(engine, "SELECT count(*) FROM app_user WHERE username = 'luis'") == 0


def test_a_backup_or_a_restore_needs_an_administrator(url, tmp_path):
    """A copy holds every account's password hash; a restore replaces them all."""
    for command in (("backup", str(tmp_path / "copia.dump")), ("restore", str(tmp_path / "copia.dump"))):
        refused = as_user(url, "ana", *command)
        assert refused.returncode == 2 and "el rol SECPLAC no puede administrar cuentas" in refused.stderr
    assert not (tmp_path / "copia.dump").exists()


def test_schema_and_database_roles_need_an_administrator(url, tmp_path):
    secrets_file = tmp_path / "secrets.toml"
    for command in (("db", "upgrade"), ("db", "app-role", "--secrets", str(secrets_file))):
        refused = as_user(url, "ana", *command)
        assert refused.returncode == 2 and "el rol SECPLAC no puede administrar cuentas" in refused.stderr
    assert not secrets_file.exists()


def test_read_only_commands_work_for_every_role(url):
    stats = json.loads(as_user(url, "concejal1", "stats", "--json", check=True).stdout)
    assert stats["initiatives"]["total"] > 0
    history = as_user(url, "concejal1", "initiative", "history", "E1.P1.G1.02", check=True).stdout
    assert "Archivada por" in history


def test_a_wrong_password_or_an_unknown_user_get_the_same_refusal_and_failures_count(url, engine):
    audit = scalar(engine, "SELECT count(*) FROM audit_log")
    wrong = as_user(url, "ana", "initiative", "archive", "E1.P1.G1.04", password="no es esta")
    unknown = as_user(url, "nadie", "initiative", "archive", "E1.P1.G1.04")
    for refused in (wrong, unknown):
        assert refused.returncode == 2
        assert refused.stderr.strip() == f"Error: {REFUSED}"
    assert scalar(engine, "SELECT failed_attempts FROM app_user WHERE username = 'ana'") == 1
    assert scalar(engine, ARCHIVED + " AND code = 'E1.P1.G1.04'") == 0
    assert scalar(engine, "SELECT count(*) FROM audit_log") == audit + 1  # the failed login only


def test_without_user_the_os_user_acts_and_password_stdin_alone_is_refused(url):
    alone = run_sit("--password-stdin", "stats", url=url, input=PASSWORD + "\n", check=False)
    assert alone.returncode == 2 and "va con --user USUARIO" in alone.stderr


def test_an_administrator_restores_a_copy_that_predates_the_account(url, tmp_path):
    """The restore's own audit row cannot point at an account the copy does not hold."""
    copy = tmp_path / "antes.dump"
    run_sit("backup", str(copy), url=url, check=True)  # the OS user, before the account exists
    add = ("user", "add", "jefa", "--role", "administrador", "--name", "Jefa SECPLAC", "--password-stdin")
    run_sit(*add, url=url, input=PASSWORD + "\n", check=True)
    target = f"{url.rsplit('/', 1)[0]}/sit_user_option_restored"
    drop = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with drop.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS sit_user_option_restored WITH (FORCE)"))
    try:
        as_user(url, "jefa", "restore", str(copy), "--create-db", "sit_user_option_restored", check=True)
        restored = create_engine(target)
        with restored.connect() as conn:
            row = conn.execute(
                text("SELECT user_id, user_name, details FROM audit_log WHERE action = 'restaurar_copia'")
            ).one()
        restored.dispose()
        assert (row.user_id, row.user_name) == (None, "Jefa SECPLAC")
        assert row.details["cuenta_no_restaurada"] > 0
    finally:
        with drop.connect() as conn:
            conn.execute(text("DROP DATABASE IF EXISTS sit_user_option_restored WITH (FORCE)"))
        drop.dispose()
