"""What every ``sit`` sub-command shares: the engine, the actor, printing helpers.

Who acts: the operating-system user running ``sit`` (:meth:`Actor.console`, role
``sistema``), or, with the global option ``--user``, the account that proved its password
(:func:`log_in`). The audit log then records the account and, in ``via``, the command and
the operating-system user; the account's role decides what the command may change
(:mod:`geo.store.permissions`, checked by the write path itself).
"""

from __future__ import annotations

import argparse
import getpass
import logging
import sys
from typing import TYPE_CHECKING, Any

import orjson
from sqlalchemy import Engine

from geo.db import get_engine
from geo.errors import DataError
from geo.settings import get_settings
from geo.store.actor import Actor

if TYPE_CHECKING:
    from geo.accounts.users import Account

log = logging.getLogger(__name__)

#: The account of ``--user`` once its password was checked; None: the operating-system user.
#: One person per process, so sub-commands that build their own arguments (``sit setup``)
#: act under it too.
_logged_in: Account | None = None


def engine() -> Engine:
    """The engine of the configured database (one per process)."""
    return get_engine(get_settings().database_url)


def admin_engine() -> Engine:
    """The same database as the owning role, without a statement timeout, for long loads.

    ``sit setup``, ``sit load`` and ``sit demo`` rewrite whole tables and recompute every
    link in a few statements (longer than the timeout on a large portfolio); the app and
    the other commands keep it. Migrations use their own engines (no timeout either).
    """
    return get_engine(get_settings().migrations_url, statement_timeout_ms=0)


def stdin_line(what: str, option: str = "--password-stdin") -> str:
    """One line of standard input (without its line break); a Spanish error when there is none."""
    line = sys.stdin.readline()
    if not line:
        raise DataError(f"No llegó {what} por la entrada estándar ({option}).")
    return line.rstrip("\r\n")


def log_in(username: str | None, password_stdin: bool) -> None:
    """Act as the account ``username`` (``--user``) after checking its password; None: the OS user.

    The password is typed without echo, or read as the first line of standard input with
    ``--password-stdin``. It is checked by :func:`geo.accounts.login.authenticate`: a failure
    counts toward the lock, and the message never says whether the account exists.
    """
    global _logged_in
    _logged_in = None
    if username is None:
        if password_stdin:
            raise DataError(
                "--password-stdin antes del comando va con --user USUARIO (la contraseña de esa cuenta)."
            )
        return
    from geo.accounts.login import authenticate

    if password_stdin:
        password = stdin_line("la contraseña de la cuenta", "--user con --password-stdin")
    else:
        password = getpass.getpass(f"Contraseña de {username.strip()}: ")
    _logged_in = authenticate(engine(), username, password)
    log.info("console acting as account %s", _logged_in.id)


def actor(args: argparse.Namespace) -> Actor:
    """Who runs the command, recorded with the command's name.

    The operating-system user, or the account of ``--user`` with its role; then ``via``
    names the operating-system user too ("consola: sit import (usuario del sistema: ana)").
    """
    console = Actor.console(f"consola: sit {getattr(args, 'command', '') or ''}".rstrip())
    if _logged_in is None:
        return console
    account = _logged_in
    via = f"{console.via} (usuario del sistema: {console.name})"
    return Actor.account(account.id, account.full_name, account.role, via)


def print_counts(title: str, counts: dict[str, int], notes: list[str]) -> None:
    """A title, one ``key: value`` line per count, then the notes."""
    print(title)
    for key, value in counts.items():
        print(f"  {key}: {value}")
    for note in notes:
        print(f"  {note}")


def print_section(title: str, lines: list[str], limit: int = 50, more_hint: str | None = "") -> None:
    """Print ``title`` and at most ``limit`` lines, then how many were left out.

    ``more_hint`` ends that last line; None leaves it out.
    """
    if not lines:
        return
    print(title)
    for line in lines[:limit]:
        print(f"  {line}")
    if more_hint is not None and len(lines) > limit:
        print(f"  … y {len(lines) - limit} más{more_hint}")


def indented_json(data: Any) -> str:
    """``data`` as JSON indented by two spaces, UTF-8 text unescaped (orjson).

    The same text as ``json.dumps(data, ensure_ascii=False, indent=2)`` but for two things
    no reader tells apart: a number below 1e-4 may be written in full (``0.00001``, not
    ``1e-05``), and a NaN or an infinity is written ``null`` (JSON's unknown value; the
    standard library writes ``NaN``, which strict parsers such as ``jq`` and browsers refuse).
    Keys that are not strings are written as ``json`` writes them. orjson encodes the ~60,000
    cells of a national ``sit coverage --json`` (57 MB) in 0.1 s, the standard library's
    indented encoder in 1.6 s.
    """
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode()
