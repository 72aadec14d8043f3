"""``sit taller kit``, ``plantilla``, ``importar``, ``acta`` and ``participacion``: the workshop's papers.

Registered under ``sit taller`` by :mod:`geo.cli.taller` (:func:`register`). The kit and the
acta are PDFs (:mod:`geo.reports.kit`, :mod:`geo.reports.acta`), the template and its
import the capture spreadsheet (:mod:`geo.workshops.capture`, the same preview and messages
as the page), and ``participacion`` opens or closes residents' phone participation
(:mod:`geo.store.participation`).
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from geo.cli.common import actor, engine
from geo.errors import DataError

log = logging.getLogger(__name__)


def _out(path: str) -> Path:
    out = Path(path)
    if not out.parent.is_dir():
        raise DataError(f"No existe la carpeta de «{out}».")
    return out


def _seconds(started: float) -> str:
    return f"{time.perf_counter() - started:.1f}".replace(".", ",")


def cmd_kit(args: argparse.Namespace) -> int:
    """Write the kit (A3 map with grid + A4 capture sheet) of a workshop for one territory."""
    from geo.reports.kit import kit_pdf

    out, started = _out(args.out), time.perf_counter()
    with engine().connect() as conn:
        pdf = kit_pdf(conn, args.workshop, args.territory)
    out.write_bytes(pdf)
    print(
        f"Kit del taller {args.workshop}, hoja {args.territory.strip()}: {out} "
        f"(2 páginas, {_seconds(started)} s)."
    )
    return 0


def cmd_template(args: argparse.Namespace) -> int:
    """Write the capture spreadsheet template of a workshop for one territory."""
    from geo.workshops.capture import capture_template

    out = _out(args.out)
    with engine().connect() as conn:
        out.write_bytes(capture_template(conn, args.workshop, args.territory))
    print(f"Plantilla de captura del taller {args.workshop}, hoja {args.territory.strip()}: {out}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Preview a filled capture spreadsheet; with ``--confirm``, record its needs."""
    from geo.workshops.capture import apply_capture, plan_capture, registered

    path = Path(args.file)
    if not path.is_file():
        raise DataError(f"No existe el archivo «{path}».")
    who = actor(args)
    eng = engine()
    with eng.connect() as conn:
        plan = plan_capture(conn, who, path, args.workshop)
    counts = ", ".join(f"{n} {k}" for k, n in plan.counts().items())
    print(f"{plan.file} ({plan.territory.label}, taller {plan.workshop_id}): {counts}.")
    for r in plan.rows:
        mark = " (ya importada)" if r.already else ""
        print(f"  fila {r.row}: {r.cell} · {r.kind} · {r.strategy_label} · {r.votes} votos · {r.text}{mark}")
    for message in plan.messages():
        print(f"  RECHAZADA {message}")
    if args.errors and plan.errors:
        _out(args.errors).write_bytes(plan.error_workbook())
        print(f"Errores por fila: {args.errors}")
    if not args.confirm:
        print("Vista previa: no se escribió nada (agregue --confirm para registrar las necesidades).")
        return 2 if plan.errors else 0
    ids = apply_capture(eng, plan, who)
    print(f"{registered(len(ids))} en el taller {plan.workshop_id}.")
    return 0


def cmd_acta(args: argparse.Namespace) -> int:
    """Write the acta of a workshop (attendance, needs by kind and strategy, map, plan, report)."""
    from geo.reports.acta import acta_pdf

    out, started = _out(args.out), time.perf_counter()
    with engine().connect() as conn:
        pdf = acta_pdf(conn, args.workshop)
    out.write_bytes(pdf)
    print(f"Acta del taller {args.workshop}: {out} ({_seconds(started)} s).")
    return 0


def cmd_participation(args: argparse.Namespace) -> int:
    """Open (print the code and address) or close phone participation of a workshop."""
    from geo.settings import get_settings
    from geo.store.participation import close_participation, open_participation, participation_url

    who, eng = actor(args), engine()
    if args.close:
        close_participation(eng, who, args.workshop)
        print(f"Participación por teléfono del taller {args.workshop} cerrada.")
        return 0
    code = open_participation(eng, who, args.workshop)
    base = get_settings().lan_url or "http://<dirección de sit serve --lan>"
    print(f"Participación por teléfono del taller {args.workshop} abierta: código {code}")
    print(f"  {participation_url(base, code)}")
    return 0


def register(taller: argparse._SubParsersAction) -> None:
    """Add ``kit``, ``plantilla``, ``importar``, ``acta`` and ``participacion`` to ``sit taller``."""
    kit = taller.add_parser("kit", help="kit en papel: mapa A3 con cuadrícula y hoja de captura A4 (PDF)")
    kit.add_argument("--workshop", type=int, required=True, metavar="ID", help="número del taller")
    kit.add_argument("--territory", required=True, metavar="TERRITORIO", help="«UV 05» o una localidad")
    kit.add_argument("--out", required=True, metavar="ARCHIVO.pdf")
    kit.set_defaults(func=cmd_kit)

    tpl = taller.add_parser("plantilla", help="planilla .xlsx donde se escriben las hojas de captura")
    tpl.add_argument("--workshop", type=int, required=True, metavar="ID")
    tpl.add_argument("--territory", required=True, metavar="TERRITORIO")
    tpl.add_argument("--out", required=True, metavar="ARCHIVO.xlsx")
    tpl.set_defaults(func=cmd_template)

    imp = taller.add_parser(
        "importar", help="importar una planilla de captura (vista previa; --confirm escribe)"
    )
    imp.add_argument("file", metavar="ARCHIVO.xlsx")
    imp.add_argument("--workshop", type=int, required=True, metavar="ID")
    imp.add_argument("--confirm", action="store_true", help="registrar las necesidades (todas o ninguna)")
    imp.add_argument(
        "--errors", metavar="ERRORES.xlsx", help="escribir las filas rechazadas en esta planilla"
    )
    imp.set_defaults(func=cmd_import)

    acta = taller.add_parser("acta", help="acta del taller (PDF): asistencia, necesidades, mapa, el plan")
    acta.add_argument("--workshop", type=int, required=True, metavar="ID")
    acta.add_argument("--out", required=True, metavar="ARCHIVO.pdf")
    acta.set_defaults(func=cmd_acta)

    part = taller.add_parser("participacion", help="abrir (o cerrar) la participación por teléfono")
    part.add_argument("--workshop", type=int, required=True, metavar="ID")
    part.add_argument("--close", action="store_true", help="cerrar la participación")
    part.set_defaults(func=cmd_participation)
