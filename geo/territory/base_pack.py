"""Importer of the base territorial pack (``data/`` or any folder laid out like it).

The pack keeps the CRS and attribute names of its sources (national UV layer, INE 2016
cartography in EPSG:4674, MINSAL/MINEDUC lists): this module maps them to the project's
tables, reprojects to EPSG:4326, and upserts by natural key so loading twice changes
nothing. One transaction per load.
"""

from __future__ import annotations

import csv
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, text

from geo.db import transaction
from geo.errors import DataError
from geo.store.actor import Actor
from geo.store.audit import json_text
from geo.store.permissions import require
from geo.store.territories import TerritoryRecord, save_territories
from geo.territory.names import place_title, slug
from geo.territory.reference import load_reference_layers
from geo.territory.sectors import compute_sectors
from geo.territory.vector import read_layer

log = logging.getLogger(__name__)

COMMUNE_CODE = "03301"

PACK_FILES = {
    "uv": "unidades_vecinales.geojson",
    "commune": "limite_comunal.geojson",
    "urban": "limite_urbano_ine2016.geojson",
    "villages": "aldeas_ine2016.geojson",
    "districts": "distritos_censales_ine2016.geojson",
    "zones": "zonas_censales_ine2016.geojson",
    "blocks": "manzanas_ine2016.geojson",
    "census": "censo2017_poblacion_zonas_localidades.csv",
    "health": "establecimientos_salud.csv",
    "schools": "establecimientos_educacionales.csv",
}

SRC_UV = "Capa nacional de unidades vecinales (MDSF), recortada a Vallenar; ver data/SOURCES.md"
SRC_INE = "INE, cartografía precenso 2016; ver data/SOURCES.md"
SRC_DPA = "IDE Chile, División Político Administrativa 2023; ver data/SOURCES.md"
SRC_CENSUS = "INE, Censo 2017 (vía chilemapas); ver data/SOURCES.md"
SRC_HEALTH = "MINSAL DEIS, establecimientos de salud (datos.gob.cl); ver data/SOURCES.md"
SRC_SCHOOLS = "MINEDUC, Directorio Oficial de Establecimientos 2025; ver data/SOURCES.md"
RURAL_POST_TYPE = "Posta de Salud Rural (PSR)"
RURAL_POST_PREFIX = "Posta de Salud Rural "


@dataclass
class LoadReport:
    """What a load wrote, for the CLI and the tests."""

    counts: dict[str, int] = field(default_factory=dict)
    repaired: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _require(pack: Path, key: str) -> Path:
    path = pack / PACK_FILES[key]
    if not path.is_file():
        raise DataError(f"No se encontró el archivo «{PACK_FILES[key]}» en el paquete de datos «{pack}».")
    return path


def _wkb(geom: BaseGeometry, label: str, report: LoadReport) -> bytes:
    if not geom.is_valid:
        report.repaired.append(label)
        geom = shapely.make_valid(geom)
    return shapely.to_wkb(geom, hex=False)


