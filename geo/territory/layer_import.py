"""Replace an official territorial layer (UVs, rural localities or sites) in one transaction.

The file is read by :mod:`geo.territory.layer_file`; here each feature is checked in PostGIS
(empty, invalid → repaired with ``ST_MakeValid`` and reported, outside the commune or with
latitude and longitude swapped → rejected) and compared with the database by
``(kind, code)``: new, updated, unchanged, removed. Territories keep their id when their
code stays, so the links of initiatives to them are kept.

Links that would be lost (made by a place name or by hand to a territory no longer in the
file) are reported before anything is written; a real import refuses to drop them unless
the person allows it (``--allow-orphans`` / the page's confirmation). Links made from
geometry are recomputed. Territories without geometry (sites "sin ubicar" named by the
plan) are never removed by a layer: they do not come from one.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path

import shapely
from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.errors import DataError
from geo.store.actor import Actor
from geo.store.audit import Entry, record
from geo.store.permissions import require
from geo.store.territories import TerritoryRecord, compare_territories, save_territories
from geo.territory.layer_file import KIND_LABELS, LayerFile, ReadOptions, SourceFeature, read_layer_file
from geo.uploads import DEFAULT_LIMITS, UploadLimits

log = logging.getLogger(__name__)

#: A feature is inside the commune when at least this share of it lies within the commune
#: boundary widened by ``COMMUNE_TOLERANCE_M``: the national UV layer and the DPA boundary
#: come from different agencies and simplifications and disagree by up to a few hundred
#: metres along the edge (data/SOURCES.md).
COMMUNE_TOLERANCE_M = 1000.0
MIN_SHARE_INSIDE = 0.5


@dataclass
class LayerReport:
    """What an import found and did (the preview is the same report, not committed)."""

    kind: str
    file_name: str
    layer: str | None = None
    crs: str = ""
    encoding: str | None = None
    code_field: str | None = None
    name_field: str = ""
    new: list[dict] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)
    unchanged: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    kept_unlocated: int = 0
    repaired: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    orphaned: list[dict] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    geometry_links: int | None = None
    committed: bool = False

    @property
    def counts(self) -> dict[str, int]:
        """Counts by outcome, in the order the preview shows them."""
        return {
            "nuevos": len(self.new),
            "actualizados": len(self.updated),
            "sin cambios": len(self.unchanged),
            "eliminados": len(self.removed),
            "geometrías reparadas": len(self.repaired),
            "rechazados": len(self.rejected),
            "vínculos que se perderían": len(self.orphaned),
        }

    @property
    def changes(self) -> bool:
        """True when the import writes anything."""
        return bool(self.new or self.updated or self.removed)

    def as_dict(self) -> dict:
        """Plain dict (for JSON output and the audit log)."""
        return {**asdict(self), "counts": self.counts}


class LayerRejected(DataError):
    """The file has features that cannot be imported; the report lists them all."""

    def __init__(self, message: str, report: LayerReport):
        super().__init__(message)
        self.report = report


_CHECK = text(
    """
    WITH f AS (
        SELECT u.ord, ST_SetSRID(ST_GeomFromWKB(u.wkb), 4326) AS g
          FROM unnest(CAST(:wkbs AS bytea[])) WITH ORDINALITY AS u(wkb, ord)),
    fixed AS (
        SELECT ord, ST_IsValid(g) AS valid,
               CASE WHEN ST_IsValid(g) THEN NULL ELSE ST_IsValidReason(g) END AS reason,
               CASE WHEN ST_IsValid(g) THEN g
                    WHEN ST_Dimension(g) = 2 THEN ST_CollectionExtract(ST_MakeValid(g), 3)
                    ELSE ST_MakeValid(g) END AS fg
          FROM f),
    c AS MATERIALIZED (
        -- The commune once, and once widened by the tolerance (in metres).
        SELECT u.g, ST_Buffer(u.g::geography, :tol)::geometry AS wide
          FROM (SELECT ST_Union(geom) AS g FROM boundary WHERE kind = 'limite_comunal') u)
    SELECT fixed.ord, fixed.valid, fixed.reason, ST_IsEmpty(fixed.fg) AS empty,
           ST_AsBinary(fixed.fg) AS wkb, c.g IS NULL AS no_commune,
           CASE WHEN c.g IS NULL OR ST_IsEmpty(fixed.fg) THEN NULL
                WHEN ST_Dimension(fixed.fg) = 2 THEN
                     ST_Area(ST_Intersection(fixed.fg, c.wide)::geography)
                     / NULLIF(ST_Area(fixed.fg::geography), 0)
                WHEN ST_Intersects(fixed.fg, c.wide) THEN 1.0
                ELSE 0.0 END AS inside,
           CASE WHEN c.g IS NULL OR ST_IsEmpty(fixed.fg) THEN NULL
                ELSE ST_Intersects(ST_FlipCoordinates(fixed.fg), c.g) END AS flipped_inside
      FROM fixed CROSS JOIN c
     ORDER BY fixed.ord
    """
)


def _in_range(f: SourceFeature, layer: LayerFile, where: str, report: LayerReport) -> bool:
    """Refuse coordinates that cannot be longitude/latitude (swapped axes, wrong CRS)."""
    b = shapely.bounds(f.geom)
    if -180 <= b[0] <= b[2] <= 180 and -90 <= b[1] <= b[3] <= 90:
        return True
    if -90 <= b[0] and b[2] <= 90 and -180 <= b[1] and b[3] <= 180:
        report.rejected.append(
            f"{where}: coordenadas con latitud y longitud invertidas (x={b[0]:.4f}, "
            f"y={b[1]:.4f}); en Vallenar la longitud es cercana a -70,7 y la latitud a "
            "-28,6. Corrija el orden de las columnas o el SRC declarado."
        )
    else:
        report.rejected.append(
            f"{where}: coordenadas fuera de rango para el SRC declarado ({layer.crs}); "
            "¿el archivo declara el sistema de coordenadas correcto?"
        )
    return False


def _check_geometries(conn: Connection, layer: LayerFile, report: LayerReport) -> list[tuple]:
    """Repair, and keep features inside the commune; return (feature, wkb) pairs."""
    todo: list[tuple[SourceFeature, str]] = []
    for f in layer.features:
        where = f"elemento {f.row} («{f.name}», código {f.code})"
        if f.geom is None:
            report.rejected.append(f"{where}: no tiene geometría (vacía).")
        elif _in_range(f, layer, where, report):
            todo.append((f, where))
    if not todo:
        return []
    rows = conn.execute(
        _CHECK, {"wkbs": [shapely.to_wkb(f.geom) for f, _ in todo], "tol": COMMUNE_TOLERANCE_M}
    ).all()
    if rows and rows[0].no_commune:
        report.warnings.append(
            "No hay límite comunal cargado: no se verificó que los elementos estén dentro de la comuna."
        )
    kept: list[tuple[SourceFeature, bytes]] = []
    for (f, where), row in zip(todo, rows, strict=True):
        if row.empty:
            reason = f" (era inválida: {row.reason})" if row.reason else ""
            report.rejected.append(f"{where}: la geometría está vacía{reason}.")
            continue
        if not row.valid:
            report.repaired.append(f"{where}: {row.reason}; reparada con ST_MakeValid.")
        if not row.no_commune and row.inside is not None and row.inside < MIN_SHARE_INSIDE:
            if row.flipped_inside:
                report.rejected.append(
                    f"{where}: coordenadas con latitud y longitud invertidas; invertidas quedan "
                    "dentro de la comuna. Corrija el orden de las coordenadas en el archivo."
                )
            else:
                share = f"{row.inside * 100:.0f} %"
                report.rejected.append(
                    f"{where}: está fuera de la comuna de Vallenar (solo {share} dentro del límite "
                    f"comunal, con {COMMUNE_TOLERANCE_M:.0f} m de tolerancia). Si toda la capa "
                    f"aparece fuera, revise el SRC declarado ({layer.crs})."
                )
            continue
        kept.append((f, bytes(row.wkb)))
    return kept


_EXISTING = text(
    """
    SELECT id, code, name, attrs, geom IS NULL AS unlocated
      FROM territory WHERE kind = :kind ORDER BY code
    """
)

_ORPHANS = text(
    """
    SELECT i.code AS initiative_code, i.name AS initiative_name, t.code AS territory_code,
           t.name AS territory_name, it.link_method, it.place_ref
      FROM initiative_territory it
      JOIN initiative i ON i.id = it.initiative_id
      JOIN territory t ON t.id = it.territory_id
     WHERE it.territory_id = ANY(:ids) AND it.link_method <> 'geometria'
     ORDER BY t.code, i.code
    """
)

_BLOCKERS = text(
    """
    SELECT t.code, t.name,
           (SELECT count(*) FROM workshop_territory w WHERE w.territory_id = t.id) AS workshops,
           (SELECT count(*) FROM workshop_territory w JOIN need n ON n.workshop_id = w.workshop_id
             WHERE w.territory_id = t.id AND n.merged_into_id IS NULL) AS needs
      FROM territory t WHERE t.id = ANY(:ids)
    """
)


def plan_import(conn: Connection, layer: LayerFile, kind: str) -> tuple[LayerReport, list[TerritoryRecord]]:
    """Compare the file with the database (read only); return the report and the records to write.

    New, changed and unchanged come from :func:`geo.store.territories.compare_territories`:
    the same comparison the write makes, so the preview shows exactly what will be written.
    """
    report = LayerReport(
        kind=kind,
        file_name=layer.file_name,
        layer=layer.layer,
        crs=layer.crs,
        encoding=layer.encoding,
        code_field=layer.code_field,
        name_field=layer.name_field,
        rejected=list(layer.rejected),
    )
    kept = _check_geometries(conn, layer, report)
    existing = {r.code: r for r in conn.execute(_EXISTING, {"kind": kind}).all()}
    records = [TerritoryRecord(kind, f.code, f.name, "", f.attrs, wkb) for f, wkb in kept]
    for (f, _), d in zip(kept, compare_territories(conn, records), strict=True):
        item = {"code": f.code, "name": f.name, "row": f.row}
        if d.is_new:
            report.new.append(item)
        elif not d.changes:
            report.unchanged.append(item)
        else:
            what = {"name": "nombre", "attrs": "atributos"}
            labels = [what[k] for k in ("name", "attrs") if k in d.changes]
            if "geometry" in d.changes:
                labels.append("ubicación (estaba sin ubicar)" if d.was_unlocated else "geometría")
            old_name = d.changes["name"][0] if "name" in d.changes else f.name
            report.updated.append({**item, "old_name": old_name, "changes": ", ".join(labels)})
    in_file = {f.code for f in layer.features}
    gone = [r for code, r in existing.items() if code not in in_file]
    report.kept_unlocated = sum(1 for r in gone if r.unlocated)
    removed = [r for r in gone if not r.unlocated]
    report.removed = [{"code": r.code, "name": r.name, "id": r.id} for r in removed]
    ids = [r.id for r in removed]
    if ids:
        report.orphaned = [dict(r) for r in conn.execute(_ORPHANS, {"ids": ids}).mappings()]
        for r in conn.execute(_BLOCKERS, {"ids": ids}).all():
            if r.workshops or r.needs:
                report.blocked.append(
                    f"«{r.name}» (código {r.code}) no está en el archivo pero tiene {r.workshops} "
                    f"taller(es) y {r.needs} necesidad(es) registradas; reasígnelas antes de "
                    "eliminarlo o inclúyalo en el archivo."
                )
    return report, records


def _apply(
    conn: Connection, report: LayerReport, records: list[TerritoryRecord], source: str, actor: Actor
) -> None:
    saved = save_territories(
        conn,
        actor,
        [replace(r, source=source) for r in records],
        remove_ids=[r["id"] for r in report.removed],
        note={"archivo": report.file_name, "capa": report.layer, "src": report.crs},
    )
    report.geometry_links = saved.geometry_links
    record(
        conn,
        actor,
        [
            Entry(
                "importar_capa",
                None,
                report.kind,
                {
                    "file": report.file_name,
                    "layer": report.layer,
                    "crs": report.crs,
                    "counts": report.counts,
                    "removed": [r["code"] for r in report.removed],
                    "orphaned_links": report.orphaned,
                    "repaired": report.repaired,
                },
            )
        ],
    )
    conn.execute(text("ANALYZE territory"))


def rejection_message(report: LayerReport, limit: int = 20) -> str:
    """Spanish message listing why the file cannot be imported."""
    lines = [f"{report.file_name}: no se importó nada; {len(report.rejected)} elemento(s) con problemas:"]
    lines += [f"  - {r}" for r in report.rejected[:limit]]
    if len(report.rejected) > limit:
        lines.append(f"  … y {len(report.rejected) - limit} más.")
    return "\n".join(lines)


def orphan_message(report: LayerReport) -> str:
    """Spanish message for links that a real import would drop."""
    n = len(report.orphaned)
    codes = ", ".join(sorted({o["territory_code"] for o in report.orphaned}))
    return (
        f"{report.file_name}: {n} vínculo(s) de iniciativas quedarían sin territorio porque "
        f"{KIND_LABELS[report.kind]} con código {codes} no están en el archivo. No se importó "
        "nada. Revise la vista previa (--dry-run) y, si corresponde, confirme con "
        "--allow-orphans."
    )


def import_territories(
    bind: Engine | Connection,
    path: Path,
    kind: str,
    options: ReadOptions | None = None,
    *,
    dry_run: bool = False,
    allow_orphans: bool = False,
    actor: Actor,
    label: str | None = None,
    limits: UploadLimits = DEFAULT_LIMITS,
) -> LayerReport:
    """Read ``path`` and replace the ``kind`` layer in one transaction (or only preview it).

    Raises :class:`LayerRejected` when any feature is rejected (nothing is written), and
    :class:`DataError` when the import would orphan links without ``allow_orphans`` or
    would remove a territory that workshops or needs point to, and
    :class:`~geo.store.permissions.NotAuthorised` when the actor's role may not replace
    official layers (checked before the file is read; a preview needs no right).
    """
    if not dry_run:
        require(actor, "official_layers")
    path = Path(path)
    layer = read_layer_file(path, kind, options, limits=limits, label=label)
    with transaction(bind) as conn:
        report, rows = plan_import(conn, layer, kind)
        if report.rejected:
            raise LayerRejected(rejection_message(report), report)
        if dry_run or not report.changes:
            return report
        if report.blocked:
            raise DataError(f"{report.file_name}: no se importó nada.\n  - " + "\n  - ".join(report.blocked))
        if report.orphaned and not allow_orphans:
            raise DataError(orphan_message(report))
        source = f"Capa importada desde «{report.file_name}» el {date.today().strftime('%d-%m-%Y')}"
        _apply(conn, report, rows, source, actor)
        report.committed = True
    return report
