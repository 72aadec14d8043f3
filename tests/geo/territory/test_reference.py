"""Reference layers of data/referencia: loaded by `sit load base`, counted, replaced by their source."""

import json
import shutil

import pytest
import shapely
import shapely.geometry
from sqlalchemy import create_engine, text

from geo.domain import REFERENCE_LAYERS
from geo.initiatives.stats import collect_stats
from geo.store.actor import Actor
from geo.store.permissions import NotAuthorised
from geo.territory.reference import LAYERS, load_reference_layers
from tests.conftest import DATA, database_url_for_tests, run_sit, set_up_database
from tests.support.actors import TESTER
from tests.support.layer_files import new_edition

FOLDER = DATA / "referencia"


def features(file):
    return json.loads((FOLDER / file).read_text(encoding="utf-8"))["features"]


def test_every_file_of_the_folder_has_a_layer_and_every_layer_a_file():
    assert {s.file for s in LAYERS} == {p.name for p in FOLDER.glob("*.geojson")}
    assert [s.layer for s in LAYERS] == list(REFERENCE_LAYERS)


def test_the_loaded_database_holds_every_feature_of_every_file(conn):
    expected = {s.layer: len(features(s.file)) for s in LAYERS}
    assert collect_stats(conn)["reference"] == expected
    assert expected["punto_critico"] == 52 and expected["canal"] == 30
    sites = conn.execute(
        text("SELECT name FROM reference_feature WHERE layer = 'punto_critico' ORDER BY name")
    ).scalars()
    assert {"Chamonate", "Avenida Los Canales", "Avenida Carlos Dittborn - Avenida Matta"} <= set(sites)
    invalid = conn.execute(text("SELECT count(*) FROM reference_feature WHERE NOT ST_IsValid(geom)")).scalar()
    assert invalid == 0


def test_each_feature_names_its_agency(conn):
    sources = dict(conn.execute(text("SELECT DISTINCT layer, source FROM reference_feature")).all())
    assert "SENAPRED" in sources["punto_critico"] and "CNR" in sources["canal"]
    assert "MINVU" in sources["zona_prc"] and "DOH" in sources["apr"]


def test_no_personal_data_of_the_nursery_owners_is_loaded(conn):
    owners = features("viveros_sag.geojson")
    stored = json.dumps(
        conn.execute(text("SELECT json_agg(attrs) FROM reference_feature WHERE layer = 'vivero'")).scalar(),
        ensure_ascii=False,
    )
    for f in owners:
        p = f["properties"]
        for private in (p["email"], p["fono_comer"], p["apellip"]):
            if private not in (None, "None", "s/i"):
                assert private not in stored
    assert "Vivero San Martin" in stored  # the nursery itself is there


def _audit_count(conn):
    return conn.execute(
        text("SELECT count(*) FROM audit_log WHERE table_name = 'reference_feature'")
    ).scalar()


def test_loading_again_changes_nothing(conn):
    before = _audit_count(conn)
    reports = load_reference_layers(conn, DATA, TESTER)
    assert all(r.created == r.updated == r.removed == 0 for r in reports.values())
    assert _audit_count(conn) == before


