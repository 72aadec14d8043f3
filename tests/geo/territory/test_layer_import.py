"""Importing official layers against the real PostGIS: CRSs, encodings, replacing, links."""

from __future__ import annotations

import time

import pytest
import shapely
import shapely.affinity
from sqlalchemy import text

from geo.errors import DataError
from geo.initiatives.demo import generate_demo
from geo.territory.layer_file import ReadOptions, read_layer_file
from geo.territory.layer_import import LayerRejected, import_territories
from tests.support.actors import TESTER
from tests.support.layer_files import fingerprint, metres_apart, shapefile_zip, uv_layer


def _uv_geoms(conn):
    rows = conn.execute(
        text("SELECT code, ST_AsBinary(geom) AS wkb FROM territory WHERE kind = 'unidad_vecinal'")
    ).all()
    return {r.code: shapely.from_wkb(bytes(r.wkb)) for r in rows}


def _links(conn, code=None):
    sql = (
        "SELECT it.initiative_id, it.territory_id, it.link_method FROM initiative_territory it "
        "JOIN territory t ON t.id = it.territory_id WHERE t.kind = 'unidad_vecinal'"
    )
    params = {}
    if code:
        sql += " AND t.code = :c"
        params = {"c": code}
    return set(conn.execute(text(sql), params).all())


@pytest.mark.parametrize(
    "epsg,fmt", [(4326, "zip"), (4674, "gpkg"), (32719, "zip"), (5361, "geojson"), (24879, "gpkg")]
)
def test_each_declared_crs_comes_back_within_a_metre(tmp_path, epsg, fmt):
    original = uv_layer()
    projected = original.to_crs(epsg)
    path = tmp_path / f"uv_{epsg}.{fmt}"
    if fmt == "zip":
        shapefile_zip(projected, path)
    else:
        projected.to_file(path, engine="pyogrio")
    layer = read_layer_file(path, "unidad_vecinal")
    assert str(epsg) in layer.crs
    assert len(layer.features) == 15 and not layer.rejected
    by_code = {f.code: f.geom for f in layer.features}
    for row in original.itertuples():
        assert metres_apart(by_code[row.uv_carto], row.geometry) < 1.0, row.uv_carto


def test_a_reprojected_layer_replaces_the_uvs_keeping_ids_and_links(conn, tmp_path):
    before_geoms = _uv_geoms(conn)
    links = _links(conn)
    ids = dict(conn.execute(text("SELECT code, id FROM territory WHERE kind = 'unidad_vecinal'")).all())
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "07", "t_uv_nom"] = "VENTANAS ALTO"
    path = shapefile_zip(gdf.to_crs(32719), tmp_path / "uv_utm.zip")
    report = import_territories(conn, path, "unidad_vecinal", actor=TESTER)
    # Reprojection noise (< 1 cm) is not a change; the renamed UV is.
    assert report.committed and not report.new and not report.removed
    assert [u["code"] for u in report.updated] == ["07"] and len(report.unchanged) == 14
    assert conn.execute(
        text("SELECT name, version FROM territory WHERE kind = 'unidad_vecinal' AND code = '07'")
    ).one() == ("Ventanas Alto", 2)
    after = _uv_geoms(conn)
    assert all(metres_apart(after[c], before_geoms[c]) < 1.0 for c in before_geoms)
    uv_ids = "SELECT code, id FROM territory WHERE kind = 'unidad_vecinal'"
    assert dict(conn.execute(text(uv_ids)).all()) == ids
    assert _links(conn) == links
    # Sectors are recomputed, not lost: the urban centre stays urban.
    assert (
        conn.execute(
            text("SELECT sector FROM territory WHERE kind = 'unidad_vecinal' AND code = '01'")
        ).scalar_one()
        == "urbano"
    )


def test_same_layer_again_changes_nothing_and_keeps_every_link(conn, tmp_path):
    before = fingerprint(conn)
    path = tmp_path / "uv.gpkg"
    uv_layer().to_file(path, engine="pyogrio")
    report = import_territories(conn, path, "unidad_vecinal", actor=TESTER)
    assert len(report.unchanged) == 15 and not report.changes and not report.committed
    assert fingerprint(conn) == before


