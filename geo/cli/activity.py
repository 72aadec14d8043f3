"""``sit activity``: the audit log as the Actividad page lists it, from the console."""

from __future__ import annotations

import argparse
import logging

from geo.cli.common import engine, indented_json

log = logging.getLogger(__name__)


def cmd_activity(args: argparse.Namespace) -> int:
    """Print the newest audit rows (or JSON)."""
    from geo.activity import latest_activity
    from geo.domain import format_datetime

    with engine().connect() as conn:
        rows = latest_activity(conn, limit=args.limit)
    if args.json:
        print(indented_json([{**r, "at": r["at"].isoformat()} for r in rows]))
        return 0
    for r in rows:
        what = f"{r['table_name'] or ''} {r['row_id'] or ''}".strip()
        print(f"{format_datetime(r['at'])}  {r['who']}  {r['action']}  {what}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Register ``sit activity``."""
    act = sub.add_parser("activity", help="actividad: quién cambió qué y cuándo (registro de auditoría)")
    act.add_argument("--json", action="store_true", help="salida JSON")
    act.add_argument("--limit", type=int, default=50, help="cuántas filas (las más recientes)")
    act.set_defaults(func=cmd_activity)
