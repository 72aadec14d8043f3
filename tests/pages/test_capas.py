"""The layer-import page driven with AppTest: upload → preview → confirm."""

import pytest
from sqlalchemy import text

from geo.territory.base_pack import load_base_pack
from layers.sanitize import clean_markdown
from tests.conftest import DATA
from tests.pages.conftest import app_as
from tests.support.layer_files import fingerprint, new_edition, shapefile_zip, uv_layer


@pytest.fixture
def page(engine, monkeypatch, accounts):
    with app_as(monkeypatch, accounts["administrador"], "pages/capas.py") as at:
        assert not at.exception
        yield at


def _fp(engine):
    with engine.connect() as conn:
        return fingerprint(conn)


def _upload(at, name, data):
    at.file_uploader(key="capas_file").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_upload_preview_confirm_replaces_the_layer(page, engine, tmp_path):
    gdf = uv_layer()
    gdf.loc[gdf.uv_carto == "11", "t_uv_nom"] = "NUEVA TORREBLANCA ÑUÑOA"
    path = shapefile_zip(gdf.to_crs(24879), tmp_path / "uv_psad56.zip", encoding="cp1252")
    before = _fp(engine)
    try:
        _upload(page, "uv_psad56.zip", path.read_bytes())
        page.button(key="capas_preview_btn").click().run()
        assert not page.exception and not page.error
        assert metric(page, "Actualizados") == "1" and metric(page, "Sin cambios") == "14"
        assert "Nueva Torreblanca Ñuñoa" in set(page.dataframe[0].value["Nombre"])
        assert any(clean_markdown("EPSG:24879") in c.value for c in page.caption)
        assert _fp(engine) == before  # the preview wrote nothing
        page.button(key="capas_confirm").click().run()
        assert not page.exception and not page.error
        assert any("Capa importada: 0 nuevos, 1 actualizados" in s.value for s in page.success)
        with engine.connect() as conn:
            assert (
                conn.execute(
                    text("SELECT name FROM territory WHERE kind = 'unidad_vecinal' AND code = '11'")
                ).scalar_one()
                == "Nueva Torreblanca Ñuñoa"
            )
            who = conn.execute(
                text(
                    "SELECT user_name FROM audit_log WHERE action = 'editar_territorio' "
                    "ORDER BY id DESC LIMIT 1"
                )
            ).scalar_one()
            assert who == "Alicia Administradora"  # the account logged in
    finally:
        load_base_pack(engine, DATA)  # the session database goes back to the real layer
    with engine.connect() as conn:
        assert (
            conn.execute(
                text("SELECT name FROM territory WHERE kind = 'unidad_vecinal' AND code = '11'")
            ).scalar_one()
            == "Nueva Torreblanca"
        )


def test_orphans_must_be_accepted_before_confirming(page, engine, tmp_path):
    gdf = uv_layer()
    path = tmp_path / "sin_uv13.geojson"
    gdf[gdf.uv_carto != "13"].to_file(path, driver="GeoJSON", engine="pyogrio")
    before = _fp(engine)
    _upload(page, "sin_uv13.geojson", path.read_bytes())
    page.button(key="capas_preview_btn").click().run()
    assert metric(page, "Eliminados") == "1"
    assert int(metric(page, "Vínculos que se perderían")) > 0
    assert page.button(key="capas_confirm").disabled
    assert _fp(engine) == before


def test_a_bad_file_shows_its_reason_and_changes_nothing(page, engine, tmp_path):
    path = shapefile_zip(uv_layer(), tmp_path / "sin_prj.zip", prj=False)
    before = _fp(engine)
    _upload(page, "sin_prj.zip", path.read_bytes())
    page.button(key="capas_preview_btn").click().run()
    assert any("no trae el archivo .prj" in e.value for e in page.error)
    assert not [b for b in page.button if b.key == "capas_confirm"]
    assert _fp(engine) == before


def test_geopackage_with_several_layers_asks_which_one(page, engine, tmp_path):
    gdf = uv_layer()
    path = tmp_path / "municipal.gpkg"
    gdf.to_file(path, layer="uv_2019", engine="pyogrio")
    gdf.to_crs(32719).to_file(path, layer="uv_2024", engine="pyogrio")
    _upload(page, "municipal.gpkg", path.read_bytes())
    assert page.selectbox(key="capas_layer").options == ["uv_2019", "uv_2024"]
    page.selectbox(key="capas_layer").set_value("uv_2024").run()
    page.button(key="capas_preview_btn").click().run()
    assert not page.error
    assert metric(page, "Sin cambios") == "15"
    assert any(clean_markdown("Capa «uv_2024» · SRC EPSG:32719") in c.value for c in page.caption)
    assert any("ya es igual al archivo" in s.value for s in page.success)


def test_an_administrator_replaces_a_reference_layer_after_its_preview(page, engine, tmp_path):
    from geo.territory.reference import load_reference_layers
    from tests.support.actors import TESTER

    path, _ = new_edition(tmp_path)

    def names():
        with engine.connect() as conn:
            return set(
                conn.execute(
                    text("SELECT name FROM reference_feature WHERE layer = 'punto_critico'")
                ).scalars()
            )

    before = names()
    try:
        page.segmented_control(key="capas_que").set_value("Capas de referencia").run()
        page.selectbox(key="capas_ref_layer").set_value("punto_critico").run()
        page.file_uploader(key="capas_ref_file").set_value(
            ("senapred_2025.geojson", path.read_bytes(), "application/geo+json")
        ).run()
        page.button(key="capas_ref_preview_btn").click().run()
        assert not page.exception and not page.error
        assert (metric(page, "Nuevos"), metric(page, "Actualizados"), metric(page, "Eliminados")) == (
            "1",
            "1",
            "1",
        )
        assert names() == before  # the preview wrote nothing
        page.button(key="capas_ref_confirm").click().run()
        assert not page.exception and not page.error
        assert any("reemplazada: 1 nuevos, 1 actualizados, 1 eliminados" in s.value for s in page.success)
        assert names() != before and len(names()) == len(before)
    finally:
        with engine.begin() as conn:
            load_reference_layers(conn, DATA, TESTER)  # the real layer back for the other tests
        assert names() == before