@pytest.mark.parametrize("cpg", [True, False], ids=["con-cpg", "sin-cpg"])
def test_latin1_dbf_keeps_enye_and_accents(conn, tmp_path, cpg):
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "04", "t_uv_nom"] = "VILLA ÑANDÚ COMPAÑÍA"
    path = shapefile_zip(gdf, tmp_path / "uv_latin1.zip", encoding="cp1252", cpg=cpg)
    report = import_territories(conn, path, "unidad_vecinal", actor=TESTER)
    assert [u["code"] for u in report.updated] == ["04"]
    assert report.encoding in ("CP1252", "ISO-8859-1")
    name, version = conn.execute(
        text("SELECT name, version FROM territory WHERE kind = 'unidad_vecinal' AND code = '04'")
    ).one()
    assert name == "Villa Ñandú Compañía"
    assert version == 2


def test_encoding_override_reads_a_file_whose_cpg_lies(conn, tmp_path):
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "04", "t_uv_nom"] = "PEÑÓN"
    path = shapefile_zip(gdf, tmp_path / "uv.zip", encoding="cp1252")
    import zipfile

    lying = tmp_path / "lying.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(lying, "w") as dst:
        for info in src.infolist():
            data = b"UTF-8" if info.filename.endswith(".cpg") else src.read(info)
            dst.writestr(info.filename, data)
    with pytest.raises(DataError, match="no son UTF-8 válido"):
        read_layer_file(lying, "unidad_vecinal")
    layer = read_layer_file(lying, "unidad_vecinal", ReadOptions(encoding="latin1"))
    assert {f.name for f in layer.features if f.code == "04"} == {"Peñón"}


def test_removing_a_uv_reports_its_orphaned_links_and_dry_run_writes_nothing(conn, tmp_path):
    lost = _links(conn, "12")
    assert lost  # the plan names UV 12 (Algarrobal)
    before = fingerprint(conn)
    gdf = uv_layer()
    path = tmp_path / "sin_uv12.geojson"
    gdf[gdf.uv_carto != "12"].to_file(path, driver="GeoJSON", engine="pyogrio")

    report = import_territories(conn, path, "unidad_vecinal", dry_run=True, actor=TESTER)
    assert [r["code"] for r in report.removed] == ["12"]
    assert len(report.orphaned) == len(lost)
    assert {o["territory_code"] for o in report.orphaned} == {"12"}
    assert fingerprint(conn) == before

    with pytest.raises(DataError, match=r"vínculo\(s\) de iniciativas quedarían sin territorio.*12"):
        import_territories(conn, path, "unidad_vecinal", actor=TESTER)
    assert fingerprint(conn) == before

    kept = _links(conn) - lost
    report = import_territories(conn, path, "unidad_vecinal", allow_orphans=True, actor=TESTER)
    assert report.committed
    assert conn.execute(text("SELECT count(*) FROM territory WHERE kind = 'unidad_vecinal'")).scalar() == 14
    assert _links(conn) == kept
    audit = conn.execute(
        text("SELECT details FROM audit_log WHERE action = 'importar_capa' ORDER BY id DESC LIMIT 1")
    ).scalar_one()
    assert audit["removed"] == ["12"] and len(audit["orphaned_links"]) == len(lost)
    # One audit row per territory changed, with what it was: the removed UV can be rebuilt from it.
    gone = conn.execute(
        text(
            "SELECT user_name, details FROM audit_log WHERE action = 'eliminar_territorio' "
            "ORDER BY id DESC LIMIT 1"
        )
    ).one()
    assert gone.user_name == TESTER.name and gone.details["code"] == "12"
    assert gone.details["changes"]["name"] == ["Algarrobal", None]
    assert (
        '"type":"' in gone.details["changes"]["geometry"][0]
        and "Polygon" in gone.details["changes"]["geometry"][0]
    )


