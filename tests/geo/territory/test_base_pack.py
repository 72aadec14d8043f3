"""The base-pack importer on the real Vallenar pack."""

import shutil
from pathlib import Path

import pytest
from sqlalchemy import text

from geo.errors import DataError
from geo.territory.base_pack import load_base_pack
from geo.territory.names import place_title, slug
from tests.conftest import DATA


def scalar(conn, sql, **params):
    return conn.execute(text(sql), params).scalar()


def test_fifteen_uvs_eleven_urban_four_rural(conn):
    rows = conn.execute(
        text("SELECT code, name, sector FROM territory WHERE kind = 'unidad_vecinal' ORDER BY code")
    ).all()
    assert [r.code for r in rows] == [f"{n:02d}" for n in range(1, 16)]
    rural = {r.name for r in rows if r.sector == "rural"}
    assert rural == {"Algarrobal", "Domeincachi", "Huasco Poniente", "Huasco Oriente"}
    assert sum(r.sector == "urbano" for r in rows) == 11


def test_sector_is_computed_from_overlap_with_urban_limit(conn):
    # Overwrite the sector by hand, recompute: the overlap decides, not what was typed.
    from geo.territory.sectors import compute_sectors

    conn.execute(text("UPDATE territory SET sector = 'rural' WHERE kind = 'unidad_vecinal' AND code = '02'"))
    compute_sectors(conn)
    assert scalar(conn, "SELECT sector FROM territory WHERE kind='unidad_vecinal' AND code='02'") == "urbano"
    share = scalar(
        conn, "SELECT (attrs->>'urban_share')::float FROM territory WHERE kind='unidad_vecinal' AND code='02'"
    )
    assert share > 0.9


def test_ine_layers_are_reprojected_from_sirgas(conn):
    # The Domeyko aldea (EPSG:4674 in the pack) must contain the Domeyko rural post
    # (WGS84 lat/lon in the MINSAL list) once both are in EPSG:4326.
    inside = scalar(
        conn,
        """
        SELECT ST_Contains(ST_Buffer(t.geom::geography, 300)::geometry, f.geom)
          FROM territory t, facility f
         WHERE t.kind = 'localidad' AND t.code = 'DOMEYKO'
           AND f.name = 'Posta de Salud Rural Domeyko'""",
    )
    assert inside is True
    assert scalar(conn, "SELECT count(DISTINCT ST_SRID(geom)) FROM territory WHERE geom IS NOT NULL") == 1


def test_rural_localities_from_aldeas_and_rural_posts(conn):
    rows = conn.execute(
        text(
            "SELECT name, GeometryType(geom) AS g, sector, source FROM territory "
            "WHERE kind = 'localidad' AND geom IS NOT NULL ORDER BY name"
        )
    ).all()
    by_name = {r.name: r for r in rows}
    assert {"Buena Esperanza", "La Compañía", "Quebrada El Jilguero", "Domeyko"} <= set(by_name)
    assert {"Cachiyuyo", "Incahuasi", "Hacienda Ventanas"} <= set(by_name)
    assert by_name["Cachiyuyo"].g == "POINT" and "Posta de Salud Rural" in by_name["Cachiyuyo"].source
    assert all(r.sector == "rural" for r in rows)


def test_facilities_keep_operating_status(conn):
    counts = dict(conn.execute(text("SELECT kind, count(*) FROM facility GROUP BY kind")).all())
    assert counts == {"escuela": 40, "salud": 31}
    closed = scalar(conn, "SELECT count(*) FROM facility WHERE kind='salud' AND NOT in_operation")
    assert closed == 6
    assert scalar(conn, "SELECT count(*) FROM facility WHERE geom IS NULL") == 2 + 5


def test_census_geographies_and_population(conn):
    counts = dict(conn.execute(text("SELECT kind, count(*) FROM census_area GROUP BY kind")).all())
    assert counts == {"distrito": 15, "zona": 13, "manzana": 785}
    assert scalar(conn, "SELECT sum(persons) FROM census_population") == 48759


def test_loading_twice_changes_nothing(conn):
    before = conn.execute(text("SELECT count(*), max(updated_at) FROM territory")).one()
    facilities = scalar(conn, "SELECT count(*) FROM facility")
    load_base_pack(conn, DATA)
    after = conn.execute(text("SELECT count(*), max(updated_at) FROM territory")).one()
    assert tuple(after) == tuple(before)
    assert scalar(conn, "SELECT count(*) FROM facility") == facilities


def test_missing_file_is_reported_in_spanish_and_nothing_is_written(conn, tmp_path: Path):
    pack = tmp_path / "pack"
    pack.mkdir()
    for f in DATA.glob("*"):
        if f.is_file() and f.name != "establecimientos_salud.csv":
            shutil.copy(f, pack / f.name)
    conn.execute(text("DELETE FROM initiative_territory"))
    conn.execute(text("DELETE FROM territory WHERE kind = 'unidad_vecinal'"))
    with pytest.raises(DataError, match="No se encontró el archivo «establecimientos_salud.csv»"):
        load_base_pack(conn, pack)
    # UVs come before facilities in the load: the failed load must not leave them behind.
    assert scalar(conn, "SELECT count(*) FROM territory WHERE kind = 'unidad_vecinal'") == 0


def test_bad_population_value_names_file_row_and_column(conn, tmp_path: Path):
    pack = tmp_path / "pack"
    shutil.copytree(DATA, pack)
    csv = pack / "censo2017_poblacion_zonas_localidades.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",muchos"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"fila 4, columna «poblacion»"):
        load_base_pack(conn, pack)


def test_layer_without_crs_is_refused_not_guessed(tmp_path: Path):
    import geopandas as gpd

    from geo.territory.vector import read_layer

    shp = tmp_path / "aldeas.shp"
    gpd.read_file(DATA / "aldeas_ine2016.geojson").to_file(shp)
    shp.with_suffix(".prj").unlink()
    with pytest.raises(DataError, match="no declara sistema de coordenadas"):
        read_layer(shp)


def test_names_are_title_cased_like_people_write_them():
    assert place_title("LAS TERRAZAS-BUEN RETIRO") == "Las Terrazas-Buen Retiro"
    assert place_title("O'HIGGINS") == "O'Higgins"
    assert place_title("QUEBRADA DE PAIPOTE") == "Quebrada de Paipote"
    assert slug("La Compañía") == "LA-COMPANIA"
