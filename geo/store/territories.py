"""Writes to territories: official layers and loaders, named sites, population figures.

Every territory change goes through here: :func:`save_territories` (the base pack and the
layer import: new, changed and removed territories of one kind), :func:`ensure_places`
(places the plan names, created "sin ubicar"), :func:`place_site` / :func:`unplace_site`
(a person places a named site, moves it, or returns it to "sin ubicar") and
:func:`set_population_figures` / :func:`clear_population_figures` (the municipality's
official figures). Each writes only what changed, bumps the row's version, recomputes what
follows from geometry (urban/rural sector, links from initiatives' geometries) and writes
one audit row per territory with before and after values. Each first checks the actor's role
(:mod:`geo.store.permissions`): official layers and the places they hold need
``official_layers``, placing a site ``sites``, population figures ``population``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.errors import DataError, ValidationError
from geo.store.actor import Actor
from geo.store.audit import Entry, conflict_error, json_text, record
from geo.store.permissions import require
from geo.territory.links import link_by_geometry
from geo.territory.queries import near_commune
from geo.territory.sectors import compute_sectors

log = logging.getLogger(__name__)

#: Geometries closer than this (degrees, ~1 cm) count as unchanged.
SAME_GEOMETRY_DEG = 1e-7


@dataclass(frozen=True)
class TerritoryRecord:
    """A territory as a source gives it (a layer file, the base pack, the plan)."""

    kind: str
    code: str
    name: str
    source: str
    attrs: Mapping[str, Any] = field(default_factory=dict)
    wkb: bytes | None = None


@dataclass
class TerritoryDiff:
    """A record compared with the database: new, changed (which fields) or unchanged."""

    record: TerritoryRecord
    id: int | None = None
    version: int | None = None
    was_unlocated: bool = False
    changes: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def is_new(self) -> bool:
        """True when no territory of that kind and code exists."""
        return self.id is None


def _geojson(conn: Connection, wkb: bytes | None) -> str | None:
    if wkb is None:
        return None
    return shapely.to_geojson(shapely.set_precision(shapely.from_wkb(bytes(wkb)), 1e-6))


_COMPARE = text(
    """
    WITH f AS (
        SELECT u.ord, u.code, u.name, CAST(u.attrs AS jsonb) AS attrs,
               ST_SetSRID(ST_GeomFromWKB(u.wkb), 4326) AS g
          FROM unnest(CAST(:codes AS text[]), CAST(:names AS text[]), CAST(:attrs AS text[]),
                      CAST(:wkbs AS bytea[])) WITH ORDINALITY AS u(code, name, attrs, wkb, ord))
    SELECT f.ord, t.id, t.version, t.name AS old_name, t.attrs AS old_attrs,
           t.geom IS NULL AS unlocated,
           coalesce(t.attrs @> f.attrs, false) AS same_attrs,
           -- NULL: two different geometries, measured by same_geometry() (never by
           -- ST_HausdorffDistance: O(n·m) inside GEOS, deaf to cancellation).
           CASE WHEN t.geom IS NULL OR f.g IS NULL THEN t.geom IS NULL AND f.g IS NULL
                WHEN t.geom = f.g THEN true END AS same_geom,
           CASE WHEN t.geom IS NOT NULL AND f.g IS NOT NULL AND NOT t.geom = f.g
                THEN ST_AsBinary(t.geom) END AS old_wkb,
           ST_AsGeoJSON(t.geom, 6) AS old_geojson
      FROM f LEFT JOIN territory t ON t.kind = :kind AND t.code = f.code
     ORDER BY f.ord
    """
)


def same_geometry(a: BaseGeometry, b: BaseGeometry, eps: float = SAME_GEOMETRY_DEG) -> bool:
    """True when the discrete Hausdorff distance of ``a`` and ``b`` is below ``eps``.

    The same answer as PostGIS ``ST_HausdorffDistance(a, b) < eps`` (GEOS measures from every
    vertex of one to the lines, or points, of the other, both ways), in O(n log n) instead of
    O(n·m): two layers of 20,000-vertex polygons took GEOS ~9 s per feature. Cheap test first:
    a bounding-box edge that moved by ``eps`` or more moves a vertex at least that far.
    """
    if np.any(np.abs(np.subtract(shapely.bounds(a), shapely.bounds(b))) >= eps):
        return False
    return _vertices_near(a, b, eps) and _vertices_near(b, a, eps)


def _vertices_near(a: BaseGeometry, b: BaseGeometry, eps: float) -> bool:
    """Every vertex of ``a`` lies closer than ``eps`` to a segment (or point) of ``b``."""
    parts = shapely.get_parts(b)
    kinds = shapely.get_type_id(parts)
    lines = np.concatenate([shapely.get_rings(parts[kinds == 3]), parts[(kinds == 1) | (kinds == 2)]])
    coords, line = shapely.get_coordinates(lines, return_index=True)
    inner = line[1:] == line[:-1]
    segments = shapely.linestrings(np.stack([coords[:-1][inner], coords[1:][inner]], axis=1))
    tree = shapely.STRtree(np.concatenate([segments, parts[kinds == 0]]))
    vertices = np.asarray(shapely.points(shapely.get_coordinates(a)))
    # dwithin is "<=": the largest float below eps makes it "<", as ST_HausdorffDistance(...) < eps.
    near = tree.query(vertices, predicate="dwithin", distance=np.nextafter(eps, 0))[0]
    return bool(np.unique(near).size == vertices.size)


def compare_territories(conn: Connection, records: Sequence[TerritoryRecord]) -> list[TerritoryDiff]:
    """Compare records (of one or several kinds) with the database; write nothing.

    Unchanged means: same name, the stored attributes already hold the given ones, and the
    geometries are within :data:`SAME_GEOMETRY_DEG`. The source alone never counts as a change.
    """
    out: list[TerritoryDiff] = []
    by_kind: dict[str, list[tuple[int, TerritoryRecord]]] = {}
    for n, r in enumerate(records):
        by_kind.setdefault(r.kind, []).append((n, r))
    found: dict[int, TerritoryDiff] = {}
    for kind, items in by_kind.items():
        rows = conn.execute(
            _COMPARE,
            {
                "kind": kind,
                "codes": [r.code for _, r in items],
                "names": [r.name for _, r in items],
                "attrs": [json_text(dict(r.attrs)) for _, r in items],
                "wkbs": [r.wkb for _, r in items],
            },
        ).all()
        for (n, r), row in zip(items, rows, strict=True):
            d = TerritoryDiff(r, row.id, row.version, bool(row.unlocated))
            if row.id is not None:
                if row.old_name != r.name:
                    d.changes["name"] = [row.old_name, r.name]
                if not row.same_attrs:
                    d.changes["attrs"] = [row.old_attrs, {**(row.old_attrs or {}), **r.attrs}]
                same = row.same_geom
                if same is None:
                    same = same_geometry(
                        shapely.from_wkb(bytes(row.old_wkb)), shapely.from_wkb(bytes(r.wkb or b""))
                    )
                if not same:
                    d.changes["geometry"] = [row.old_geojson, _geojson(conn, r.wkb)]
            found[n] = d
    out = [found[n] for n in range(len(records))]
    return out


@dataclass
class SaveReport:
    """What :func:`save_territories` wrote."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    geometry_links: int | None = None


