"""``sit initiative archive|restore|history``: the editor's lifecycle operations from the console."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from sqlalchemy import Connection, Row, text

from geo.cli.common import actor, engine
from geo.errors import DataError

log = logging.getLogger(__name__)


def _find(conn: Connection, code: str) -> Row[Any]:
    row = conn.execute(
        text("SELECT id, code, name, version, archived_at FROM initiative WHERE code = :c"), {"c": code}
    ).first()
    if row is None:
        raise DataError(f"No existe una iniciativa con código «{code}».")
    return row


def cmd_archive(args: argparse.Namespace) -> int:
    """Archive (or restore) an initiative; nothing is deleted."""
    from geo.store.initiatives import set_archived

    archive = args.initiative_command == "archive"
    eng = engine()
    with eng.connect() as conn:
        row = _find(conn, args.code)
    result = set_archived(eng, actor(args), row.id, archive, row.version, getattr(args, "reason", None))
    what = "archivada (sale de mapas, conteos y exportaciones)" if archive else "restaurada"
    print(f"Iniciativa {row.code} {what}; versión {result.version}.")
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """Every change of an initiative: who, when, and each field's before and after."""
    from geo.initiatives.read import change_history

    with engine().connect() as conn:
        row = _find(conn, args.code)
        rows = change_history(conn, row.id)
    state = " (archivada)" if row.archived_at else ""
    print(f"Historial de {row.code} · {row.name}{state}:")
    for h in rows:
        print(f"  {h['when']}  {h['action']} por {h['by']} ({h['via'] or '—'})")
        for line in h["lines"]:
            print(f"      {line}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Register ``sit initiative``."""
    ini = sub.add_parser("initiative", help="archivar, restaurar o ver el historial de una iniciativa")
    cmds = ini.add_subparsers(dest="initiative_command", required=True)
    ar = cmds.add_parser("archive", help="archivar (no se borra; sale de mapas, conteos y exportaciones)")
    ar.add_argument("code", help="código de la iniciativa")
    ar.add_argument("--reason", help="motivo (queda en el historial)")
    ar.set_defaults(func=cmd_archive)
    re_ = cmds.add_parser("restore", help="restaurar una iniciativa archivada")
    re_.add_argument("code", help="código de la iniciativa")
    re_.set_defaults(func=cmd_archive)
    hi = cmds.add_parser("history", help="historial de cambios (quién, cuándo, antes y después)")
    hi.add_argument("code", help="código de la iniciativa")
    hi.set_defaults(func=cmd_history)