def test_geometry_links_are_recomputed_after_a_replacement(conn, tmp_path):
    generate_demo(conn, 40, seed=5, actor=TESTER)
    gdf = uv_layer()
    path = tmp_path / "sin_uv01.geojson"
    gdf[gdf.uv_carto != "01"].to_file(path, driver="GeoJSON", engine="pyogrio")
    report = import_territories(conn, path, "unidad_vecinal", allow_orphans=True, actor=TESTER)
    geometry_links = conn.execute(
        text("SELECT count(*) FROM initiative_territory WHERE link_method = 'geometria'")
    ).scalar_one()
    assert report.geometry_links == geometry_links > 0
    # No demo point is left linked to a UV it does not touch.
    assert (
        conn.execute(
            text(
                """
        SELECT count(*) FROM initiative_territory it JOIN initiative i ON i.id = it.initiative_id
          JOIN territory t ON t.id = it.territory_id
         WHERE it.link_method = 'geometria' AND NOT ST_Intersects(t.geom, i.geom)
        """
            )
        ).scalar_one()
        == 0
    )


def test_self_intersecting_polygon_is_repaired_and_reported(conn, tmp_path):
    gdf = uv_layer()
    i = gdf.index[gdf.uv_carto == "03"][0]
    x0, y0, x1, y1 = gdf.geometry[i].bounds
    # A bow-tie over UV 03's box: valid rings crossing themselves.
    gdf.loc[i, "geometry"] = shapely.Polygon([(x0, y0), (x1, y1), (x1, y0), (x0, y1), (x0, y0)])
    path = tmp_path / "uv_bowtie.gpkg"
    gdf.to_file(path, engine="pyogrio")
    report = import_territories(conn, path, "unidad_vecinal", dry_run=True, actor=TESTER)
    assert len(report.repaired) == 1
    assert "elemento" in report.repaired[0] and "Self-intersection" in report.repaired[0]
    assert "código 03" in report.repaired[0]
    report = import_territories(conn, path, "unidad_vecinal", actor=TESTER)
    valid, kind = conn.execute(
        text(
            "SELECT ST_IsValid(geom), ST_GeometryType(geom) FROM territory "
            "WHERE kind = 'unidad_vecinal' AND code = '03'"
        )
    ).one()
    assert valid and kind in ("ST_MultiPolygon", "ST_Polygon")


def test_sites_layer_places_a_site_sin_ubicar_and_keeps_the_others(conn, tmp_path):
    import geopandas as gpd

    unlocated = conn.execute(
        text("SELECT count(*) FROM territory WHERE kind = 'sitio' AND geom IS NULL")
    ).scalar_one()
    assert unlocated > 0
    chamonate = conn.execute(
        text("SELECT id, code FROM territory WHERE kind = 'sitio' AND name = 'Chamonate'")
    ).one()
    path = tmp_path / "sitios.geojson"
    gpd.GeoDataFrame({"nombre": ["Chamonate"]}, geometry=[shapely.Point(-70.72, -28.55)], crs=4326).to_file(
        path, driver="GeoJSON", engine="pyogrio"
    )
    report = import_territories(conn, path, "sitio", actor=TESTER)
    assert [u["code"] for u in report.updated] == [chamonate.code]
    assert report.kept_unlocated == unlocated - 1 and not report.removed
    assert conn.execute(
        text("SELECT geom IS NOT NULL FROM territory WHERE id = :i"), {"i": chamonate.id}
    ).scalar_one()


