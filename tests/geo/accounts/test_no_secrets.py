"""No password, and no password hash, in the logs, the exports or the audit log.

Every operation on a password runs for real on a committed sibling database (the console
reads it from another process): an account created from the console and one from the
library, logins that succeed and fail, an administrator's reset, a person's own change.
Then every log record (DEBUG and up), the activity download, ``sit activity --json``,
``sit user list --json`` and every audit row are searched for each password typed and for
an argon2 hash.
"""

from __future__ import annotations

import io
import logging
import zipfile

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text

from geo.accounts.login import LoginRefused, authenticate, change_own_password
from geo.accounts.users import create_user, reset_password
from geo.activity.log import ActivityFilter, activity_rows
from geo.activity.tables import activity_xlsx
from geo.store.actor import Actor
from tests.conftest import run_sit, set_up_database

FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
FIRST, WRONG, RESET, OWN, CONSOLE = (
    "primera-Clave-9137",
    "equivocada-Clave-2281",
    "restablecida-Clave-5521",
    "propia-Clave-7702",
    "consola-Clave-3349",
)
SECRETS = (FIRST, WRONG, RESET, OWN, CONSOLE, "$argon2")


def leaks(where: str) -> list[str]:
    return [s for s in SECRETS if s in where]


@pytest.fixture(scope="module")
def url():
    return set_up_database("no_secrets")


def test_no_password_or_hash_in_logs_exports_or_the_audit_log(url, caplog):
    engine = create_engine(url)
    admin = Actor.system("pruebas automáticas")
    caplog.set_level(logging.DEBUG)
    try:
        out = run_sit(
            "-v", "user", "add", "cconsola", "--role", "concejo", "--name", "Carla Consola",
            "--password-stdin", url=url, input=CONSOLE + "\n",
        )  # fmt: skip
        create_user(engine, admin, "mperez", "María Pérez", "secplac", FIRST, hasher=FAST)
        authenticate(engine, "mperez", FIRST, hasher=FAST)
        with pytest.raises(LoginRefused):
            authenticate(engine, "mperez", WRONG, hasher=FAST)
        with pytest.raises(LoginRefused):
            authenticate(engine, "nadie", WRONG, hasher=FAST)
        reset_password(engine, admin, "mperez", RESET, hasher=FAST)
        change_own_password(engine, "mperez", RESET, OWN, hasher=FAST)
        authenticate(engine, "cconsola", CONSOLE, hasher=FAST)

        # The operations happened (the hash is there, where it belongs) ...
        with engine.connect() as conn:
            stored = conn.execute(
                text("SELECT password_hash FROM app_user WHERE username = 'mperez'")
            ).scalar()
            audit = conn.execute(text("SELECT user_name, action, details::text FROM audit_log")).all()
            rows = activity_rows(conn, ActivityFilter(kind="app_user"))
        assert stored.startswith("$argon2id$")
        actions = {a.action for a in audit}
        assert {"crear_usuario", "inicio_sesion", "inicio_sesion_fallido"} <= actions
        assert {"restablecer_contrasena", "cambiar_contrasena"} <= actions

        # ... and it is nowhere else.
        logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
        assert caplog.records and leaks(logged) == []
        assert leaks(out.stdout + out.stderr) == []
        assert leaks("\n".join(" ".join(map(str, a)) for a in audit)) == []
        changed = [r for r in rows if r["action"] in ("restablecer_contrasena", "cambiar_contrasena")]
        assert len(changed) == 2 and all("Contraseña: cambiada" in r["notes"] for r in changed)
        with zipfile.ZipFile(io.BytesIO(activity_xlsx(rows))) as book:
            sheets = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
        assert "mperez" in sheets and leaks(sheets) == []
        for args in (("activity", "--json"), ("user", "list", "--json")):
            shown = run_sit(*args, url=url).stdout
            assert "mperez" in shown and leaks(shown) == []
    finally:
        engine.dispose()
