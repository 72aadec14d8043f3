"""``sit import territories``: replace an official layer from the console."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from geo.cli.common import engine
from geo.domain import TERRITORY_KINDS
from geo.errors import DataError


def print_report(report, dry_run: bool) -> None:
    """Print an import report in Spanish (the same figures as the page's preview)."""
    from geo.territory.layer_import import LayerReport

    assert isinstance(report, LayerReport)
    head = "Vista previa (no se escribió nada)" if dry_run or not report.committed else "Capa importada"
    print(f"{head}: {report.file_name}")
    print(f"  capa: {report.layer}  SRC: {report.crs}  codificación: {report.encoding or '—'}")
    print(f"  campos: código «{report.code_field or '(derivado del nombre)'}», nombre «{report.name_field}»")
    for key, value in report.counts.items():
        print(f"  {key}: {value}")
    for label, items in (
        ("nuevo", report.new),
        ("actualizado", report.updated),
        ("eliminado", report.removed),
    ):
        for it in items:
            changes = f" ({it['changes']})" if it.get("changes") else ""
            print(f"  {label}: {it['code']} {it['name']}{changes}")
    for line in report.repaired:
        print(f"  geometría reparada: {line}")
    for o in report.orphaned:
        print(
            f"  vínculo que se perdería: {o['initiative_code']} → {o['territory_code']} "
            f"{o['territory_name']} ({o['link_method']})"
        )
    for line in report.blocked:
        print(f"  bloqueo: {line}")
    if report.kept_unlocated:
        print(f"  se conservan {report.kept_unlocated} sin ubicar (no provienen de una capa)")
    for line in report.warnings:
        print(f"  aviso: {line}")
    if report.committed:
        print(f"  vínculos por geometría recalculados: {report.geometry_links}")
    elif not report.changes:
        print("  nada que cambiar: la capa de la base ya es igual al archivo.")


def cmd_import_territories(args: argparse.Namespace) -> int:
    """Replace (or preview) a territorial layer from a file."""
    from geo.territory.layer_file import ReadOptions
    from geo.territory.layer_import import import_territories

    opts = ReadOptions(
        layer=args.layer, encoding=args.encoding, code_field=args.code_field, name_field=args.name_field
    )
    report = import_territories(
        engine(),
        Path(args.file),
        args.kind,
        opts,
        dry_run=args.dry_run,
        allow_orphans=args.allow_orphans,
        user="sit (consola)",
    )
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))
    else:
        print_report(report, args.dry_run)
    if args.dry_run and report.blocked:
        raise DataError("\n".join(report.blocked))
    return 0


def register(imp: argparse._SubParsersAction) -> None:
    """Register ``sit import territories`` under the ``import`` sub-command."""
    p = imp.add_parser(
        "territories",
        help="reemplazar una capa oficial (UV, localidades, sitios)",
        description="Importa una capa oficial desde un Shapefile comprimido (.zip), "
        "GeoPackage (.gpkg) o GeoJSON, en cualquier SRC declarado. Los territorios "
        "se identifican por código: se actualizan, se agregan o se eliminan; los "
        "vínculos de iniciativas a territorios que siguen existiendo se conservan.",
    )
    p.add_argument(
        "--kind", required=True, choices=list(TERRITORY_KINDS), help="tipo de territorio de la capa"
    )
    p.add_argument("file", help="archivo .zip (Shapefile), .gpkg o .geojson")
    p.add_argument("--dry-run", action="store_true", help="solo mostrar la vista previa")
    p.add_argument("--layer", help="capa del GeoPackage (o Shapefile dentro del .zip)")
    p.add_argument("--encoding", help="codificación de los atributos (p. ej. latin1, UTF-8)")
    p.add_argument("--code-field", help="campo con el código del territorio")
    p.add_argument("--name-field", help="campo con el nombre del territorio")
    p.add_argument(
        "--allow-orphans",
        action="store_true",
        help="aceptar que se pierdan los vínculos a territorios que no están en el archivo",
    )
    p.add_argument("--json", action="store_true", help="informe en JSON")
    p.set_defaults(func=cmd_import_territories)