def test_html_and_jinja_in_names_are_stored_as_text_and_escaped_on_the_map(conn, tmp_path):
    from geo.initiatives.filters import MapFilters
    from geo.territory.queries import base_layers, territory_features
    from layers.map import build_map
    from layers.sanitize import clean_feature_collection

    evil = "<img src=x onerror=alert(1)> {{ 7*7 }}"
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "04", "t_uv_nom"] = evil
    path = tmp_path / "uv.geojson"
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    import_territories(conn, path, "unidad_vecinal", actor=TESTER)
    assert (
        conn.execute(
            text("SELECT name FROM territory WHERE kind = 'unidad_vecinal' AND code = '04'")
        ).scalar_one()
        == evil
    )
    fc = territory_features(conn, MapFilters())
    assert any(f["properties"]["nombre"] == evil for f in fc["features"])
    html = (
        build_map(
            base=base_layers(conn),
            territories=clean_feature_collection(fc),
            initiatives={"type": "FeatureCollection", "features": []},
            strategies=[],
        )
        .whole()
        .get_root()
        .render()
    )
    assert "<img src=x onerror" not in html and "> 49" not in html
    # JSON-encoded inside the map's script: & is \u0026, so the browser shows the text.
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt; \\u0026#123;\\u0026#123; 7*7" in html


