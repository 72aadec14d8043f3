"""``sit report``: PDF reports from the console.

``ficha``: the Ficha territorial, of one territory or of all (a booklet); ``avance``: the
«Informe de avance del PLADECO» of a closed cut, with its xlsx annex beside it.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

from geo.cli.common import engine
from geo.cli.investment import add_filter_arguments, investment_filters
from geo.errors import DataError

log = logging.getLogger(__name__)


def cmd_ficha(args: argparse.Namespace) -> int:
    """Write the PDF of one territory's ficha, or of every UV and locality (UVs first)."""
    from geo.reports.ficha import ficha_pdf, find_territory, territories

    out = Path(args.out)
    if not out.parent.is_dir():
        raise DataError(f"No existe la carpeta de «{out}».")
    started = time.perf_counter()
    with engine().connect() as conn:
        chosen = territories(conn) if args.all else [find_territory(conn, args.territory)]
        pdf = ficha_pdf(conn, chosen, investment_filters(args))
    out.write_bytes(pdf)
    what = chosen[0].label if len(chosen) == 1 else f"{len(chosen)} territorios"
    seconds = f"{time.perf_counter() - started:.1f}".replace(".", ",")
    print(f"Ficha territorial de {what}: {out} ({len(chosen)} página(s), {seconds} s).")
    return 0


def cmd_avance(args: argparse.Namespace) -> int:
    """Write the «Informe de avance del PLADECO» of a closed cut and its xlsx annex beside it."""
    from geo.reports.avance import avance_annex, avance_pdf

    out = Path(args.out)
    if not out.parent.is_dir():
        raise DataError(f"No existe la carpeta de «{out}».")
    annex = out.with_name(out.stem + "_anexo.xlsx")
    with engine().connect() as conn:
        pdf = avance_pdf(conn, args.cut)
        xlsx = avance_annex(conn, args.cut)
    out.write_bytes(pdf)
    annex.write_bytes(xlsx)
    print(f"Informe de avance del corte n.º {args.cut}: {out} (anexo: {annex}).")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``report`` (``report ficha``) to the ``sit`` parser."""
    report = sub.add_parser("report", help="reportes en PDF").add_subparsers(
        dest="report_command", required=True
    )
    ficha = report.add_parser("ficha", help="ficha territorial (una página A4 por UV o localidad)")
    which = ficha.add_mutually_exclusive_group(required=True)
    which.add_argument(
        "--territory", metavar="TERRITORIO", help="una UV («UV 05») o una localidad («Domeyko»)"
    )
    which.add_argument("--all", action="store_true", help="todas las UV y localidades en un solo PDF")
    ficha.add_argument("--out", required=True, metavar="ARCHIVO.pdf", help="dónde escribir el PDF")
    add_filter_arguments(ficha)
    ficha.set_defaults(func=cmd_ficha)
    avance = report.add_parser(
        "avance", help="informe de avance del PLADECO de un corte cerrado (PDF y anexo xlsx)"
    )
    avance.add_argument(
        "--cut", required=True, type=int, metavar="ID", help="el corte cerrado (sit cut list)"
    )
    avance.add_argument("--out", required=True, metavar="ARCHIVO.pdf", help="dónde escribir el PDF")
    avance.set_defaults(func=cmd_avance)
