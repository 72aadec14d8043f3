"""Bad layer files: each gives a clear Spanish message and leaves the database unchanged.

Every input is built from the real UV layer (data/) and broken in one way a municipal file
really breaks. The test imports it for real (not a dry run) and compares a fingerprint of
every territory and link row before and after.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pandas as pd
import pyogrio
import pytest
import shapely
from shapely import affinity

from geo.errors import DataError
from geo.territory.layer_import import import_territories
from tests.support.actors import TESTER
from tests.support.layer_files import fingerprint, shapefile_zip, uv_layer


def truncated_zip(tmp: Path) -> Path:
    good = shapefile_zip(uv_layer(), tmp / "good.zip")
    data = good.read_bytes()
    path = tmp / "cortado.zip"
    path.write_bytes(data[: len(data) // 2])
    return path


def shapefile_without_prj(tmp: Path) -> Path:
    return shapefile_zip(uv_layer(), tmp / "sin_prj.zip", prj=False)


def cpg_says_utf8_but_dbf_is_latin1(tmp: Path) -> Path:
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "04", "t_uv_nom"] = "PEÑÓN"
    src = shapefile_zip(gdf, tmp / "latin1.zip", encoding="cp1252")
    path = tmp / "cpg_miente.zip"
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(path, "w") as b:
        for info in a.infolist():
            b.writestr(info.filename, b"UTF-8" if info.filename.endswith(".cpg") else a.read(info))
    return path


def geojson_in_latin1(tmp: Path) -> Path:
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "04", "t_uv_nom"] = "PEÑÓN"
    path = tmp / "latin1.geojson"
    path.write_bytes(gdf.to_json(ensure_ascii=False).encode("cp1252"))
    return path


def latlon_swapped(tmp: Path) -> Path:
    gdf = uv_layer()
    gdf["geometry"] = gdf.geometry.map(lambda g: shapely.transform(g, lambda c: c[:, ::-1]))
    path = tmp / "invertidas.geojson"
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def outside_the_commune(tmp: Path) -> Path:
    gdf = uv_layer()
    i = gdf.index[gdf.uv_carto == "05"][0]
    gdf.loc[i, "geometry"] = affinity.translate(gdf.geometry[i], xoff=-1.5)  # into the Pacific
    path = tmp / "fuera.gpkg"
    gdf.to_file(path, engine="pyogrio")
    return path


def empty_file(tmp: Path) -> Path:
    path = tmp / "vacio.geojson"
    path.write_bytes(b"")
    return path


def empty_layer(tmp: Path) -> Path:
    path = tmp / "sin_elementos.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    return path


def missing_name_column(tmp: Path) -> Path:
    gdf = uv_layer().drop(columns=["t_uv_nom"])
    path = tmp / "sin_nombre.geojson"
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def duplicated_codes(tmp: Path) -> Path:
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "09", "uv_carto"] = "08"
    path = tmp / "duplicados.geojson"
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def zip_with_path_traversal(tmp: Path) -> Path:
    src = shapefile_zip(uv_layer(), tmp / "ok.zip")
    path = tmp / "traversal.zip"
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(path, "w") as b:
        for info in a.infolist():
            b.writestr(info.filename, a.read(info))
        b.writestr("../../etc/cron.d/x", b"* * * * * root rm -rf /")
    return path


def zip_bomb(tmp: Path) -> Path:
    path = tmp / "bomba.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("capa.shp", b"\0" * (310 * 1024 * 1024))  # 310 MB of zeros, ~300 KB packed
    return path


def non_spatial_csv(tmp: Path) -> Path:
    path = tmp / "uv.csv"
    path.write_text("uv_carto;t_uv_nom\n01;CENTRO\n", encoding="utf-8")
    return path


def non_spatial_geopackage(tmp: Path) -> Path:
    gpkg = tmp / "tabla.gpkg"
    pyogrio.write_dataframe(
        pd.DataFrame({"uv_carto": ["01"], "t_uv_nom": ["CENTRO"]}), gpkg, layer="uv", driver="GPKG"
    )
    return gpkg


def not_a_layer_at_all(tmp: Path) -> Path:
    path = tmp / "capa.geojson"
    path.write_text("<html><body>Error 404</body></html>", encoding="utf-8")
    return path


def zip_without_shapefile(tmp: Path) -> Path:
    path = tmp / "sin_shp.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("leeme.txt", "capa de UV")
    return path


def geopackage_with_two_layers(tmp: Path) -> Path:
    path = tmp / "dos_capas.gpkg"
    uv_layer().to_file(path, layer="uv_2020", engine="pyogrio")
    uv_layer().to_file(path, layer="uv_2024", engine="pyogrio", append=False)
    return path


def points_as_uvs(tmp: Path) -> Path:
    gdf = uv_layer()
    gdf["geometry"] = gdf.geometry.representative_point()
    path = tmp / "puntos.geojson"
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def empty_geometry(tmp: Path) -> Path:
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "06", "geometry"] = shapely.Polygon()
    path = tmp / "geom_vacia.gpkg"
    gdf.to_file(path, engine="pyogrio")
    return path


def utm_declared_as_wgs84(tmp: Path) -> Path:
    gdf = uv_layer().to_crs(32719).set_crs(4326, allow_override=True)
    path = tmp / "src_equivocado.geojson"
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def code_over_60_characters(tmp: Path) -> Path:
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "06", "uv_carto"] = "6" * 61
    path = tmp / "codigo_largo.geojson"
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    return path


def nul_in_a_geojson_name(tmp: Path) -> Path:
    data = json.loads(uv_layer().to_json())
    data["features"][0]["properties"]["t_uv_nom"] = "Baque\u0000dano"
    path = tmp / "nul.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")  # json.dumps writes the NUL as \u0000
    return path


def name_of_100_kb(tmp: Path) -> Path:
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "06", "t_uv_nom"] = "B" * 100_000
    path = tmp / "nombre_largo.gpkg"
    gdf.to_file(path, engine="pyogrio")
    return path


U = "unidad_vecinal"
CORPUS = [
    (truncated_zip, U, r"cortado\.zip: el archivo comprimido está dañado o incompleto"),
    (shapefile_without_prj, U, r"no trae el archivo \.prj.*no se adivina"),
    (cpg_says_utf8_but_dbf_is_latin1, U, r"declara la codificación UTF-8.*--encoding latin1"),
    (geojson_in_latin1, U, r"latin1\.geojson: el archivo no está en UTF-8"),
    (
        latlon_swapped,
        U,
        r"elemento 1 \(«Baquedano», código 06\): coordenadas con latitud y "
        r"longitud invertidas",
    ),
    (outside_the_commune, U, r"«Carrera», código 05\): está fuera de la comuna de Vallenar"),
    (empty_file, U, r"vacio\.geojson: el archivo está vacío"),
    (empty_layer, U, r"no contiene elementos"),
    (
        missing_name_column,
        U,
        r"no se encontró el campo de nombre.*Campos del archivo: .*uv_carto"
        r".*--name-field",
    ),
    (duplicated_codes, U, r"«Vista Alegre»\): el código «08» se repite \(también en el elemento 5\)"),
    (zip_with_path_traversal, U, r"la entrada «\.\./\.\./etc/cron\.d/x» apunta fuera"),
    (zip_bomb, U, r"bomba\.zip: descomprimido (ocuparía|supera)"),
    (non_spatial_csv, U, r"uv\.csv: formato no admitido «\.csv»"),
    (non_spatial_geopackage, U, r"no tiene geometrías \(es una tabla sin coordenadas\)"),
    (
        not_a_layer_at_all,  # GDAL's English detail (with the temporary path) stays in the log
        U,
        r"capa\.geojson: no se pudo leer como capa geográfica \((el contenido no es un GeoJSON válido|no es "
        r"un formato de capa reconocido o el archivo está dañado|el archivo está dañado o incompleto)\)\.$",
    ),
    (zip_without_shapefile, U, r"no contiene ningún Shapefile"),
    (geopackage_with_two_layers, U, r"contiene 2 capas \(uv_2020, uv_2024\).*--layer"),
    (points_as_uvs, U, r"geometría de tipo Point; para unidades vecinales se aceptan Polygon"),
    (empty_geometry, U, r"«Baquedano», código 06\): (no tiene geometría|la geometría está vacía)"),
    (utm_declared_as_wgs84, U, r"coordenadas fuera de rango para el SRC declarado \(EPSG:4326\)"),
    (code_over_60_characters, U, r"el campo «uv_carto» \(código\) tiene 61 caracteres; el máximo es 60"),
    (nul_in_a_geojson_name, U, r"nul\.geojson: el archivo contiene un carácter NUL"),
    (name_of_100_kb, U, r"el campo «t_uv_nom» \(nombre\) tiene 100\.000 caracteres; el máximo es 300"),
]


@pytest.mark.parametrize("build,kind,message", CORPUS, ids=[c[0].__name__ for c in CORPUS])
def test_bad_layer_is_refused_clearly_and_changes_nothing(conn, tmp_path, build, kind, message):
    path = build(tmp_path)
    before = fingerprint(conn)
    with pytest.raises(DataError, match=message) as err:
        import_territories(conn, path, kind, actor=TESTER)
    assert "Traceback" not in str(err.value) and "/tmp" not in str(err.value)
    assert fingerprint(conn) == before


def test_a_file_with_several_problems_lists_them_all(conn, tmp_path):
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "09", "uv_carto"] = "08"
    i = gdf.index[gdf.uv_carto == "05"][0]
    gdf.loc[i, "geometry"] = affinity.translate(gdf.geometry[i], xoff=-1.5)
    path = tmp_path / "varios.geojson"
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(DataError) as err:
        import_territories(conn, path, "unidad_vecinal", dry_run=True, actor=TESTER)
    msg = str(err.value)
    assert "2 elemento(s) con problemas" in msg and "se repite" in msg and "fuera de la comuna" in msg
    assert len(err.value.report.rejected) == 2