def test_dbf_language_byte_decides_the_encoding_without_cpg(tmp_path):
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "04", "t_uv_nom"] = "PEÑÓN"
    path = shapefile_zip(gdf, tmp_path / "dos.zip", encoding="cp850", cpg=False)
    import zipfile

    fixed = tmp_path / "dos_ldid.zip"
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(fixed, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith(".dbf"):
                data = data[:29] + b"\x02" + data[30:]  # language driver: code page 850
            dst.writestr(info.filename, data)
    layer = read_layer_file(fixed, "unidad_vecinal")
    assert layer.encoding == "CP850"
    assert {f.name for f in layer.features if f.code == "04"} == {"Peñón"}


def test_zip_with_several_shapefiles_needs_the_layer_option(tmp_path):
    import zipfile

    a = shapefile_zip(uv_layer(), tmp_path / "a.zip", stem="uv_2020")
    b = shapefile_zip(uv_layer().to_crs(32719), tmp_path / "b.zip", stem="uv_2024")
    both = tmp_path / "ambas.zip"
    with zipfile.ZipFile(both, "w") as dst:
        for src in (a, b):
            with zipfile.ZipFile(src) as z:
                for info in z.infolist():
                    dst.writestr(info.filename, z.read(info))
    with pytest.raises(DataError, match=r"varios Shapefiles \(uv_2020\.shp, uv_2024\.shp\).*--layer"):
        read_layer_file(both, "unidad_vecinal")
    layer = read_layer_file(both, "unidad_vecinal", ReadOptions(layer="uv_2024"))
    assert "32719" in layer.crs and len(layer.features) == 15


def test_preview_says_what_changed_in_each_updated_territory(conn, tmp_path):
    from shapely import affinity

    gdf = uv_layer()
    i = gdf.index[gdf.uv_carto == "10"][0]
    gdf.loc[i, "geometry"] = affinity.translate(gdf.geometry[i], xoff=0.0005)  # ~50 m east
    gdf.loc[gdf.uv_carto == "09", "t_uv_nom"] = "VISTA ALEGRE NORTE"
    path = tmp_path / "uv.geojson"
    gdf.to_file(path, driver="GeoJSON", engine="pyogrio")
    report = import_territories(conn, path, "unidad_vecinal", dry_run=True, actor=TESTER)
    assert {u["code"]: u["changes"] for u in report.updated} == {"09": "nombre", "10": "geometría"}


def _dense(geom, vertices):
    """The same shape with about ``vertices`` vertices (points added along its edges)."""
    return shapely.segmentize(geom, geom.exterior.length / vertices)


def test_a_polygon_of_100000_vertices_is_refused_at_once_and_nothing_is_written(conn, tmp_path):
    gdf = uv_layer()
    seven = gdf.uv_carto == "07"
    gdf.loc[seven, "geometry"] = _dense(gdf.loc[seven, "geometry"].iloc[0], 100_000)
    path = tmp_path / "uv_densa.geojson"
    gdf.to_file(path, engine="pyogrio")
    before = fingerprint(conn)
    started = time.perf_counter()
    with pytest.raises(LayerRejected) as refused:
        import_territories(conn, path, "unidad_vecinal", actor=TESTER)
    assert time.perf_counter() - started < 10
    message = str(refused.value)
    assert "uv_densa.geojson: no se importó nada" in message
    assert "código 07" in message and "vértices; el máximo por elemento es 20.000" in message
    assert "100.0" in message  # the count, es-CL thousands separator
    assert fingerprint(conn) == before


def test_a_file_over_the_total_vertex_cap_is_refused_as_a_whole(tmp_path):
    gdf = uv_layer()
    gdf["geometry"] = [_dense(g, 15_000) for g in gdf.geometry]
    path = tmp_path / "uv_todas_densas.geojson"
    gdf.to_file(path, engine="pyogrio")
    with pytest.raises(DataError, match=r"vértices en total; el máximo por archivo es 200\.000"):
        read_layer_file(path, "unidad_vecinal")


def test_two_dense_layers_compare_within_seconds_with_the_same_outcome(conn, tmp_path):
    # Three UVs moved 2 m and redrawn with ~19,000 vertices each, stored; then the same
    # shapes with other vertices (unchanged: within 1 cm), one of them moved 5 m more
    # (changed). ST_HausdorffDistance took ~5 s per pair of such polygons, uncancellable.
    def moved(geom, metres, vertices):
        return _dense(shapely.affinity.translate(geom, metres * 1e-5, 0), vertices)

    big = ["05", "06", "07"]
    first, second = uv_layer(), uv_layer()
    rows = first.uv_carto.isin(big)
    first.loc[rows, "geometry"] = [moved(g, 2, 19_000) for g in first.loc[rows, "geometry"]]
    second.loc[rows, "geometry"] = [
        moved(g, 7 if code == "06" else 2, 19_500)
        for code, g in zip(second.loc[rows, "uv_carto"], second.loc[rows, "geometry"], strict=True)
    ]
    first.to_file(tmp_path / "uv_densa_1.geojson", engine="pyogrio")
    second.to_file(tmp_path / "uv_densa_2.geojson", engine="pyogrio")
    import_territories(conn, tmp_path / "uv_densa_1.geojson", "unidad_vecinal", actor=TESTER)
    stored = conn.execute(
        text("SELECT min(ST_NPoints(geom)) FROM territory WHERE kind = 'unidad_vecinal' AND code = ANY(:c)"),
        {"c": big},
    ).scalar_one()
    assert stored > 18_000
    started = time.perf_counter()
    report = import_territories(
        conn, tmp_path / "uv_densa_2.geojson", "unidad_vecinal", dry_run=True, actor=TESTER
    )
    assert time.perf_counter() - started < 10
    assert [(u["code"], u["changes"]) for u in report.updated] == [("06", "geometría")]
    assert {"05", "07"} <= {u["code"] for u in report.unchanged} and len(report.unchanged) == 14


def test_a_uv_with_a_workshop_and_its_needs_is_not_removed(conn, tmp_path):
    from geo.store.workshops import NeedDraft, WorkshopValues, create_workshop, record_needs
    from tests.support.workshops import point_in, territory_id

    wid = create_workshop(
        conn, TESTER, WorkshopValues("05-12-2026", "Sede Algarrobal", [territory_id(conn, "12")])
    )
    record_needs(conn, TESTER, wid, [NeedDraft("problema", None, "Luminaria", 2, point_in(conn, "12"))])
    before = fingerprint(conn)
    gdf = uv_layer()
    path = tmp_path / "sin_uv12.geojson"
    gdf[gdf.uv_carto != "12"].to_file(path, driver="GeoJSON", engine="pyogrio")
    with pytest.raises(
        DataError, match=r"«Algarrobal» \(código 12\) no está en el archivo pero tiene 1 taller"
    ):
        import_territories(conn, path, "unidad_vecinal", allow_orphans=True, actor=TESTER)
    assert fingerprint(conn) == before
    report = import_territories(conn, path, "unidad_vecinal", dry_run=True, actor=TESTER)
    assert report.blocked == [
        "«Algarrobal» (código 12) no está en el archivo pero tiene 1 taller(es) y 1 necesidad(es) "
        "registradas; reasígnelas antes de eliminarlo o inclúyalo en el archivo."
    ]
