"""``sit taller``: workshops from the console (create, list, close, needs).

One function per sub-command. ``sit taller create`` prints only the new workshop's id on
standard output, so a script can capture it. Writes go through :mod:`geo.store.workshops`
as the console's actor (the operating-system user, or the account of ``sit --user``, whose
role must allow workshops).
"""

from __future__ import annotations

import argparse
import logging
from typing import Any

from geo.cli import taller_papers
from geo.cli.common import actor, engine, indented_json

log = logging.getLogger(__name__)


def _facilitator(conn: Any, written: str | None) -> tuple[int | None, str | None]:
    """An account's username gives its id; any other text is kept as the typed name."""
    from sqlalchemy import text

    if not written or not written.strip():
        return None, None
    found = conn.execute(
        text("SELECT id FROM app_user WHERE lower(username) = lower(:u) AND active"), {"u": written.strip()}
    ).scalar()
    return (found, None) if found is not None else (None, written)


def cmd_create(args: argparse.Namespace) -> int:
    """Create a workshop; print its id alone."""
    from geo.store.workshops import WorkshopValues, create_workshop
    from geo.workshops.queries import find_workshop_territories

    eng = engine()
    with eng.connect() as conn:
        territory_ids = find_workshop_territories(conn, args.territory)
        facilitator_id, facilitator_name = _facilitator(conn, args.facilitator)
    values = WorkshopValues(
        held_on=args.date,
        place=args.place,
        territory_ids=territory_ids,
        facilitator_id=facilitator_id,
        facilitator_name=facilitator_name,
        attendance_total=args.attendance,
        organisations=args.organisations,
    )
    print(create_workshop(eng, actor(args), values))
    return 0


def _listed(w: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": w["id"],
        "fecha": w["held_on"].isoformat(),
        "lugar": w["place"],
        "estado": w["state"],
        "facilitador": w["facilitator"],
        "territorios": w["territories"],
        "asistencia": w["attendance_total"],
        "necesidades": w["needs"],
        "pendientes": w["pending"],
        "version": w["version"],
    }


def cmd_list(args: argparse.Namespace) -> int:
    """Print every workshop, newest first (or JSON)."""
    from geo.workshops.queries import workshop_list

    with engine().connect() as conn:
        rows = [_listed(w) for w in workshop_list(conn)]
    if args.json:
        print(indented_json(rows))
        return 0
    if not rows:
        print("No hay talleres registrados.")
        return 0
    for r in rows:
        day = f"{r['fecha'][8:10]}-{r['fecha'][5:7]}-{r['fecha'][0:4]}"
        print(
            f"{r['id']:>4}  {day}  {r['estado']:<8}  {r['lugar']}  ({', '.join(r['territorios'])})  "
            f"{r['necesidades']} necesidad(es)"
        )
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    """Close a workshop (with its closing report, when given)."""
    from geo.store.workshops import close_workshop

    close_workshop(engine(), actor(args), args.id, closing_report=args.report)
    print(f"Taller {args.id} cerrado: ya no recibe necesidades nuevas.")
    return 0


def cmd_needs(args: argparse.Namespace) -> int:
    """Print a workshop's needs (JSON: with their GeoJSON geometry)."""
    from geo.errors import DataError
    from geo.workshops.queries import workshop_detail, workshop_needs

    with engine().connect() as conn:
        if workshop_detail(conn, args.id) is None:
            raise DataError(f"El taller n.º {args.id} no existe.")
        needs = workshop_needs(conn, args.id, include_merged=args.all, include_rejected=args.all)
    rows = [
        {
            "id": n["id"],
            "tipo": n["kind"],
            "estrategia": n["strategy_code"],
            "texto": n["text"],
            "votos": n["votes"],
            "estado": n["state"],
            "origen": n["origin"],
            "fusionada_en": n["merged_into_id"],
            "territorio": n["territory"],
            "iniciativas": n["initiatives"],
            "geometria": n["geometry"],
        }
        for n in needs
    ]
    if args.json:
        print(indented_json(rows))
        return 0
    for r in rows:
        print(
            f"{r['id']:>5}  {r['tipo']:<9}  {r['estrategia'] or 'otra':<5}  "
            f"{r['votos']:>3} votos  {r['texto']}"
        )
    if not rows:
        print("El taller no tiene necesidades registradas.")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Register ``sit taller`` and its sub-commands."""
    parser = sub.add_parser("taller", help="talleres participativos: crear, listar, cerrar, necesidades")
    taller = parser.add_subparsers(dest="taller_command", required=True)

    create = taller.add_parser("create", help="crear un taller (imprime solo su número)")
    create.add_argument("--date", required=True, metavar="FECHA", help="dd-mm-aaaa o aaaa-mm-dd")
    create.add_argument(
        "--territory",
        required=True,
        action="append",
        metavar="TERRITORIO",
        help="«UV 05» o una localidad («Domeyko»); repítalo para varios",
    )
    create.add_argument("--place", required=True, metavar="LUGAR", help="sede, escuela...")
    create.add_argument(
        "--facilitator", metavar="NOMBRE", help="usuario de una cuenta, o el nombre de quien facilita"
    )
    create.add_argument("--attendance", metavar="N", help="asistencia total, si se conoce")
    create.add_argument("--organisations", metavar="TEXTO", help="organizaciones presentes")
    create.set_defaults(func=cmd_create)

    listing = taller.add_parser("list", help="listar los talleres, el más reciente primero")
    listing.add_argument("--json", action="store_true", help="salida JSON")
    listing.set_defaults(func=cmd_list)

    close = taller.add_parser("close", help="cerrar un taller (no recibe más necesidades)")
    close.add_argument("id", type=int, metavar="ID")
    close.add_argument("--report", metavar="TEXTO", help="informe de cierre")
    close.set_defaults(func=cmd_close)

    needs = taller.add_parser("needs", help="necesidades de un taller")
    needs.add_argument("id", type=int, metavar="ID")
    needs.add_argument("--json", action="store_true", help="salida JSON, con la geometría (GeoJSON)")
    needs.add_argument("--all", action="store_true", help="incluir las fusionadas y las rechazadas")
    needs.set_defaults(func=cmd_needs)
    taller_papers.register(taller)  # kit, plantilla, importar, acta, participacion