def save_territories(
    conn: Connection,
    actor: Actor,
    records: Sequence[TerritoryRecord],
    *,
    remove_ids: Sequence[int] = (),
    relink: bool = True,
    note: Mapping[str, Any] | None = None,
) -> SaveReport:
    """Create, update (only changed fields) and remove territories; then sectors and links.

    Args:
        conn: inside the caller's transaction.
        actor: who.
        records: the territories as the source gives them.
        remove_ids: territories to delete (their links go with them; the caller checks
            orphans first).
        relink: recompute every initiative's geometry links afterwards (territories moved).
        note: extra details for each audit row (the file, the layer).

    Raises:
        NotAuthorised: the actor's role may not replace official layers (nothing is written).
    """
    require(actor, "official_layers")
    report = SaveReport()
    entries: list[Entry] = []
    extra = dict(note or {})
    geometry_moved = False
    for d in compare_territories(conn, records):
        r = d.record
        if d.is_new:
            new = conn.execute(
                text(
                    """
                    INSERT INTO territory (kind, code, name, source, attrs, geom)
                    VALUES (:kind, :code, :name, :source, CAST(:attrs AS jsonb),
                            ST_SetSRID(ST_GeomFromWKB(:wkb), 4326))
                    RETURNING id
                    """
                ),
                {
                    "kind": r.kind,
                    "code": r.code,
                    "name": r.name,
                    "source": r.source,
                    "attrs": json_text(dict(r.attrs)),
                    "wkb": r.wkb,
                },
            ).scalar_one()
            changes: dict[str, list[Any]] = {
                "kind": [None, r.kind],
                "code": [None, r.code],
                "name": [None, r.name],
            }
            if r.attrs:
                changes["attrs"] = [None, dict(r.attrs)]
            if r.wkb is not None:
                changes["geometry"] = [None, _geojson(conn, r.wkb)]
                geometry_moved = True
            entries.append(
                Entry(
                    "crear_territorio",
                    "territory",
                    new,
                    {"version": 1, "changes": changes, "source": r.source, **extra},
                )
            )
            report.created += 1
            continue
        if not d.changes:
            report.unchanged += 1
            continue
        sets = ["source = :source", "version = version + 1"]
        if "name" in d.changes:
            sets.append("name = :name")
        if "attrs" in d.changes:
            sets.append("attrs = attrs || CAST(:attrs AS jsonb)")
        if "geometry" in d.changes:
            sets.append("geom = ST_SetSRID(ST_GeomFromWKB(:wkb), 4326)")
            geometry_moved = True
        conn.execute(
            text(f"UPDATE territory SET {', '.join(sets)} WHERE id = :id"),
            {"id": d.id, "source": r.source, "name": r.name, "attrs": json_text(dict(r.attrs)), "wkb": r.wkb},
        )
        assert d.version is not None
        entries.append(
            Entry(
                "editar_territorio",
                "territory",
                d.id,
                {"version": d.version + 1, "changes": d.changes, "source": r.source, **extra},
            )
        )
        report.updated += 1
    if remove_ids:
        gone = conn.execute(
            text(
                "DELETE FROM territory WHERE id = ANY(:ids) "
                "RETURNING id, kind, code, name, version, ST_AsGeoJSON(geom, 6) AS g"
            ),
            {"ids": list(remove_ids)},
        ).all()
        for g in gone:
            entries.append(
                Entry(
                    "eliminar_territorio",
                    "territory",
                    g.id,
                    {
                        "version": g.version,
                        "changes": {"name": [g.name, None], "geometry": [g.g, None]},
                        "kind": g.kind,
                        "code": g.code,
                        **extra,
                    },
                )
            )
        report.removed = len(gone)
        geometry_moved = geometry_moved or bool(gone)
    if geometry_moved:
        compute_sectors(conn)
        if relink:
            report.geometry_links = link_by_geometry(conn)
    record(conn, actor, entries)
    log.info(
        "territories written by %s (%s): %d new, %d changed, %d unchanged, %d removed",
        actor.name,
        actor.via,
        report.created,
        report.updated,
        report.unchanged,
        report.removed,
    )
    return report


