"""``sit import territories`` (replace an official layer) and ``sit site`` (place named sites)."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.cli.common import actor, engine, indented_json
from geo.domain import REFERENCE_LAYERS, TERRITORY_KINDS
from geo.errors import DataError

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from geo.territory.layer_import import LayerReport

log = logging.getLogger(__name__)


def print_report(report: LayerReport, dry_run: bool) -> None:
    """Print an import report in Spanish (the same figures as the page's preview)."""
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
        actor=actor(args),
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


def cmd_import_reference(args: argparse.Namespace) -> int:
    """Replace (or preview) a reference layer with a new edition of its source."""
    from geo.territory.reference import replace_reference_layer

    report = replace_reference_layer(engine(), actor(args), args.layer, Path(args.file), dry_run=args.dry_run)
    figures = {
        "capa": args.layer,
        "vista_previa": args.dry_run,
        "nuevos": report.created,
        "actualizados": report.updated,
        "eliminados": report.removed,
        "sin_cambios": report.unchanged,
        "claves_cambiadas": report.changed_keys,
    }
    if args.json:
        print(indented_json(figures))
    else:
        verb = "Se agregarían" if args.dry_run else "Capa reemplazada:"
        print(
            f"{verb} {report.created} nuevos, {report.updated} actualizados, {report.removed} "
            f"eliminados; {report.unchanged} sin cambios."
        )
    return 0


def register_reference(imp: argparse._SubParsersAction) -> None:
    """Register ``sit import reference`` under the ``import`` sub-command."""
    p = imp.add_parser(
        "reference",
        help="reemplazar una capa de referencia (SENAPRED, CNR, Plan Regulador...) con una nueva edición",
        description="Reemplaza una capa de referencia con una nueva edición de su fuente (el mismo "
        "tipo de archivo que data/referencia/, en cualquier SRC declarado). Los elementos se "
        "reconocen por su clave: se agregan, se actualizan o se eliminan, y cada cambio queda "
        "en la auditoría.",
    )
    p.add_argument("--layer", required=True, choices=list(REFERENCE_LAYERS), help="capa de referencia")
    p.add_argument("file", help="archivo .geojson, .gpkg o .zip (Shapefile)")
    p.add_argument("--dry-run", action="store_true", help="solo mostrar la vista previa")
    p.add_argument("--json", action="store_true", help="informe en JSON")
    p.set_defaults(func=cmd_import_reference)


def _site(conn: Connection, name: str) -> dict[str, Any]:
    from geo.territory.sites import find_site

    site = find_site(conn, name)
    if site is None:
        raise DataError(f"No hay un sitio con código o nombre «{name}»; vea «sit site list».")
    return site


def cmd_site_list(args: argparse.Namespace) -> int:
    """List the named sites, located or "sin ubicar"."""
    from geo.territory.sites import named_sites

    with engine().connect() as conn:
        sites = named_sites(conn, unlocated_only=args.unlocated)
    for s in sites:
        state = "ubicado" if s["located"] else "sin ubicar"
        print(f"{s['code']:40} {s['name']:45} {state:10} {s['n']} iniciativa(s)")
    print(f"{len(sites)} sitio(s).")
    return 0


def cmd_site_place(args: argparse.Namespace) -> int:
    """Place (or move) a site from a point or a GeoJSON file."""
    import shapely

    from geo.store.territories import place_site
    from geo.values import ValueProblem, parse_drawn_geometry

    if args.point:
        drawn: object = shapely.Point(*args.point)
    else:
        try:
            drawn = json.loads(Path(args.geojson).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(f"{args.geojson}: no se pudo leer como GeoJSON ({exc}).") from exc
        if isinstance(drawn, dict) and drawn.get("type") == "FeatureCollection":
            features = drawn.get("features") or []
            if len(features) != 1:
                raise DataError(f"{args.geojson}: debe contener un solo elemento (tiene {len(features)}).")
            drawn = features[0]
    try:
        geom = parse_drawn_geometry(drawn)
    except ValueProblem as exc:
        raise DataError(f"Geometría: {exc}") from None
    eng = engine()
    with eng.connect() as conn:
        site = _site(conn, args.site)
    result = place_site(eng, actor(args), site["id"], geom, site["version"])
    verb = "reubicado" if site["located"] else "ubicado"
    print(
        f"Sitio «{site['name']}» {verb} (versión {result.version}); "
        f"{len(result.initiatives)} iniciativa(s) vinculadas recalculadas."
    )
    return 0


def cmd_site_unplace(args: argparse.Namespace) -> int:
    """Return a site placed by mistake to "sin ubicar"."""
    from geo.store.territories import unplace_site

    eng = engine()
    with eng.connect() as conn:
        site = _site(conn, args.site)
    result = unplace_site(eng, actor(args), site["id"], site["version"])
    print(
        f"Sitio «{site['name']}» devuelto a «sin ubicar» (versión {result.version}); "
        f"{len(result.initiatives)} iniciativa(s) vinculadas recalculadas."
    )
    return 0


def cmd_site_history(args: argparse.Namespace) -> int:
    """Each placement of a site: when, who, what."""
    from geo.domain import format_datetime
    from geo.territory.sites import site_history

    with engine().connect() as conn:
        site = _site(conn, args.site)
        rows = site_history(conn, site["id"])
    print(f"Historial de «{site['name']}» ({'ubicado' if site['located'] else 'sin ubicar'}):")
    for h in rows:
        where = ""
        if h["geometry"]:
            where = f" — {h['geometry']['type']} {json.dumps(h['geometry']['coordinates'])[:80]}"
        print(f"  {format_datetime(h['at'])}  {h['action']} por {h['by']} ({h['via']}){where}")
    return 0


def register_sites(sub: argparse._SubParsersAction) -> None:
    """Register ``sit site list|place|unplace|history``."""
    site = sub.add_parser(
        "site", help="sitios nombrados por el plan: ubicar, reubicar, historial"
    ).add_subparsers(dest="site_command", required=True)
    ls = site.add_parser("list", help="listar los sitios (ubicados y sin ubicar)")
    ls.add_argument("--unlocated", action="store_true", help="solo los sin ubicar")
    ls.set_defaults(func=cmd_site_list)
    pl = site.add_parser("place", help="ubicar o reubicar un sitio (punto o archivo GeoJSON)")
    pl.add_argument("site", help="código o nombre del sitio")
    where = pl.add_mutually_exclusive_group(required=True)
    where.add_argument("--point", nargs=2, type=float, metavar=("LON", "LAT"), help="un punto en EPSG:4326")
    where.add_argument(
        "--geojson", metavar="ARCHIVO", help="GeoJSON (EPSG:4326) con una geometría o un elemento"
    )
    pl.set_defaults(func=cmd_site_place)
    un = site.add_parser("unplace", help="devolver un sitio ubicado por error a «sin ubicar»")
    un.add_argument("site", help="código o nombre del sitio")
    un.set_defaults(func=cmd_site_unplace)
    hi = site.add_parser("history", help="cada ubicación del sitio: cuándo, quién, dónde")
    hi.add_argument("site", help="código o nombre del sitio")
    hi.set_defaults(func=cmd_site_history)
