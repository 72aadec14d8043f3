"""``sit template``, ``sit import initiatives`` and ``sit export initiatives``."""

from __future__ import annotations

import argparse
from pathlib import Path

from geo.cli.common import engine
from geo.errors import DataError
from geo.sheets.importer import ImportPlan


def print_plan(plan: ImportPlan, limit: int = 50) -> None:
    """The preview: counts, changed fields, rejected rows, approximate places."""
    where = f" (hoja «{plan.sheet}»)" if plan.sheet else ""
    print(f"Vista previa de {plan.file}{where}: {len(plan.rows)} filas")
    for key, value in plan.counts().items():
        print(f"  {key}: {value}")
    if plan.ignored_columns:
        print("  columnas ignoradas: " + ", ".join(plan.ignored_columns))
    _print_section(
        "Con cambios:",
        [f"fila {r.row} · {r.code}: {', '.join(r.changed)}" for r in plan.by_status("cambios")],
        limit,
        "",
    )
    _print_section("Rechazadas:", [str(e) for e in plan.errors], limit, " (use --errors ARCHIVO.xlsx)")
    _print_section(
        "Lugares reconocidos por aproximación (revise):",
        [f"fila {r.row}: {n}" for r in plan.rows if r.status != "rechazada" for n in r.notes],
        limit,
        None,
    )


def _print_section(title: str, lines: list[str], limit: int, more_hint: str | None) -> None:
    """Print ``title`` and at most ``limit`` lines, then how many were left out.

    ``more_hint`` ends that last line; None leaves it out.
    """
    if not lines:
        return
    print(title)
    for line in lines[:limit]:
        print(f"  {line}")
    if more_hint is not None and len(lines) > limit:
        print(f"  … y {len(lines) - limit} más{more_hint}")


def cmd_template(args: argparse.Namespace) -> int:
    """Write the empty template."""
    from geo.sheets.schema import Lists
    from geo.sheets.writer import write_workbook

    out = Path(args.out)
    with engine().connect() as conn:
        write_workbook([], Lists.load(conn), out)
    print(f"Plantilla escrita: {out}")
    return 0


def cmd_import_initiatives(args: argparse.Namespace) -> int:
    """Preview, then write unless --dry-run (refuse everything with --strict and rejections)."""
    from geo.sheets.importer import apply_import, plan_import
    from geo.sheets.writer import write_errors

    path = Path(args.file)
    eng = engine()
    with eng.connect() as conn:
        plan = plan_import(conn, path)
    print_plan(plan)
    if args.errors and plan.errors:
        write_errors(plan.errors, Path(args.errors))
        print(f"Errores escritos en {args.errors}")
    if args.dry_run:
        print("Simulación (--dry-run): no se escribió nada.")
        return 0
    result = apply_import(eng, plan, strict=args.strict)
    print(
        f"Importación terminada: {result.inserted} nuevas, {result.updated} actualizadas, "
        f"{result.status_changes} cambios de estado registrados."
    )
    return 0


def cmd_export_initiatives(args: argparse.Namespace) -> int:
    """Export the (optionally filtered) initiatives."""
    from geo.initiatives.filters import MapFilters
    from geo.sheets.writer import export_initiatives

    out = Path(args.out)
    fmt = args.format or out.suffix.lstrip(".").lower()
    if fmt not in ("xlsx", "csv", "gpkg", "geojson"):
        raise DataError(f"Formato desconocido «{fmt}»: use xlsx, csv, gpkg o geojson.")
    filters = MapFilters(
        strategies=tuple(args.strategy or ()), statuses=tuple(args.status or ()), include_demo=args.demo
    )
    with engine().connect() as conn:
        n = export_initiatives(conn, fmt, out, filters)
    print(f"Iniciativas exportadas: {n} → {out} ({fmt})")
    return 0


def register(sub: argparse._SubParsersAction, imp: argparse._SubParsersAction) -> None:
    """Add the commands to ``sit`` (``imp``: the sub-commands of ``sit import``)."""
    tpl = sub.add_parser("template", help="escribir la plantilla Excel de iniciativas")
    tpl.add_argument("out", help="archivo .xlsx de salida")
    tpl.set_defaults(func=cmd_template)

    ini = imp.add_parser("initiatives", help="importar iniciativas desde .xlsx o .csv")
    ini.add_argument("file", help="planilla .xlsx o .csv (UTF-8 o Latin-1, «;» o «,»)")
    ini.add_argument("--dry-run", action="store_true", help="solo mostrar la vista previa")
    ini.add_argument("--strict", action="store_true", help="no importar nada si alguna fila se rechaza")
    ini.add_argument("--errors", metavar="OUT.xlsx", help="escribir las filas rechazadas en una planilla")
    ini.set_defaults(func=cmd_import_initiatives)

    exp = sub.add_parser("export", help="exportar datos").add_subparsers(dest="export_command", required=True)
    e = exp.add_parser("initiatives", help="exportar iniciativas (xlsx, csv, gpkg, geojson)")
    e.add_argument("out", help="archivo de salida")
    e.add_argument(
        "--format",
        choices=("xlsx", "csv", "gpkg", "geojson"),
        help="formato (por defecto, la extensión del archivo)",
    )
    e.add_argument("--strategy", action="append", help="solo esta estrategia (p. ej. E1); repetible")
    e.add_argument("--status", action="append", help="solo este estado (código); repetible")
    e.add_argument(
        "--demo",
        action="store_true",
        help="incluir los datos de demostración (por defecto solo datos reales)",
    )
    e.set_defaults(func=cmd_export_initiatives)