def ensure_places(
    conn: Connection, actor: Actor, records: Sequence[TerritoryRecord]
) -> dict[tuple[str, str], int]:
    """The ids of these places by (kind, code), creating the missing ones (without geometry).

    Used for the places the plan names: they stay "sin ubicar" until a person places them.
    Only the catalogue loader creates places (the spreadsheet import and the editor link
    existing ones), an administrator's load like the base pack, so it needs the right of
    the official layers: a new territory is one.
    """
    require(actor, "official_layers")
    keys = sorted({(r.kind, r.code) for r in records})
    rows = conn.execute(
        text(
            "SELECT kind, code, id FROM territory "
            "WHERE (kind, code) IN (SELECT * FROM unnest(CAST(:k AS text[]), CAST(:c AS text[])))"
        ),
        {"k": [k for k, _ in keys], "c": [c for _, c in keys]},
    ).all()
    ids = {(r.kind, r.code): r.id for r in rows}
    missing = [r for r in {(r.kind, r.code): r for r in records}.values() if (r.kind, r.code) not in ids]
    if missing:
        save_territories(conn, actor, missing, relink=False)
        for r in conn.execute(
            text("SELECT kind, code, id FROM territory WHERE kind = ANY(:k) AND code = ANY(:c)"),
            {"k": sorted({r.kind for r in missing}), "c": [r.code for r in missing]},
        ):
            ids.setdefault((r.kind, r.code), r.id)
    return ids


