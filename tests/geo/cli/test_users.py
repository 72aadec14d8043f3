"""``sit user``, run as an administrator runs it: add, list, passwd, disable, enable, check."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import run_sit, set_up_database

PASSWORD = "clave muy secreta 2026"


@pytest.fixture
def url():
    """A database as ``sit setup`` leaves it: no accounts."""
    return set_up_database("users")


def _add(url: str, username: str, *extra: str, password: str = PASSWORD, check: bool = True):
    args = ("user", "add", username, "--password-stdin", *extra)
    if "--role" not in extra:
        args += ("--role", "secplac")
    if "--name" not in extra:
        args += ("--name", "Ana Pérez")
    return run_sit(*args, url=url, input=password + "\n", check=check)


def _passwd(url: str, *flags: str, input: str, check: bool = True):
    return run_sit("user", "passwd", "ana", *flags, "--password-stdin", url=url, input=input, check=check)


def _audit_and_hashes(url: str) -> tuple[str, list[str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            audit = " ".join(
                conn.execute(
                    text("SELECT coalesce(user_name, '') || ' ' || details::text FROM audit_log")
                ).scalars()
            )
            hashes = list(conn.execute(text("SELECT password_hash FROM app_user")).scalars())
    finally:
        engine.dispose()
    return audit, hashes


def test_add_from_stdin_then_list_shows_the_account_and_never_the_password_or_hash(url):
    added = _add(url, "Ana", "--unit", "SECPLAC")
    assert "Cuenta creada: ana (Ana Pérez, SECPLAC)." in added.stdout
    listed = run_sit("user", "list", url=url)
    assert "ana: Ana Pérez (SECPLAC, SECPLAC) · activa" in listed.stdout
    as_json = json.loads(run_sit("user", "list", "--json", url=url).stdout)
    assert [(a["usuario"], a["rol"], a["estado"]) for a in as_json] == [("ana", "secplac", "activa")]
    audit, hashes = _audit_and_hashes(url)
    assert len(hashes) == 1 and hashes[0].startswith("$argon2id$")
    for output in (added.stdout, added.stderr, listed.stdout, listed.stderr, json.dumps(as_json), audit):
        assert PASSWORD not in output
        assert hashes[0] not in output and "$argon2" not in output


def test_a_duplicate_username_a_short_password_or_an_unknown_role_are_refused_in_spanish(url):
    _add(url, "ana")
    duplicate = _add(url, "ANA", check=False)
    assert duplicate.returncode == 2
    assert "Ya existe una cuenta con el nombre de usuario «ana»" in duplicate.stderr
    short = _add(url, "luis", password="corta", check=False)
    assert short.returncode == 2 and "al menos 10 caracteres" in short.stderr
    role = _add(url, "luis", "--role", "jefe", check=False)
    assert role.returncode == 2 and "no es un rol" in role.stderr and "administrador" in role.stderr
    assert [a["usuario"] for a in json.loads(run_sit("user", "list", "--json", url=url).stdout)] == ["ana"]


def test_check_says_how_to_create_the_first_administrator_until_there_is_one(url):
    empty = run_sit("user", "check", url=url)
    assert "sit user add admin --role administrador" in empty.stdout
    assert "no hay contraseñas por defecto" in empty.stdout
    assert "sit user add admin" in run_sit("user", "list", url=url).stdout
    _add(url, "admin", "--role", "administrador", "--name", "Administradora")
    assert run_sit("user", "check", url=url).stdout == ""


def test_passwd_disable_and_enable(url):
    _add(url, "admin", "--role", "administrador", "--name", "Administradora")
    _add(url, "ana")
    reset = _passwd(url, input="otra clave secreta\n")
    assert "restablecida" in reset.stdout and "otra clave secreta" not in reset.stdout + reset.stderr
    own = _passwd(url, "--current", input="otra clave secreta\nla tercera clave\n")
    assert "cambiada" in own.stdout
    wrong = _passwd(url, "--current", input="no es esta\nla cuarta clave\n", check=False)
    assert wrong.returncode == 2 and "Usuario o contraseña incorrectos" in wrong.stderr
    assert "Cuenta ana desactivada." in run_sit("user", "disable", "ana", url=url).stdout
    assert "desactivada" in run_sit("user", "list", url=url).stdout
    assert "ya estaba desactivada" in run_sit("user", "disable", "ana", url=url).stdout
    last = run_sit("user", "disable", "admin", url=url, check=False)
    assert last.returncode == 2 and "único administrador activo" in last.stderr
    assert "Cuenta ana activada." in run_sit("user", "enable", "ana", url=url).stdout
    missing = run_sit("user", "enable", "nadie", url=url, check=False)
    assert missing.returncode == 2 and "No existe la cuenta «nadie»" in missing.stderr
    audit, _ = _audit_and_hashes(url)
    for secret in ("otra clave secreta", "la tercera clave", "no es esta", "la cuarta clave", "$argon2"):
        assert secret not in audit
    assert "consola: sit user" in audit  # who ran the console commands is on record


def test_typed_passwords_must_match(url):
    # Without --password-stdin and without a terminal, getpass reads the two lines from stdin.
    mismatch = run_sit(
        "user",
        "add",
        "ana",
        "--role",
        "secplac",
        "--name",
        "Ana",
        url=url,
        input="una clave larga\notra distinta\n",
        check=False,
    )
    assert mismatch.returncode == 2 and "no coinciden" in mismatch.stderr
    assert "una clave larga" not in mismatch.stdout + mismatch.stderr