def test_a_new_edition_of_a_file_updates_and_removes_with_before_and_after(conn, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(FOLDER, pack / "referencia")
    path = pack / "referencia" / "canales_cnr.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    first, second = data["features"][0], data["features"][1]
    first["properties"]["NOMCAN"] = "canal renombrado"
    data["features"].remove(second)
    path.write_text(json.dumps(data), encoding="utf-8")

    reports = load_reference_layers(conn, pack, TESTER)
    assert (reports["canal"].updated, reports["canal"].removed, reports["canal"].created) == (1, 1, 0)
    assert all(r.updated == r.removed == 0 for layer, r in reports.items() if layer != "canal")
    rows = conn.execute(
        text(
            "SELECT action, details FROM audit_log WHERE table_name = 'reference_feature' "
            "ORDER BY id DESC LIMIT 2"
        )
    ).all()
    actions = {r.action: r.details for r in rows}
    assert actions["editar_referencia"]["changes"]["name"] == ["Perales Huasco", "Canal Renombrado"]
    assert actions["eliminar_referencia"]["changes"]["name"][1] is None


@pytest.mark.parametrize("role", ["secplac", "facilitador", "concejo", None])
def test_only_an_administrator_replaces_reference_layers(conn, role):
    before = _audit_count(conn)
    with pytest.raises(NotAuthorised):
        load_reference_layers(conn, DATA, Actor("Otra persona", "prueba", role=role))
    assert _audit_count(conn) == before


def test_sit_stats_counts_the_reference_layers():
    stats = json.loads(run_sit("stats", "--json", url=database_url_for_tests()).stdout)
    assert stats["reference"]["punto_critico"] == 52
    text_out = run_sit("stats", url=database_url_for_tests()).stdout
    assert "Capas de referencia: 164 elementos en 11 capas" in text_out


def test_the_maps_get_every_layer_light_and_still_where_it_was(conn):
    from geo.territory.reference import map_reference_layers, reference_version

    layers = map_reference_layers(conn)
    assert {code: len(fc["features"]) for code, fc in layers.items()} == collect_stats(conn)["reference"]
    critical = next(
        f for f in layers["punto_critico"]["features"] if f["properties"]["nombre"] == "Chamonate"
    )
    p = critical["properties"]
    assert p["capa"] == REFERENCE_LAYERS["punto_critico"] and "SENAPRED" in p["fuente"]
    assert p["detalle"].startswith("Causa: ") and "Riesgo 2024: " in p["detalle"]
    # Points keep their place (5 decimals, about 1 m); lines are simplified by 2 m, never moved more.
    x, y = critical["geometry"]["coordinates"]
    stored = conn.execute(
        text(
            "SELECT ST_Distance(ST_Transform(geom, 32719), "
            "ST_Transform(ST_SetSRID(ST_Point(:x, :y), 4326), 32719)) "
            "FROM reference_feature WHERE layer = 'punto_critico' AND name = 'Chamonate'"
        ),
        {"x": x, "y": y},
    ).scalar()
    assert stored < 1.0
    canal_points = sum(
        shapely.get_num_coordinates(shapely.geometry.shape(f["geometry"]))
        for f in layers["canal"]["features"]
    )
    stored_points = conn.execute(
        text("SELECT sum(ST_NPoints(geom)) FROM reference_feature WHERE layer = 'canal'")
    ).scalar()
    assert canal_points < stored_points
    drift = conn.execute(
        text(
            """
            SELECT max(ST_HausdorffDistance(ST_Transform(r.geom, 32719),
                                            ST_Transform(ST_GeomFromGeoJSON(:g), 32719)))
              FROM reference_feature r WHERE r.layer = 'rio'
            """
        ),
        {"g": json.dumps(layers["rio"]["features"][0]["geometry"])},
    ).scalar()
    assert drift < 3.0
    before = reference_version(conn)
    conn.execute(
        text(
            "UPDATE reference_feature SET updated_at = now() + interval '1 second' "
            "WHERE id = (SELECT min(id) FROM reference_feature)"
        )
    )
    assert reference_version(conn) != before


def test_an_administrator_replaces_a_reference_layer_from_the_console_after_a_preview(tmp_path):
    from geo.territory.reference import spec_of

    url = set_up_database("reference_import")
    path, gone = new_edition(tmp_path)

    def critical_names():
        engine = create_engine(url)
        try:
            with engine.connect() as conn:
                return set(
                    conn.execute(
                        text("SELECT name FROM reference_feature WHERE layer = 'punto_critico'")
                    ).scalars()
                )
        finally:
            engine.dispose()

    before = critical_names()
    preview = json.loads(
        run_sit(
            "import", "reference", "--layer", "punto_critico", str(path), "--dry-run", "--json", url=url
        ).stdout
    )
    assert (preview["nuevos"], preview["actualizados"], preview["eliminados"]) == (1, 1, 1)
    assert preview["sin_cambios"] == 50
    assert critical_names() == before  # a preview writes nothing
    done = run_sit("import", "reference", "--layer", "punto_critico", str(path), url=url)
    assert "Capa reemplazada: 1 nuevos, 1 actualizados, 1 eliminados; 50 sin cambios." in done.stdout
    after = critical_names()
    named = spec_of("punto_critico").name  # the layer titles the names it reads
    assert named({"sector": "Punto nuevo 2025"}) in after and named({"sector": "Sector renombrado"}) in after
    assert spec_of("punto_critico").name(gone) not in after
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            notes = conn.execute(
                text(
                    "SELECT action, details->>'archivo' FROM audit_log "
                    "WHERE table_name = 'reference_feature' AND details->>'archivo' = :f"
                ),
                {"f": "senapred_2025.geojson"},
            ).all()
    finally:
        engine.dispose()
    assert sorted(a for a, _ in notes) == ["crear_referencia", "editar_referencia", "eliminar_referencia"]
    # Not the same kind of file: refused in Spanish, nothing written.
    wrong = run_sit(
        "import",
        "reference",
        "--layer",
        "punto_critico",
        str(FOLDER / "canales_cnr.geojson"),
        url=url,
        check=False,
    )
    assert wrong.returncode != 0
    assert "no parece ser la capa «Puntos críticos de invierno 2024 (SENAPRED)»" in wrong.stderr
    assert critical_names() == after