# --- named sites ----------------------------------------------------------------------------


@dataclass
class PlaceResult:
    """A placed (or unplaced) site: its new version and the initiatives whose links were recomputed."""

    version: int
    initiatives: list[int] = field(default_factory=list)


def _site_for_update(conn: Connection, territory_id: int, expected_version: int) -> Any:
    site = conn.execute(
        text(
            "SELECT id, kind, name, version, ST_AsBinary(geom) AS wkb, ST_AsGeoJSON(geom, 6) AS g "
            "FROM territory WHERE id = :t FOR UPDATE"
        ),
        {"t": territory_id},
    ).first()
    if site is None:
        raise DataError("El sitio ya no existe.")
    if site.kind != "sitio":
        raise DataError("Solo se ubican así los sitios nombrados (no unidades vecinales ni localidades).")
    if site.version != expected_version:
        raise conflict_error(
            conn, "territory", territory_id, expected_version, site.version, f"el sitio «{site.name}»"
        )
    return site


def _relink_site(conn: Connection, territory_id: int) -> list[int]:
    """Recompute the geometry links of the initiatives linked to a site (by name or by hand)."""
    compute_sectors(conn)
    linked = list(
        conn.execute(
            text(
                """
                SELECT initiative_id FROM initiative_territory
                 WHERE territory_id = :t AND link_method <> 'geometria' ORDER BY initiative_id
                """
            ),
            {"t": territory_id},
        ).scalars()
    )
    if linked:
        link_by_geometry(conn, initiative_ids=linked)
    return linked


def place_site(
    bind: Engine | Connection,
    actor: Actor,
    territory_id: int,
    geometry: BaseGeometry,
    expected_version: int,
    origin: Mapping[str, Any] | None = None,
) -> PlaceResult:
    """Place (or move) a named site where a person drew it; relink its initiatives.

    ``origin`` says where the geometry came from when the person confirmed a suggestion
    (the reference layer, the feature and its agency); it is kept in the audit row.

    Initiatives linked to the site that have no geometry of their own get geometry links to
    the UVs and localities the site touches (see :func:`geo.territory.links.link_by_geometry`).

    Raises:
        ConflictError: someone placed or changed the site after ``expected_version``.
        ValidationError: the geometry is outside the commune.
        DataError: the territory is not a named site.
        NotAuthorised: the actor's role may not place sites.
    """
    require(actor, "sites")
    wkb = shapely.to_wkb(geometry)
    with transaction(bind) as conn:
        site = _site_for_update(conn, territory_id, expected_version)
        if not near_commune(conn, wkb):
            raise ValidationError({"geometry": f"«{site.name}» quedaría fuera de la comuna de Vallenar."})
        version = conn.execute(
            text(
                """
                UPDATE territory
                   SET geom = ST_SetSRID(ST_GeomFromWKB(:wkb), 4326), version = version + 1,
                       attrs = attrs || jsonb_build_object('ubicado_por', CAST(:n AS text),
                                                          'ubicado_el', now()::text)
                 WHERE id = :t RETURNING version
                """
            ),
            {"wkb": wkb, "t": territory_id, "n": actor.name},
        ).scalar_one()
        linked = _relink_site(conn, territory_id)
        action = "ubicar_sitio" if site.wkb is None else "reubicar_sitio"
        record(
            conn,
            actor,
            [
                Entry(
                    action,
                    "territory",
                    territory_id,
                    {
                        "version": version,
                        "changes": {"geometry": [site.g, _geojson(conn, wkb)]},
                        "iniciativas": linked,
                        **({"origen": dict(origin)} if origin else {}),
                    },
                )
            ],
        )
    log.info("site %s %s by %s", site.name, action, actor.name)
    return PlaceResult(version=version, initiatives=linked)


