"""``sit import territories`` run as a separate process against its own database."""

import json

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import run_sit, set_up_database
from tests.support.layer_files import fingerprint, shapefile_zip, uv_layer


@pytest.fixture(scope="module")
def layers_url():
    return set_up_database("cli_layers")


def _fingerprint(url):
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return fingerprint(conn)
    finally:
        eng.dispose()


def _scalar(url, sql):
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        eng.dispose()


def test_dry_run_previews_in_spanish_and_writes_nothing(layers_url, tmp_path):
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "02", "t_uv_nom"] = "CENTRO ORIENTE ALTO"
    path = shapefile_zip(gdf.to_crs(5361), tmp_path / "uv_sirgas_chile.zip", encoding="cp1252", cpg=False)
    before = _fingerprint(layers_url)
    out = run_sit(
        "import", "territories", "--kind", "unidad_vecinal", str(path), "--dry-run", url=layers_url
    ).stdout
    assert "Vista previa (no se escribió nada): uv_sirgas_chile.zip" in out
    assert "SRC: EPSG:5361" in out and "codificación: UTF-8" in out
    assert "actualizados: 1" in out and "sin cambios: 14" in out
    assert "actualizado: 02 Centro Oriente Alto (nombre)" in out
    assert _fingerprint(layers_url) == before

    out = run_sit("import", "territories", "--kind", "unidad_vecinal", str(path), url=layers_url).stdout
    assert "Capa importada: uv_sirgas_chile.zip" in out
    assert (
        _scalar(layers_url, "SELECT name FROM territory WHERE kind = 'unidad_vecinal' AND code = '02'")
        == "Centro Oriente Alto"
    )
    assert _scalar(layers_url, "SELECT count(*) FROM audit_log WHERE action = 'importar_capa'") == 1


def test_orphans_are_refused_until_allowed(layers_url, tmp_path):
    gdf = uv_layer()
    path = tmp_path / "sin_uv14.geojson"
    gdf[gdf.uv_carto != "14"].to_file(path, driver="GeoJSON", engine="pyogrio")
    before = _fingerprint(layers_url)
    preview = json.loads(
        run_sit(
            "import",
            "territories",
            "--kind",
            "unidad_vecinal",
            str(path),
            "--dry-run",
            "--json",
            url=layers_url,
        ).stdout
    )
    assert preview["counts"]["eliminados"] == 1 and preview["counts"]["vínculos que se perderían"] > 0
    proc = run_sit(
        "import", "territories", "--kind", "unidad_vecinal", str(path), url=layers_url, check=False
    )
    assert proc.returncode == 2
    assert "quedarían sin territorio" in proc.stderr and "--allow-orphans" in proc.stderr
    assert _fingerprint(layers_url) == before
    out = run_sit(
        "import", "territories", "--kind", "unidad_vecinal", str(path), "--allow-orphans", url=layers_url
    ).stdout
    assert "eliminado: 14 Huasco Oriente" in out
    assert _scalar(layers_url, "SELECT count(*) FROM territory WHERE kind = 'unidad_vecinal'") == 14


@pytest.mark.parametrize(
    "builder,message",
    [
        ("no_prj", "no trae el archivo .prj"),
        ("swapped", "latitud y longitud invertidas"),
    ],
)
def test_bad_files_exit_2_with_the_reason(layers_url, tmp_path, builder, message):
    import shapely

    gdf = uv_layer()
    if builder == "no_prj":
        path = shapefile_zip(gdf, tmp_path / "capa.zip", prj=False)
    else:
        gdf["geometry"] = gdf.geometry.map(lambda g: shapely.transform(g, lambda c: c[:, ::-1]))
        path = tmp_path / "capa.geojson"
        gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    before = _fingerprint(layers_url)
    proc = run_sit(
        "import", "territories", "--kind", "unidad_vecinal", str(path), url=layers_url, check=False
    )
    assert proc.returncode == 2
    assert message in proc.stderr and "Traceback" not in proc.stderr
    assert _fingerprint(layers_url) == before


def test_field_options_and_geopackage_layer_choice(layers_url, tmp_path):
    import geopandas as gpd
    import shapely

    path = tmp_path / "sitios.gpkg"
    sites = gpd.GeoDataFrame(
        {"ID_SITIO": ["S-01"], "DENOM": ["Mirador del Río"]},
        geometry=[shapely.Point(-70.76, -28.58)],
        crs=4326,
    )
    sites.to_file(path, layer="sitios", engine="pyogrio")
    uv_layer().to_file(path, layer="otra", engine="pyogrio")
    proc = run_sit("import", "territories", "--kind", "sitio", str(path), url=layers_url, check=False)
    assert proc.returncode == 2 and "elija una (opción --layer)" in proc.stderr
    out = run_sit(
        "import",
        "territories",
        "--kind",
        "sitio",
        str(path),
        "--layer",
        "sitios",
        "--code-field",
        "ID_SITIO",
        "--name-field",
        "DENOM",
        url=layers_url,
    ).stdout
    assert "nuevo: S-01 Mirador del Río" in out
    assert (
        _scalar(layers_url, "SELECT sector FROM territory WHERE kind = 'sitio' AND code = 'S-01'") == "urbano"
    )
