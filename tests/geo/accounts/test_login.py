"""Logging in: the right password, the lockout, the same refusal for everyone, the rehash."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from geo.accounts.login import LOCK_MINUTES, REFUSED, LoginRefused, authenticate, change_own_password
from geo.accounts.users import create_user, reset_password, set_active
from geo.errors import DataError
from tests.support.actors import TESTER

# Cheap parameters keep the tests quick; the rehash test uses the real defaults.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "correcto caballo 42"


class CountingHasher(PasswordHasher):
    """A real argon2 hasher that counts how many passwords it checked."""

    checks = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
        type(self).checks += 1
        return super().verify(hash, password)


@pytest.fixture
def ana(conn):
    return create_user(conn, TESTER, "Ana", "Ana Pérez", "secplac", PASSWORD, unit="SECPLAC", hasher=FAST)


def _refusal(conn, username, password, **kw) -> LoginRefused:
    with pytest.raises(LoginRefused) as exc:
        authenticate(conn, username, password, hasher=FAST, **kw)
    return exc.value


def test_the_right_password_logs_in_with_any_case_of_the_username(conn, ana):
    account = authenticate(conn, "  ANA ", PASSWORD, hasher=FAST)
    assert (account.username, account.full_name, account.role, account.unit) == (
        "ana",
        "Ana Pérez",
        "secplac",
        "SECPLAC",
    )
    assert account.active and account.failed_attempts == 0


def test_unknown_user_and_wrong_password_get_the_same_message_and_one_argon2_check_each(conn, ana):
    hasher = CountingHasher(time_cost=1, memory_cost=8, parallelism=1)
    messages = []
    for username, password in (("nadie", PASSWORD), ("ana", "equivocada123")):
        CountingHasher.checks = 0
        with pytest.raises(LoginRefused) as exc:
            authenticate(conn, username, password, hasher=hasher)
        assert CountingHasher.checks == 1, username  # an unknown name costs a full check too
        messages.append(str(exc.value))
    assert messages == [REFUSED, REFUSED]
    assert "existe" not in REFUSED


def test_five_failures_lock_the_account_for_15_minutes_even_for_the_right_password(conn, ana):
    t0 = datetime.now(UTC)
    for i in range(5):
        assert _refusal(conn, "ana", f"mala-{i}-clave", now=t0 + timedelta(seconds=i)).reason == "password"
    sixth = _refusal(conn, "ana", PASSWORD, now=t0 + timedelta(minutes=1))
    assert str(sixth) == REFUSED and sixth.reason == "locked"
    _refusal(conn, "ana", PASSWORD, now=t0 + timedelta(minutes=LOCK_MINUTES - 1))
    # Once the 15 minutes are over, the right password opens it and clears the count.
    account = authenticate(
        conn, "ana", PASSWORD, now=t0 + timedelta(minutes=LOCK_MINUTES, seconds=5), hasher=FAST
    )
    assert account.failed_attempts == 0 and account.locked_until is None
    actions = (
        conn.execute(
            text("SELECT action FROM audit_log WHERE table_name = 'app_user' AND row_id = :r ORDER BY id"),
            {"r": str(ana.id)},
        )
        .scalars()
        .all()
    )
    assert actions == ["crear_usuario"] + ["inicio_sesion_fallido"] * 4 + [
        "cuenta_bloqueada",
        "inicio_sesion",
    ]


def test_a_success_resets_the_count_of_failures(conn, ana):
    for _ in range(4):
        _refusal(conn, "ana", "no-es-esta-clave")
    authenticate(conn, "ana", PASSWORD, hasher=FAST)
    for _ in range(4):
        _refusal(conn, "ana", "no-es-esta-clave")
    assert authenticate(conn, "ana", PASSWORD, hasher=FAST).username == "ana"


def test_a_login_redoes_a_hash_made_with_older_parameters(conn, ana):
    before = conn.execute(
        text("SELECT password_hash FROM app_user WHERE id = :i"), {"i": ana.id}
    ).scalar_one()
    assert "m=8,t=1,p=1" in before
    authenticate(conn, "ana", PASSWORD)  # today's (default) parameters
    after = conn.execute(text("SELECT password_hash FROM app_user WHERE id = :i"), {"i": ana.id}).scalar_one()
    assert (
        after != before
        and after.startswith("$argon2id$")
        and PasswordHasher().check_needs_rehash(after) is False
    )
    assert authenticate(conn, "ana", PASSWORD).version == ana.version  # a login is no edit: no conflict


def test_a_disabled_account_cannot_log_in_until_enabled(conn, ana):
    create_user(conn, TESTER, "admin", "Administradora", "administrador", "otra clave larga", hasher=FAST)
    assert set_active(conn, TESTER, "ana", False)
    refused = _refusal(conn, "ana", PASSWORD)
    assert str(refused) == REFUSED and refused.reason == "disabled"
    assert set_active(conn, TESTER, "ana", True)
    assert authenticate(conn, "ana", PASSWORD, hasher=FAST).active


def test_the_last_active_administrator_cannot_be_disabled(conn):
    create_user(conn, TESTER, "jefa", "Jefa", "administrador", "clave de la jefa", hasher=FAST)
    with pytest.raises(DataError, match="único administrador activo"):
        set_active(conn, TESTER, "jefa", False)


def test_own_change_needs_the_current_password_and_an_admin_reset_clears_a_lock(conn, ana):
    with pytest.raises(LoginRefused):
        change_own_password(conn, "ana", "no-es-la-actual", "nueva clave segura", hasher=FAST)
    change_own_password(conn, "ana", PASSWORD, "nueva clave segura", hasher=FAST)
    _refusal(conn, "ana", PASSWORD)
    for _ in range(5):
        _refusal(conn, "ana", "tampoco-es-esta")
    assert _refusal(conn, "ana", "nueva clave segura").reason == "locked"
    reset = reset_password(conn, TESTER, "ana", "clave del administrador", hasher=FAST)
    assert reset.locked_until is None and reset.password_changed_at is not None
    assert authenticate(conn, "ana", "clave del administrador", hasher=FAST).username == "ana"


def test_no_password_or_hash_reaches_the_audit_log_or_the_logs(conn, caplog):
    caplog.set_level(logging.DEBUG)
    secrets = ["primera clave secreta", "segunda clave secreta", "tercera clave secreta"]
    create_user(conn, TESTER, "luis", "Luis Rojas", "facilitador", secrets[0], hasher=FAST)
    authenticate(conn, "luis", secrets[0], hasher=FAST)
    _refusal(conn, "luis", "intento equivocado")
    _refusal(conn, "nadie", "intento de nadie")
    change_own_password(conn, "luis", secrets[0], secrets[1], hasher=FAST)
    reset_password(conn, TESTER, "luis", secrets[2], hasher=FAST)
    stored_hash = conn.execute(
        text("SELECT password_hash FROM app_user WHERE username = 'luis'")
    ).scalar_one()
    audit = " ".join(
        conn.execute(text("SELECT coalesce(user_name, '') || ' ' || details::text FROM audit_log")).scalars()
    )
    for secret in [*secrets, "intento equivocado", "intento de nadie", stored_hash, "$argon2"]:
        assert secret not in audit
        assert secret not in caplog.text
    assert (
        "cambiar_contrasena"
        in conn.execute(text("SELECT string_agg(action, ' ') FROM audit_log")).scalar_one()
    )
