"""``sit user``: accounts from the console (add, list, passwd, disable, enable, check).

The console acts as the operating-system user (recorded in the audit log). A password is
typed twice without echo, or read from standard input with ``--password-stdin`` (one line;
for scripts). It is never printed, logged or given a default.
"""

from __future__ import annotations

import argparse
import getpass
import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from geo.cli.common import actor, engine, indented_json, stdin_line
from geo.domain import ROLES, format_datetime
from geo.errors import DataError

if TYPE_CHECKING:
    from geo.accounts.users import Account

log = logging.getLogger(__name__)

FIRST_ADMIN_HINT = (
    'sit user add admin --role administrador --name "Nombre Apellido"   '
    "(pide la contraseña dos veces; no hay contraseñas por defecto)"
)


def _new_password(args: argparse.Namespace) -> str:
    """The new password: one line of standard input, or typed twice without echo."""
    if args.password_stdin:
        return stdin_line("la contraseña")
    first = getpass.getpass("Contraseña nueva: ")
    if getpass.getpass("Repita la contraseña nueva: ") != first:
        raise DataError("Las contraseñas no coinciden; no se cambió nada.")
    return first


def cmd_add(args: argparse.Namespace) -> int:
    """Create an account with the password typed (or read from standard input)."""
    from geo.accounts.users import create_user

    password = _new_password(args)
    account = create_user(engine(), actor(args), args.username, args.name, args.role, password, args.unit)
    print(f"Cuenta creada: {account.username} ({account.full_name}, {account.role_label}).")
    return 0


def _state(account: Account, now: datetime) -> str:
    if not account.active:
        return "desactivada"
    if account.is_locked(now):
        return f"bloqueada hasta {format_datetime(account.locked_until)}"
    return "activa"


def cmd_list(args: argparse.Namespace) -> int:
    """Every account: username, name, role, unit, state, last password change (no hash)."""
    from geo.accounts.users import list_accounts

    accounts, now = list_accounts(engine()), datetime.now(UTC)
    rows = [
        {
            "usuario": a.username,
            "nombre": a.full_name,
            "rol": a.role,
            "unidad": a.unit,
            "estado": _state(a, now),
            "contraseña_cambiada": a.password_changed_at.isoformat() if a.password_changed_at else None,
            "versión": a.version,
        }
        for a in accounts
    ]
    if args.json:
        print(indented_json(rows))
        return 0
    if not accounts:
        print("No hay cuentas. Para crear la primera, de administrador:")
        print(f"  {FIRST_ADMIN_HINT}")
        return 0
    print(f"{len(accounts)} cuenta(s):")
    for a, r in zip(accounts, rows, strict=True):
        unit = f", {a.unit}" if a.unit else ""
        changed = format_datetime(a.password_changed_at) if a.password_changed_at else "nunca"
        print(
            f"  {a.username}: {a.full_name} ({a.role_label}{unit}) · {r['estado']} · "
            f"contraseña cambiada: {changed}"
        )
    return 0


def cmd_passwd(args: argparse.Namespace) -> int:
    """Reset someone's password (administrator), or change one's own with ``--current``."""
    from geo.accounts.login import change_own_password
    from geo.accounts.users import require_account, reset_password

    account = require_account(engine(), args.username)
    if args.current:
        current = (
            stdin_line("la contraseña actual")
            if args.password_stdin
            else getpass.getpass("Contraseña actual: ")
        )
        new = _new_password(args)
        change_own_password(engine(), account.username, current, new)
        print(f"Contraseña de {account.username} cambiada.")
        return 0
    new = _new_password(args)
    reset_password(engine(), actor(args), account.username, new)
    print(f"Contraseña de {account.username} restablecida; la cuenta queda desbloqueada.")
    return 0


def _set_active(args: argparse.Namespace, active: bool) -> int:
    from geo.accounts.users import set_active

    changed = set_active(engine(), actor(args), args.username, active)
    word = "activada" if active else "desactivada"
    print(f"Cuenta {args.username.strip().lower()} {word}." if changed else f"La cuenta ya estaba {word}.")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Say how to create the first administrator when there is none (``scripts/run.sh``)."""
    from geo.accounts.users import count_active_administrators

    if count_active_administrators(engine()) == 0:
        print("Aún no hay una cuenta de administrador activa. Créela con:")
        print(f"  {FIRST_ADMIN_HINT}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``user`` and its sub-commands to ``sit``."""
    user = sub.add_parser("user", help="cuentas de usuario").add_subparsers(
        dest="user_command", required=True
    )
    roles = ", ".join(ROLES)

    add = user.add_parser("add", help="crear una cuenta (pide la contraseña dos veces)")
    add.add_argument("username", metavar="USUARIO", help="nombre de usuario (p. ej. mperez)")
    add.add_argument("--role", required=True, metavar="ROL", help=f"rol: {roles}")
    add.add_argument("--name", required=True, metavar="NOMBRE", help="nombre completo")
    add.add_argument("--unit", metavar="UNIDAD", help="unidad municipal (opcional)")
    add.add_argument(
        "--password-stdin", action="store_true", help="leer la contraseña de la entrada estándar (una línea)"
    )
    add.set_defaults(func=cmd_add)

    lst = user.add_parser("list", help="listar las cuentas (sin contraseñas)")
    lst.add_argument("--json", action="store_true", help="salida JSON")
    lst.set_defaults(func=cmd_list)

    pwd = user.add_parser("passwd", help="restablecer la contraseña de una cuenta (o cambiar la propia)")
    pwd.add_argument("username", metavar="USUARIO")
    pwd.add_argument(
        "--current", action="store_true", help="cambiar la propia: pide primero la contraseña actual"
    )
    pwd.add_argument(
        "--password-stdin",
        action="store_true",
        help="leer la contraseña de la entrada estándar (con --current: la actual y la nueva, una por línea)",
    )
    pwd.set_defaults(func=cmd_passwd)

    for name, active, text in (("disable", False, "desactivar"), ("enable", True, "activar")):
        p = user.add_parser(name, help=f"{text} una cuenta")
        p.add_argument("username", metavar="USUARIO")
        p.set_defaults(func=lambda args, active=active: _set_active(args, active))

    chk = user.add_parser("check", help="decir cómo crear el primer administrador si no hay ninguno")
    chk.set_defaults(func=cmd_check)