def _multi(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type == "Polygon":
        return shapely.MultiPolygon([cast(shapely.Polygon, geom)])
    return geom


def load_unidades_vecinales(pack: Path, report: LoadReport) -> list[TerritoryRecord]:
    """Read the national UV layer: code ``uv_carto`` (01..15), name ``t_uv_nom``."""
    gdf = read_layer(_require(pack, "uv"), ("uv_carto", "t_uv_nom", "t_id_uv_ca"))
    records = []
    row: Any
    for row in gdf.itertuples():
        code = str(row.uv_carto).zfill(2)
        attrs = {"t_id_uv_ca": _plain(row.t_id_uv_ca), "t_com": _plain(getattr(row, "t_com", None))}
        records.append(
            TerritoryRecord(
                "unidad_vecinal",
                code,
                place_title(str(row.t_uv_nom)),
                SRC_UV,
                attrs,
                _wkb(row.geometry, f"UV {code}", report),
            )
        )
    return records


def _plain(value: object) -> object:
    """A JSON-ready attribute (numpy scalars as Python values)."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def load_boundaries(conn: Connection, pack: Path, report: LoadReport) -> int:
    """Load the commune limit (DPA) and the urban limit (INE 2016)."""
    rows = []
    commune = read_layer(_require(pack, "commune"), ("CUT_COM",))
    commune = commune[commune["CUT_COM"].astype(str).str.zfill(5) == COMMUNE_CODE]
    if commune.empty:
        raise DataError(f"«{PACK_FILES['commune']}» no contiene la comuna {COMMUNE_CODE}.")
    rows.append(("limite_comunal", COMMUNE_CODE, "Comuna de Vallenar", SRC_DPA, commune.geometry.union_all()))
    urban = read_layer(_require(pack, "urban"), ("DESC_URBAN",))
    for name, part in urban.groupby("DESC_URBAN"):
        rows.append(
            (
                "limite_urbano",
                slug(str(name)),
                f"Límite urbano {place_title(str(name))}",
                SRC_INE,
                part.geometry.union_all(),
            )
        )
    for kind, code, name, source, geom in rows:
        conn.execute(
            text(
                """
                INSERT INTO boundary (kind, code, name, source, geom)
                VALUES (:kind, :code, :name, :source,
                        ST_Multi(ST_SetSRID(ST_GeomFromWKB(:wkb), 4326)))
                ON CONFLICT (kind, code) DO UPDATE
                   SET name = EXCLUDED.name, source = EXCLUDED.source, geom = EXCLUDED.geom
                """
            ),
            {
                "kind": kind,
                "code": code,
                "name": name,
                "source": source,
                "wkb": _wkb(_multi(geom), name, report),
            },
        )
    return len(rows)


def _read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _point(lat: str, lon: str) -> bytes | None:
    if not (lat or "").strip() or not (lon or "").strip():
        return None
    return shapely.to_wkb(shapely.Point(float(lon), float(lat)))


def load_facilities(conn: Connection, pack: Path, report: LoadReport) -> dict[str, int]:
    """Load schools (MINEDUC) and health establishments (MINSAL DEIS)."""
    sql = text(
        """
        INSERT INTO facility (kind, code, name, subtype, dependency, operating_status,
                              in_operation, source, attrs, geom)
        VALUES (:kind, :code, :name, :subtype, :dependency, :status, :in_operation, :source,
                CAST(:attrs AS jsonb), ST_SetSRID(ST_GeomFromWKB(:wkb), 4326))
        ON CONFLICT (kind, code) DO UPDATE
           SET name = EXCLUDED.name, subtype = EXCLUDED.subtype,
               dependency = EXCLUDED.dependency, operating_status = EXCLUDED.operating_status,
               in_operation = EXCLUDED.in_operation, source = EXCLUDED.source,
               attrs = EXCLUDED.attrs, geom = EXCLUDED.geom
         WHERE (facility.name, facility.operating_status, facility.attrs, facility.geom)
               IS DISTINCT FROM
               (EXCLUDED.name, EXCLUDED.operating_status, EXCLUDED.attrs, EXCLUDED.geom)
        """
    )
    schools = _read_csv(_require(pack, "schools"))
    for r in schools:
        conn.execute(
            sql,
            {
                "kind": "escuela",
                "code": r["rbd"],
                "name": r["nombre_establecimiento"],
                "subtype": None,
                "dependency": r["dependencia_administrativa"],
                "status": r["estado_funcionamiento"],
                "in_operation": r["estado_funcionamiento"].strip() == "Vigente",
                "source": SRC_SCHOOLS,
                "attrs": json_text({"rbd": r["rbd"], "dv_rbd": r.get("dv_rbd")}),
                "wkb": _point(r["latitud"], r["longitud"]),
            },
        )
    health = _read_csv(_require(pack, "health"))
    for r in health:
        status = r["estado_funcionamiento"]
        conn.execute(
            sql,
            {
                "kind": "salud",
                "code": r["codigo_establecimiento"],
                "name": r["nombre_establecimiento"],
                "subtype": r["tipo_establecimiento"],
                "dependency": r["dependencia_administrativa"],
                "status": status,
                "in_operation": status.startswith("Vigente"),
                "source": SRC_HEALTH,
                "attrs": json_text(
                    {k: r.get(k) for k in ("nivel_atencion", "tiene_servicio_urgencia", "tipo_urgencia")}
                ),
                "wkb": _point(r["latitud"], r["longitud"]),
            },
        )
    return {"escuela": len(schools), "salud": len(health)}


def load_localities(pack: Path, report: LoadReport) -> list[TerritoryRecord]:
    """Read rural localities: INE aldeas (polygons) and places known by their rural post.

    Cachiyuyo, Incahuasi and Hacienda Ventanas have no polygon in the pack; their location is
    the point of their Posta de Salud Rural (MINSAL DEIS), stated as such in ``source``.
    A closed post without coordinates gives no locality.
    """
    villages = read_layer(_require(pack, "villages"), ("NOMBRE",))
    names: set[str] = set()
    records = []
    row: Any
    for row in villages.itertuples():
        name = place_title(str(row.NOMBRE))
        names.add(slug(name))
        records.append(
            TerritoryRecord(
                "localidad",
                slug(name),
                name,
                f"{SRC_INE} (aldea)",
                {"tipo_ine": _plain(row.TIPO)},
                _wkb(row.geometry, name, report),
            )
        )
    for r in _read_csv(_require(pack, "health")):
        if r["tipo_establecimiento"] != RURAL_POST_TYPE:
            continue
        name = r["nombre_establecimiento"].removeprefix(RURAL_POST_PREFIX).strip()
        wkb = _point(r["latitud"], r["longitud"])
        if slug(name) in names or wkb is None or not r["estado_funcionamiento"].startswith("Vigente"):
            continue
        names.add(slug(name))
        records.append(
            TerritoryRecord(
                "localidad",
                slug(name),
                name,
                f"Ubicación de la {r['nombre_establecimiento']} (código {r['codigo_establecimiento']}), "
                f"{SRC_HEALTH}",
                {"located_by_facility": r["codigo_establecimiento"]},
                wkb,
            )
        )
    return records


def load_census(conn: Connection, pack: Path, report: LoadReport) -> dict[str, int]:
    """Load census districts, urban zones, blocks and the 2017 population table."""
    area_sql = text(
        """
        INSERT INTO census_area (kind, code, name, district_code, zone_code, source, attrs, geom)
        VALUES (:kind, :code, :name, :district, :zone, :source, CAST(:attrs AS jsonb),
                ST_Multi(ST_SetSRID(ST_GeomFromWKB(:wkb), 4326)))
        ON CONFLICT (kind, code) DO UPDATE
           SET name = EXCLUDED.name, district_code = EXCLUDED.district_code,
               zone_code = EXCLUDED.zone_code, source = EXCLUDED.source,
               attrs = EXCLUDED.attrs, geom = EXCLUDED.geom
        """
    )
    counts: dict[str, int] = {}
    districts = read_layer(_require(pack, "districts"), ("COD_DISTRI", "DESC_DISTR"))
    row: Any
    for row in districts.itertuples():
        d = f"{int(row.COD_DISTRI):02d}"
        conn.execute(
            area_sql,
            {
                "kind": "distrito",
                "code": f"{COMMUNE_CODE}{d}",
                "name": place_title(row.DESC_DISTR),
                "district": d,
                "zone": None,
                "source": SRC_INE,
                "attrs": json_text({}),
                "wkb": _wkb(_multi(row.geometry), f"distrito {d}", report),
            },
        )
    counts["distrito"] = len(districts)
    zones = read_layer(_require(pack, "zones"), ("COD_DISTRI", "COD_ZONA"))
    for row in zones.itertuples():
        d, z = f"{int(row.COD_DISTRI):02d}", f"{int(row.COD_ZONA):03d}"
        # geocodigo = comuna(5) + distrito(2) + area(1: urbana) + zona(3)
        conn.execute(
            area_sql,
            {
                "kind": "zona",
                "code": f"{COMMUNE_CODE}{d}1{z}",
                "name": None,
                "district": d,
                "zone": z,
                "source": SRC_INE,
                "attrs": json_text({}),
                "wkb": _wkb(_multi(row.geometry), f"zona {d}-{z}", report),
            },
        )
    counts["zona"] = len(zones)
    blocks = read_layer(_require(pack, "blocks"), ("MANZENT", "COD_DIS", "COD_ZON"))
    for row in blocks.itertuples():
        d, z = f"{int(row.COD_DIS):02d}", f"{int(row.COD_ZON):03d}"
        conn.execute(
            area_sql,
            {
                "kind": "manzana",
                "code": str(row.MANZENT),
                "name": None,
                "district": d,
                "zone": z,
                "source": SRC_INE,
                "attrs": json_text({}),
                "wkb": _wkb(_multi(row.geometry), f"manzana {row.MANZENT}", report),
            },
        )
    counts["manzana"] = len(blocks)
    pop_sql = text(
        """
        INSERT INTO census_population (geocode, age_group, persons, source)
        VALUES (:geocode, :age, :persons, :source)
        ON CONFLICT (geocode, age_group) DO UPDATE SET persons = EXCLUDED.persons
        """
    )
    rows = _read_csv(_require(pack, "census"))
    for i, r in enumerate(rows, start=2):
        try:
            persons = int(r["poblacion"])
        except (KeyError, ValueError) as exc:
            raise DataError(
                f"«{PACK_FILES['census']}», fila {i}, columna «poblacion»: "
                f"valor no numérico {r.get('poblacion')!r}."
            ) from exc
        conn.execute(
            pop_sql, {"geocode": r["geocodigo"], "age": r["edad"], "persons": persons, "source": SRC_CENSUS}
        )
    counts["poblacion"] = len(rows)
    return counts


def load_base_pack(engine: Engine | Connection, pack: Path, actor: Actor | None = None) -> LoadReport:
    """Load every layer of ``pack`` in one transaction and return what was written.

    UVs and localities go through the one write path (:func:`geo.store.territories.save_territories`):
    a reload writes only what changed in the pack, and each change is audited. The boundaries,
    facilities and census written here are official layers too: the actor's role is checked
    before anything is read.
    """
    actor = actor or Actor.system("carga de datos base")
    require(actor, "official_layers")
    pack = Path(pack)
    if not pack.is_dir():
        raise DataError(f"No existe la carpeta del paquete de datos «{pack}».")
    report = LoadReport()
    with transaction(engine) as conn:
        report.counts["limites"] = load_boundaries(conn, pack, report)
        uvs = load_unidades_vecinales(pack, report)
        report.counts["unidad_vecinal"] = len(uvs)
        report.counts.update(load_facilities(conn, pack, report))
        localities = load_localities(pack, report)
        report.counts["localidad"] = len(localities)
        save_territories(
            conn,
            actor,
            [*uvs, *localities],
            note={"paquete": pack.name},
        )
        report.counts.update(load_census(conn, pack, report))
        compute_sectors(conn)
        references = load_reference_layers(conn, pack, actor)
        report.counts["referencia"] = sum(r.created + r.updated + r.unchanged for r in references.values())
        for table in (
            "territory",
            "facility",
            "boundary",
            "census_area",
            "census_population",
            "reference_feature",
        ):
            conn.execute(text(f"ANALYZE {table}"))
    return report
