"""``sit investment``: attributed investment per territory (the figures of the page)."""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from geo.cli.common import engine, indented_json
from geo.errors import DataError

if TYPE_CHECKING:
    from geo.investment.lines import InvestmentFilters

log = logging.getLogger(__name__)


def investment_filters(args: argparse.Namespace) -> InvestmentFilters:
    """The filters of the command line, as the page builds them from its widgets."""
    from geo.initiatives.filters import MapFilters
    from geo.investment.lines import InvestmentFilters

    return InvestmentFilters(
        map=MapFilters(
            strategies=tuple(args.strategy or ()),
            statuses=tuple(args.status or ()),
            sectors=tuple(args.sector or ()),
            include_demo=args.demo,
        ),
        year_from=args.year_from,
        year_to=args.year_to,
        sources=tuple(args.source or ()),
        stages=tuple(args.stage or ()),
    )


def cmd_investment(args: argparse.Namespace) -> int:
    """Print the ranking (or one territory's initiatives) with the page's figures."""
    from geo.investment.attribution import investment_report, territory_investment
    from geo.investment.labels import money, per_inhabitant

    filters = investment_filters(args)
    with engine().connect() as conn:
        report = investment_report(conn, filters)
        if args.territory:
            row = report.find(args.territory)
            if row is None:
                raise DataError(
                    f"No hay un territorio «{args.territory}» (use «UV 05» o el nombre de la localidad)."
                )
            detail = territory_investment(conn, row.key, filters)
    if args.territory:
        if args.json:
            print(indented_json(detail.as_json()))
            return 0
        r = detail.row
        each = per_inhabitant(r.per_inhabitant, r.attributed_clp is not None)
        print(f"{r.label}: {money(r.attributed_clp)} atribuidos · {each} por habitante")
        for i in detail.initiatives:
            print(f"  {i.code:16} {money(i.attributed_clp):>18}  {i.name}")
        return 0
    if args.json:
        print(indented_json(report.as_json()))
        return 0
    for r in report.rows:
        mark = "" if r.summed else " (no se suma)"
        print(f"{r.label:45} {money(r.attributed_clp):>22} {r.n_initiatives:>5} iniciativa(s){mark}")
    print(
        f"Total: {money(report.total_clp)} · promedio comunal por habitante: "
        f"{report.commune_per_inhabitant_label}"
    )
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``investment`` to the ``sit`` parser."""
    inv = sub.add_parser("investment", help="inversión atribuida por territorio (suma exacta)")
    inv.add_argument("--json", action="store_true", help="salida JSON")
    inv.add_argument(
        "--territory", metavar="TERRITORIO", help="una UV («UV 05») o localidad: sus iniciativas"
    )
    add_filter_arguments(inv)
    inv.set_defaults(func=cmd_investment)


def add_filter_arguments(parser: argparse.ArgumentParser) -> None:
    """The options read by :func:`investment_filters` (``sit investment``, ``sit report ficha``)."""
    from geo.domain import FUNDING_LINE_SOURCES
    from geo.investment.labels import NO_SOURCE, NO_STAGE, STAGES

    parser.add_argument("--strategy", action="append", help="código de estrategia (repetible)")
    parser.add_argument("--status", action="append", help="código de estado (repetible)")
    parser.add_argument("--sector", action="append", choices=["urbano", "rural", "comunal"])
    parser.add_argument("--year-from", type=int, metavar="AÑO", help="desde este año (incluido)")
    parser.add_argument("--year-to", type=int, metavar="AÑO", help="hasta este año (incluido)")
    parser.add_argument(
        "--source",
        action="append",
        type=str.lower,  # FNDR or fndr
        choices=[*FUNDING_LINE_SOURCES, NO_SOURCE],
        help=f"fuente de financiamiento, por código (repetible; {NO_SOURCE}: sin fuente)",
    )
    parser.add_argument("--stage", action="append", choices=[*STAGES, NO_STAGE], help="etapa (repetible)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="incluir los datos de demostración (por defecto solo datos reales)",
    )
