"""Accounts for the AppTest pages: one per role, committed to the test database for a module.

The pages write as the account logged in (``ui.auth``), and the router checks that account
against the database on every run, so the accounts exist for real while a module runs and
are removed afterwards (with the audit rows that name them), leaving the database as the
other tests expect it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from argon2 import PasswordHasher
from sqlalchemy import text

from geo.accounts.users import Account, create_user
from geo.store.actor import Actor
from tests.conftest import app_test
from ui import auth

#: role -> (username, full name, password) of the page tests' accounts.
PAGE_ACCOUNTS = {
    "administrador": ("apptest-admin", "Alicia Administradora", "clave-admin-2026"),
    "secplac": ("apptest-ana", "Ana Rojas", "clave-secplac-2026"),
    "facilitador": ("apptest-fede", "Federico Facilitador", "clave-taller-2026"),
    "concejo": ("apptest-concejal", "Carmen Concejal", "clave-concejo-2026"),
}
#: Cheap hashes: these tests are about pages, not about argon2's cost.
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(scope="module")
def accounts(engine) -> dict[str, Account]:
    actor = Actor.system("pruebas automáticas")
    made = {
        role: create_user(engine, actor, username, name, role, password, hasher=FAST)
        for role, (username, name, password) in PAGE_ACCOUNTS.items()
    }
    yield made
    ids = [a.id for a in made.values()]
    with engine.begin() as conn:
        conn.execute(
            text("UPDATE status_history SET changed_by_id = NULL WHERE changed_by_id = ANY(:i)"), {"i": ids}
        )
        conn.execute(text("DELETE FROM audit_log WHERE user_id = ANY(:i)"), {"i": ids})
        conn.execute(
            text("DELETE FROM audit_log WHERE table_name = 'app_user' AND row_id = ANY(:i)"),
            {"i": [str(i) for i in ids]},
        )
        conn.execute(text("DELETE FROM app_user WHERE id = ANY(:i)"), {"i": ids})


@contextmanager
def app_as(monkeypatch, account: Account | None, page: str | None = None, timeout: float = 60) -> Iterator:
    """The whole app (router included) with ``account`` logged in (None: nobody), optionally
    opened at ``page`` through the router, as a person clicks it in the sidebar."""
    with app_test(monkeypatch, timeout=timeout) as at:
        if account is not None:
            at.session_state[auth.SESSION_KEY] = auth.SignedIn.of(account)
            at.session_state[auth.SEEN_KEY] = auth.clock()
        at.run()
        if page:
            at.switch_page(page).run()
        yield at
