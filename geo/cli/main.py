"""The ``sit`` console command: the admin's side of every page operation.

Each sub-command module registers its own parsers; this module only assembles them, logs
in the account of ``--user`` (:func:`geo.cli.common.log_in`) and turns errors into Spanish
messages and exit codes (2: bad input or refused, 3: no database).
"""

from __future__ import annotations

import argparse
import logging
import sys

from sqlalchemy.exc import OperationalError

from geo.cli import (
    activity,
    admin,
    backup,
    coverage,
    evaluation,
    initiatives,
    investment,
    reports,
    sheets,
    taller,
    territories,
    users,
)
from geo.cli.common import log_in
from geo.cli.spanish import name_commands, speak_spanish
from geo.errors import DataError
from geo.settings import get_settings

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser of ``sit``."""
    speak_spanish()
    parser = argparse.ArgumentParser(
        prog="sit", description="SIT PLADECO Vallenar: administración (usa DATABASE_URL)."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="registro detallado")
    parser.add_argument(
        "--user",
        metavar="USUARIO",
        help="actuar como esta cuenta (pide su contraseña; rige su rol y queda en la auditoría); "
        "sin ella, actúa el usuario del sistema operativo",
    )
    parser.add_argument(
        "--password-stdin",
        dest="user_password_stdin",
        action="store_true",
        help="con --user: leer la contraseña de la cuenta de la primera línea de la entrada estándar",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    admin.register(sub)
    imp = sub.add_parser("import", help="importar iniciativas o capas oficiales").add_subparsers(
        dest="import_command", required=True
    )
    sheets.register(sub, imp)
    territories.register(imp)
    territories.register_reference(imp)
    coverage.register(sub)
    investment.register(sub)
    reports.register(sub)
    initiatives.register(sub)
    territories.register_sites(sub)
    backup.register(sub)
    users.register(sub)
    activity.register(sub)
    taller.register(sub)
    evaluation.register(sub)
    name_commands(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``sit`` command."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    try:
        log_in(args.user, args.user_password_stdin)
        return args.func(args)
    except DataError as exc:
        # The person gets the Spanish message; the traceback is there for a maintainer (-v).
        log.info("refused: %s", exc, exc_info=True)
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        log.info("database unreachable", exc_info=True)
        from geo.schema.backup import describe  # alembic: not for every command

        # The database by name and server only: the URL may carry a password.
        where = describe(get_settings().database_url)
        print(
            f"Error: no se pudo conectar a la base de datos ({where}): {exc.orig}",
            file=sys.stderr,
        )
        return 3


if __name__ == "__main__":
    sys.exit(main())
