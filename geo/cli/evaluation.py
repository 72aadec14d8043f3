"""``sit cut`` and ``sit evaluation``: evaluation cuts and the PLADECO's evaluation (issue 13).

``sit cut create`` prints only the new cut's id on standard output, so a script can capture
it. Writes go through :mod:`geo.store.evaluation` as the console's actor (the operating-system
user, or the account of ``sit --user``, whose role must allow ``evaluation``).
"""

from __future__ import annotations

import argparse
import logging

from geo.cli.common import actor, engine, indented_json, print_section
from geo.domain import CUT_STATES, status_label
from geo.investment.labels import money

log = logging.getLogger(__name__)


def cmd_create(args: argparse.Namespace) -> int:
    """Create a cut (borrador); print its id alone."""
    from geo.store.evaluation import create_cut

    print(create_cut(engine(), actor(args), args.date, args.note, with_demo=args.with_demo))
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    """Close a cut: freeze the live data into it."""
    from geo.store.evaluation import close_cut

    frozen = close_cut(engine(), actor(args), args.id)
    print(f"Corte n.º {args.id} cerrado: {frozen} iniciativas congeladas. Ya no cambia.")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    """Print every cut, newest date first (or JSON)."""
    from geo.evaluation.cuts import list_cuts

    with engine().connect() as conn:
        rows = list_cuts(conn)
    if args.json:
        print(indented_json(rows))
        return 0
    if not rows:
        print("No hay cortes de evaluación.")
        return 0
    for r in rows:
        closed = f", cerrado por {r['closed_by']}" if r["closed_by"] else ""
        print(
            f"{r['id']}: estado al {r['cut_date']} ({CUT_STATES[r['state']]}{closed}), "
            f"{r['initiatives']} iniciativas"
        )
    return 0


def _pct(value: float | None, unknown: str) -> str:
    return unknown if value is None else f"{value:.1f} %".replace(".", ",")


def cmd_evaluation(args: argparse.Namespace) -> int:
    """Print the evaluation of the live data or of a closed cut (or JSON)."""
    from geo.evaluation.report import evaluation

    with engine().connect() as conn:
        data = evaluation(conn, args.cut, with_demo=args.demo).as_json()
    if args.json:
        print(indented_json(data))
        return 0
    print(f"Evaluación del PLADECO: {data['source']['label']}")
    lines = []
    for s in [{"code": "PLADECO", "name": "Total", **data["summary"]}, *data["strategies"]]:
        lines.append(
            f"{s['code']} {s['name']}: avance físico {_pct(s['physical_pct'], 'sin datos')}, "
            f"financiero {_pct(s['financial_pct'], 'sin montos informados')}, "
            f"{s['included']} incluidas, {s['excluded_total']} excluidas"
        )
    print_section("Por estrategia:", lines)
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Print what changed between two closed cuts (or JSON)."""
    from geo.evaluation.cuts import OUTCOMES, compare
    from geo.evaluation.report import uv_territories

    with engine().connect() as conn:
        diff = compare(conn, args.a, args.b, uv_territories(conn))
    if args.json:
        print(indented_json(diff))
        return 0
    print(f"Cortes n.º {args.a} → n.º {args.b}:")
    for key, label in OUTCOMES.items():
        print(f"  {label}: {diff['counts'][key]}")
    print(f"  Reformuladas (estrategia o territorios): {diff['rescoped']}")
    print_section(
        "Diferencia de inversión programada por estrategia:",
        [f"{r['strategy']}: {money(r['planned_diff'])}" for r in diff["by_strategy"]],
    )
    changed = [
        f"{r['code']}: {status_label(r['status_a'])} → {status_label(r['status_b'])}"
        for r in diff["initiatives"]
        if r["outcome"] not in ("estancada", "terminada")
    ]
    print_section("Iniciativas que cambiaron:", changed)
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Register ``sit cut`` (create, close, list, compare) and ``sit evaluation``."""
    cut = sub.add_parser("cut", help="cortes de evaluación del PLADECO («estado al 31-12»)").add_subparsers(
        dest="cut_command", required=True
    )
    create = cut.add_parser("create", help="crear un corte (borrador); imprime solo su número")
    create.add_argument("--date", required=True, metavar="FECHA", help="dd-mm-aaaa o aaaa-mm-dd")
    create.add_argument("--note", metavar="TEXTO", help="nota del corte")
    create.add_argument("--with-demo", action="store_true", help="congelar también los datos de demostración")
    create.set_defaults(func=cmd_create)

    close = cut.add_parser("close", help="cerrar un corte: congela los datos vigentes; ya no cambia")
    close.add_argument("id", type=int, metavar="ID")
    close.set_defaults(func=cmd_close)

    listing = cut.add_parser("list", help="listar los cortes, el más reciente primero")
    listing.add_argument("--json", action="store_true", help="salida JSON")
    listing.set_defaults(func=cmd_list)

    comparing = cut.add_parser("compare", help="comparar dos cortes cerrados")
    comparing.add_argument("a", type=int, metavar="A", help="el corte anterior")
    comparing.add_argument("b", type=int, metavar="B", help="el corte posterior")
    comparing.add_argument("--json", action="store_true", help="salida JSON")
    comparing.set_defaults(func=cmd_compare)

    ev = sub.add_parser("evaluation", help="evaluación del PLADECO: avance físico, financiero, territorial")
    ev.add_argument("--cut", type=int, metavar="ID", help="un corte cerrado (sin él: los datos vigentes)")
    ev.add_argument("--demo", action="store_true", help="incluir los datos de demostración (datos vigentes)")
    ev.add_argument("--json", action="store_true", help="salida JSON")
    ev.set_defaults(func=cmd_evaluation)
