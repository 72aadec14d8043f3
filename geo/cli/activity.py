"""``sit activity``: the audit log as the Actividad page lists it, from the console.

The same filters and the same rows as the page (:func:`geo.activity.log.activity_rows`),
newest first; ``--json`` prints them as the page's download would hold them.
"""

from __future__ import annotations

import argparse
import logging
from datetime import date

from geo.activity.labels import OBJECT_KINDS
from geo.cli.common import actor, engine, indented_json
from geo.errors import DataError

log = logging.getLogger(__name__)


def _day(value: str) -> date:
    """``dd-mm-aaaa`` (as the pages show dates) or ``aaaa-mm-dd``."""
    for parse in (lambda v: date(int(v[6:10]), int(v[3:5]), int(v[0:2])), date.fromisoformat):
        try:
            day = parse(value.strip())
        except ValueError:
            continue
        return day
    raise argparse.ArgumentTypeError(f"«{value}» no es una fecha; use dd-mm-aaaa.")


def cmd_activity(args: argparse.Namespace) -> int:
    """Print the audit rows the filters select, newest first (or JSON)."""
    from geo.activity.log import ActivityFilter, activity_rows, parse_object
    from geo.activity.tables import change_line
    from geo.store.permissions import allowed, require

    who = actor(args)
    require(who, "activity")  # ``sit --user`` with a role that may not see it is refused
    kind, ref = parse_object(args.objeto)
    f = ActivityFilter(args.person, args.desde, args.hasta, kind, ref, args.accion)
    with engine().connect() as conn:
        rows = activity_rows(conn, f, limit=args.limit, show_names=allowed(who.role, "names"))
    if args.json:
        print(indented_json(rows))
        return 0
    if not rows:
        print("Sin actividad para esos filtros.")
        return 0
    for r in rows:
        print(f"{r['when']}  {r['who']}  {r['action_label']}  {r['object']}  ({r['via'] or '—'})")
        for c in r["changes"]:
            print(f"      {change_line(c)}")
        for note in r["notes"]:
            print(f"      {note}")
    return 0


def _limit(value: str) -> int:
    n = int(value)
    if n < 1:
        raise DataError("--limit debe ser 1 o más.")
    return n


def register(sub: argparse._SubParsersAction) -> None:
    """Register ``sit activity``."""
    act = sub.add_parser(
        "activity",
        help="actividad: quién cambió qué y cuándo, con los valores de antes y después",
        description="El registro de auditoría, lo más reciente primero (las filas de la página Actividad).",
    )
    act.add_argument("--json", action="store_true", help="salida JSON")
    # dest "person": ``sit --user`` (before the command) names the account that runs it.
    act.add_argument(
        "--user",
        dest="person",
        metavar="U",
        help="usuario de una cuenta, o el nombre escrito en filas sin cuenta",
    )
    act.add_argument("--desde", type=_day, help="desde este día (dd-mm-aaaa), inclusive")
    act.add_argument("--hasta", type=_day, help="hasta este día (dd-mm-aaaa), inclusive")
    act.add_argument(
        "--objeto",
        metavar="TABLA[:ID]",
        help=f"{', '.join(OBJECT_KINDS)}; con :código, nombre, usuario o #n.º, uno solo",
    )
    act.add_argument("--accion", help="una acción (crear_iniciativa, editar_iniciativa, ubicar_sitio, ...)")
    act.add_argument("--limit", type=_limit, help="a lo más estas filas (las más recientes)")
    act.set_defaults(func=cmd_activity)
