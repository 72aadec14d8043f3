"""``sit population`` and ``sit coverage``: population per territory and the plan's gaps."""

from __future__ import annotations

import argparse
import gc
import logging
from pathlib import Path

from geo.cli.common import actor, engine, indented_json
from geo.domain import format_clp, format_int

log = logging.getLogger(__name__)


def cmd_population(args: argparse.Namespace) -> int:
    """Print the population of every UV and locality, and the census totals."""
    from geo.territory.population import population_table

    with engine().connect() as conn:
        table = population_table(conn)
    data = table.as_json()
    if args.json:
        print(indented_json(data))
        return 0
    for r in data["territories"]:
        label = f"UV {r['code']} {r['name']}" if r["kind"] == "unidad_vecinal" else r["name"]
        pop = format_int(r["population"]) if r["population"] is not None else "sin información"
        mark = " (oficial)" if r["official"] else ""
        print(f"{label:40} {pop:>8}{mark}")
    t = data["totals"]
    print(
        f"Suma de las UV: {format_int(t['uv_total'])} · Censo 2017 usado: "
        f"{format_int(t['census_used'])} de {format_int(t['census_total'])} "
        f"({format_int(t['census_not_assigned'])} sin polígono censal)"
    )
    return 0


def cmd_population_import(args: argparse.Namespace) -> int:
    """Import official figures from a CSV (all rows or nothing)."""
    from geo.territory.population_import import import_official_population

    n = import_official_population(engine(), Path(args.file), actor(args))
    print(f"Cifras oficiales de población importadas: {n} territorio(s) desde {args.file}.")
    return 0


def cmd_population_clear(args: argparse.Namespace) -> int:
    """Remove the official figures: the census estimate is shown again."""
    from geo.territory.population_import import clear_official_population

    print(f"Cifras oficiales eliminadas: {clear_official_population(engine(), actor(args))}")
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    """Print the coverage matrix, access and gaps (same numbers as the page)."""
    from geo.coverage.allocation import GapRules, compute_coverage
    from geo.coverage.export import coverage_json
    from geo.initiatives.filters import MapFilters

    filters = MapFilters(
        strategies=tuple(args.strategy or ()),
        statuses=tuple(args.status or ()),
        sectors=tuple(args.sector or ()),
        include_demo=args.demo,
    )
    rules = GapRules(
        per_capita_share=args.per_capita_share, max_health_m=args.max_health_m, max_school_m=args.max_school_m
    )
    cov = compute_coverage(engine(), filters, rules)  # an engine: two connections at once
    # The output is ~100,000 dicts and strings at national scale, none in a reference cycle:
    # the cyclic collector would only walk them (and every imported module's objects) again
    # and again while they are built (~0.2-0.3 s of coverage_json's ~0.5 s).
    collecting = gc.isenabled()
    gc.disable()
    try:
        data = coverage_json(cov)
        if args.json:
            print(indented_json(data))
            return 0
    finally:
        if collecting:
            gc.enable()
    t = data["totals"]
    print(
        f"Iniciativas: {format_int(t['initiatives'])} · inversión conocida "
        f"{format_clp(t['known_investment'])} (asignada {format_clp(t['allocated_investment'])},"
        f" sin asignar {format_clp(t['not_allocated_investment'])})"
    )
    print(f"Brechas: {len(data['gaps'])}")
    for g in data["gaps"][: args.top]:
        print(f"  - {g['reason']}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``population`` and ``coverage`` to the ``sit`` parser."""
    pop = sub.add_parser("population", help="población por territorio (Censo 2017 u oficial)")
    pop.add_argument("--json", action="store_true", help="salida JSON")
    pop.set_defaults(func=cmd_population)
    pop_sub = pop.add_subparsers(dest="population_command", required=False)
    imp = pop_sub.add_parser("import", help="importar cifras oficiales del municipio (CSV)")
    imp.add_argument("file", help="CSV con columnas codigo, poblacion [tipo, edades, fuente]")
    imp.set_defaults(func=cmd_population_import)
    pop_sub.add_parser("clear", help="eliminar las cifras oficiales (vuelve la estimación)").set_defaults(
        func=cmd_population_clear
    )

    cov = sub.add_parser("coverage", help="brechas territoriales: matriz territorio x estrategia")
    cov.add_argument("--json", action="store_true", help="salida JSON")
    cov.add_argument("--strategy", action="append", help="código de estrategia (repetible)")
    cov.add_argument("--status", action="append", help="código de estado (repetible)")
    cov.add_argument("--sector", action="append", choices=["urbano", "rural", "comunal"])
    cov.add_argument(
        "--demo",
        action="store_true",
        help="incluir los datos de demostración (por defecto solo datos reales)",
    )
    cov.add_argument(
        "--per-capita-share",
        type=float,
        default=0.5,
        help="umbral de inversión por habitante como fracción del valor comunal",
    )
    cov.add_argument("--max-health-m", type=float, default=3000.0)
    cov.add_argument("--max-school-m", type=float, default=3000.0)
    cov.add_argument("--top", type=int, default=20, help="brechas a listar (sin --json)")
    cov.set_defaults(func=cmd_coverage)
