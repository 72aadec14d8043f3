"""``sit template``, ``sit import initiatives`` and ``sit export initiatives``."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from geo.cli.common import actor, engine, print_section
from geo.errors import DataError

if TYPE_CHECKING:  # pandas and openpyxl load only for the commands that read a file
    from geo.sheets.importer import ImportPlan

log = logging.getLogger(__name__)


def print_plan(plan: ImportPlan, limit: int = 50) -> None:
    """The preview: counts, old -> new of every changed field, conflicts, rejections, places."""
    where = f" (hoja «{plan.sheet}»)" if plan.sheet else ""
    print(f"Vista previa de {plan.file}{where}: {len(plan.rows)} filas")
    for key, value in plan.counts().items():
        print(f"  {key}: {value}")
    if plan.ignored_columns:
        print("  columnas ignoradas: " + ", ".join(plan.ignored_columns))
    print("  " + plan.funding_note)
    if not plan.has_versions and plan.by_status("cambios"):
        print(
            "  aviso: la planilla no trae la columna «Versión» (no viene de una exportación): no se "
            "puede saber si otra persona cambió esas iniciativas después."
        )
    print_section(
        "Con cambios (anterior → nuevo):",
        [f"fila {r.row} · {r.code}: {c}" for r in plan.by_status("cambios") for c in r.changes],
        limit,
    )
    conflicts = []
    for r in plan.by_status("conflicto"):
        assert r.conflict is not None
        conflicts.append(f"fila {r.row} · {r.code}: {r.conflict.describe()}")
        for c in r.changes:
            mark = " (cambiado después de exportar)" if c.changed_since_export else ""
            conflicts.append(f"    {c.column}: en la base «{c.old}», en el archivo «{c.new}»{mark}")
    print_section(
        "En conflicto (no se escriben salvo --overwrite CÓDIGO):", conflicts, limit * 4, " de detalle"
    )
    print_section("Rechazadas:", [str(e) for e in plan.errors], limit, " (use --errors ARCHIVO.xlsx)")
    print_section(
        "Lugares reconocidos por aproximación (revise):",
        [f"fila {r.row}: {n}" for r in plan.rows if r.status != "rechazada" for n in r.notes],
        limit,
        None,
    )


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
    result = apply_import(eng, plan, actor(args), strict=args.strict, overwrite=args.overwrite or ())
    print(result.summary())
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
        strategies=tuple(args.strategy or ()),
        statuses=tuple(args.status or ()),
        include_demo=args.demo,
        include_archived=args.archived,
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
    ini.add_argument(
        "--overwrite",
        action="append",
        metavar="CÓDIGO",
        help="escribir esta fila aunque esté en conflicto (la iniciativa cambió después de "
        "exportar); repetible",
    )
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
    e.add_argument("--archived", action="store_true", help="incluir las iniciativas archivadas")
    e.set_defaults(func=cmd_export_initiatives)
