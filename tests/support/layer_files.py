"""Builders of layer files for the import tests, made from the real UV layer in data/."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import shapely
from sqlalchemy import Connection, text

from geo.settings import PROJECT_ROOT

UV_FILE = PROJECT_ROOT / "data" / "unidades_vecinales.geojson"


def uv_layer() -> gpd.GeoDataFrame:
    """The national UV layer as shipped in data/ (EPSG:4326)."""
    return gpd.read_file(UV_FILE)


def shapefile_zip(
    gdf: gpd.GeoDataFrame,
    path: Path,
    encoding: str = "UTF-8",
    cpg: bool = True,
    prj: bool = True,
    stem: str = "capa",
) -> Path:
    """Write ``gdf`` as a zipped Shapefile; optionally drop the .cpg or .prj."""
    folder = path.parent / (path.stem + "_shp")
    folder.mkdir()
    gdf.to_file(folder / f"{stem}.shp", encoding=encoding, engine="pyogrio")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in sorted(folder.iterdir()):
            if (f.suffix == ".cpg" and not cpg) or (f.suffix == ".prj" and not prj):
                continue
            zf.write(f, f.name)
    return path


def fingerprint(conn: Connection) -> str:
    """Digest of every territory and link row (what an import may change)."""
    return conn.execute(
        text(
            """
        SELECT md5(coalesce((SELECT string_agg(concat_ws('|', id, kind, code, name, source,
                                   attrs::text, encode(ST_AsEWKB(geom), 'hex'), version, sector),
                                   ';' ORDER BY id) FROM territory), '')
                || '#' ||
                coalesce((SELECT string_agg(concat_ws('|', initiative_id, territory_id, link_method,
                                   weight, place_ref), ';' ORDER BY initiative_id, territory_id)
                            FROM initiative_territory), '')
                || '#' || (SELECT count(*) FROM audit_log))
        """
        )
    ).scalar_one()


def metres_apart(a: shapely.Geometry, b: shapely.Geometry) -> float:
    """Hausdorff distance in metres (both in EPSG:4326, measured in UTM 19S)."""
    s = gpd.GeoSeries([a, b], crs=4326).to_crs(32719)
    return float(s.iloc[0].hausdorff_distance(s.iloc[1]))


def new_edition(tmp_path: Path) -> tuple[Path, dict]:
    """The SENAPRED file with one point renamed, one gone and one new (the next winter's)."""
    fc = json.loads(
        (PROJECT_ROOT / "data" / "referencia" / "puntos_criticos_senapred_invierno2024.geojson").read_text(
            encoding="utf-8"
        )
    )
    features = fc["features"]
    renamed = features[0]["properties"]
    renamed["sector"] = "Sector renombrado"
    gone = features.pop(1)
    added = json.loads(json.dumps(features[2]))
    added["properties"]["fid"] = 99999
    added["properties"]["sector"] = "Punto nuevo 2025"
    features.append(added)
    path = tmp_path / "senapred_2025.geojson"
    path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")
    return path, gone["properties"]