def unplace_site(
    bind: Engine | Connection, actor: Actor, territory_id: int, expected_version: int
) -> PlaceResult:
    """Return a site placed by mistake to "sin ubicar"; its initiatives lose the links it gave them."""
    require(actor, "sites")
    with transaction(bind) as conn:
        site = _site_for_update(conn, territory_id, expected_version)
        if site.wkb is None:
            raise DataError(f"«{site.name}» ya está sin ubicar.")
        version = conn.execute(
            text(
                """
                UPDATE territory SET geom = NULL, sector = NULL, version = version + 1,
                       attrs = attrs - 'ubicado_por' - 'ubicado_el' - 'urban_share'
                 WHERE id = :t RETURNING version
                """
            ),
            {"t": territory_id},
        ).scalar_one()
        linked = _relink_site(conn, territory_id)
        record(
            conn,
            actor,
            [
                Entry(
                    "quitar_ubicacion_sitio",
                    "territory",
                    territory_id,
                    {"version": version, "changes": {"geometry": [site.g, None]}, "iniciativas": linked},
                )
            ],
        )
    return PlaceResult(version=version, initiatives=linked)


# --- population figures --------------------------------------------------------------------


@dataclass(frozen=True)
class PopulationFigure:
    """An official population figure of one territory (ages: the four census groups, or empty)."""

    territory_id: int
    population: int
    source: str
    ages: Mapping[str, int] = field(default_factory=dict)


def set_population_figures(
    conn: Connection, actor: Actor, figures: Sequence[PopulationFigure], note: Mapping[str, Any] | None = None
) -> int:
    """Store official figures (they replace the census estimate); return how many changed."""
    require(actor, "population")
    current = {
        r.id: r
        for r in conn.execute(
            text(
                "SELECT id, version, population, population_source, attrs->'population_ages' AS ages "
                "FROM territory WHERE id = ANY(:ids) FOR UPDATE"
            ),
            {"ids": [f.territory_id for f in figures]},
        )
    }
    entries = []
    for f in figures:
        row = current[f.territory_id]
        changes: dict[str, list[Any]] = {}
        if row.population != f.population:
            changes["population"] = [row.population, f.population]
        if row.population_source != f.source:
            changes["population_source"] = [row.population_source, f.source]
        if (row.ages or {}) != dict(f.ages):
            changes["population_ages"] = [row.ages, dict(f.ages) or None]
        if not changes:
            continue
        conn.execute(
            text(
                """
                UPDATE territory SET population = :population, population_source = :source,
                       attrs = CASE WHEN CAST(:ages AS jsonb) IS NULL THEN attrs - 'population_ages'
                                    ELSE attrs || jsonb_build_object('population_ages',
                                                                     CAST(:ages AS jsonb)) END,
                       version = version + 1
                 WHERE id = :id
                """
            ),
            {
                "id": f.territory_id,
                "population": f.population,
                "source": f.source,
                "ages": json_text(dict(f.ages)) if f.ages else None,
            },
        )
        entries.append(
            Entry(
                "cifra_poblacion",
                "territory",
                f.territory_id,
                {"version": row.version + 1, "changes": changes, **(note or {})},
            )
        )
    record(conn, actor, entries)
    log.info("official population figures written by %s: %d changed", actor.name, len(entries))
    return len(entries)


def clear_population_figures(bind: Engine | Connection, actor: Actor) -> int:
    """Remove every official figure (the census estimate is shown again); return how many."""
    require(actor, "population")
    with transaction(bind) as conn:
        gone = conn.execute(
            text(
                """
                UPDATE territory t SET population = NULL, population_source = NULL,
                       attrs = t.attrs - 'population_ages', version = t.version + 1
                  FROM (SELECT id, population, population_source FROM territory
                         WHERE population IS NOT NULL FOR UPDATE) old
                 WHERE t.id = old.id
                RETURNING t.id, t.version, old.population, old.population_source
                """
            )
        ).all()
        record(
            conn,
            actor,
            [
                Entry(
                    "quitar_cifra_poblacion",
                    "territory",
                    g.id,
                    {
                        "version": g.version,
                        "changes": {
                            "population": [g.population, None],
                            "population_source": [g.population_source, None],
                        },
                    },
                )
                for g in gone
            ],
        )
        return len(gone)
