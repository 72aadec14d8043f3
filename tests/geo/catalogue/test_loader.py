"""The PLADECO catalogue as loaded from data/pladeco_2014_2017.yaml."""

import pytest
import yaml
from sqlalchemy import text

from geo.catalogue.loader import CATALOGUE_FILE, catalogue_leaves, load_catalogue, read_catalogue
from geo.errors import DataError
from tests.conftest import DATA


def rows(conn, sql, **p):
    return conn.execute(text(sql), p).all()


def scalar(conn, sql, **p):
    return conn.execute(text(sql), p).scalar()


def test_all_strategies_plans_and_programs(conn):
    assert scalar(conn, "SELECT count(*) FROM strategy") == 9
    assert scalar(conn, "SELECT count(*) FROM plan") == 28
    doc = read_catalogue(DATA / CATALOGUE_FILE)
    programs = sum(len(p.get("programs") or []) for s in doc["strategies"] for p in s["plans"])
    assert scalar(conn, "SELECT count(*) FROM program") == programs
    assert [r[0] for r in rows(conn, "SELECT code FROM strategy ORDER BY position")] == [
        f"E{n}" for n in range(1, 10)
    ]


def test_every_project_and_study_of_the_file_is_an_initiative_under_its_plan(conn):
    doc = read_catalogue(DATA / CATALOGUE_FILE)
    leaves = catalogue_leaves(doc)
    db = {
        r.code: r
        for r in rows(
            conn,
            """
        SELECT i.code, i.kind, i.name, p.code AS plan FROM initiative i
          LEFT JOIN plan p ON p.id = i.plan_id WHERE NOT i.is_demo""",
        )
    }
    assert len(db) == len(leaves)
    for leaf in leaves:
        assert db[leaf.code].kind == leaf.kind
        assert db[leaf.code].name == leaf.name
        assert db[leaf.code].plan == leaf.plan
    kinds = {k for (k,) in rows(conn, "SELECT DISTINCT kind FROM initiative")}
    assert {"proyecto", "estudio", "programa"} <= kinds


def test_plan_wording_is_kept(conn):
    name = scalar(conn, "SELECT name FROM plan WHERE code = 'E1.P1'")
    assert name == "Plan de Rescate de Espacios Públicos"
    assert scalar(conn, "SELECT count(*) FROM initiative WHERE name ILIKE '%enmallado ladera%'") == 4


def test_no_status_or_amount_is_invented(conn):
    assert rows(conn, "SELECT DISTINCT status FROM initiative WHERE NOT is_demo") == [("sin_informacion",)]
    assert (
        scalar(
            conn,
            "SELECT count(*) FROM initiative i WHERE NOT is_demo AND "
            "(EXISTS (SELECT 1 FROM funding_line f WHERE f.initiative_id = i.id) "
            " OR geom IS NOT NULL)",
        )
        == 0
    )


def test_named_sites_are_unlocated_territories(conn):
    sites = dict(rows(conn, "SELECT name, geom IS NULL FROM territory WHERE kind = 'sitio'"))
    for name in (
        "Ladera Avda. Huasco",
        "Ladera Avda. Los Canales",
        "Ladera Avda. Carlos Dittborn",
        "Ladera Independencia",
        "Vivero",
        "Chamonate",
        "Río Huasco",
    ):
        assert sites[name] is True, name
    linked = scalar(
        conn,
        """
        SELECT count(*) FROM initiative_territory it JOIN territory t ON t.id = it.territory_id
         JOIN initiative i ON i.id = it.initiative_id
         WHERE t.name = 'Ladera Avda. Huasco' AND i.name ILIKE '%ladera Avda. Huasco%'""",
    )
    assert linked == 1


def test_rural_items_are_linked_to_every_rural_locality(conn):
    localities = scalar(conn, "SELECT count(*) FROM territory WHERE kind = 'localidad'")
    per_item = rows(
        conn,
        """
        SELECT it.initiative_id, count(*) FROM initiative_territory it
         WHERE it.place_ref = 'pladeco:localidades:rurales' GROUP BY it.initiative_id""",
    )
    assert per_item, "no item of the plan targets rural localities"
    assert all(n == localities for _, n in per_item)
    # Allocation weights of each initiative add up to the whole initiative.
    totals = rows(conn, "SELECT initiative_id, sum(weight) FROM initiative_territory GROUP BY initiative_id")
    assert all(float(w) == pytest.approx(1.0, abs=1e-4) for _, w in totals)


def test_items_about_all_schools_link_the_public_schools(conn):
    public_schools = scalar(
        conn,
        """
        SELECT count(*) FROM facility WHERE kind = 'escuela' AND in_operation
           AND dependency = 'Servicio Local de Educación (SLEP)'""",
    )
    linked = rows(
        conn,
        """
        SELECT x.initiative_id, count(*) FROM initiative_facility x
         WHERE x.place_ref = 'pladeco:escuelas:municipales' GROUP BY x.initiative_id""",
    )
    assert linked and all(n == public_schools for _, n in linked)


def test_outside_the_commune_is_marked_not_dropped(conn):
    r = conn.execute(text("SELECT scope, place_note FROM initiative WHERE name ILIKE '%La Serena%'")).one()
    assert r.scope == "fuera_comuna"
    assert (
        scalar(
            conn,
            "SELECT count(*) FROM initiative_territory it JOIN initiative i "
            "ON i.id = it.initiative_id WHERE i.name ILIKE '%La Serena%'",
        )
        == 0
    )


def test_reload_keeps_planner_edits_and_manual_links(conn):
    conn.execute(text("UPDATE initiative SET status = 'en_ejecucion' WHERE code = 'E1.P1.G1.03'"))
    conn.execute(
        text(
            "INSERT INTO funding_line (initiative_id, source, year, amount_clp, stage) "
            "SELECT id, 'fndr', 2016, 12500000, 'aprobado' FROM initiative WHERE code = 'E1.P1.G1.03'"
        )
    )
    conn.execute(
        text("""
        INSERT INTO initiative_territory (initiative_id, territory_id, link_method, weight)
        SELECT i.id, t.id, 'manual', 1 FROM initiative i, territory t
         WHERE i.code = 'E1.P1.G1.03' AND t.kind = 'unidad_vecinal' AND t.code = '05'""")
    )
    before = scalar(conn, "SELECT count(*) FROM initiative_territory")
    load_catalogue(conn, DATA / CATALOGUE_FILE)
    r = conn.execute(
        text(
            "SELECT status, (SELECT sum(amount_clp) FROM funding_line f WHERE f.initiative_id = i.id) "
            "FROM initiative i WHERE code = 'E1.P1.G1.03'"
        )
    ).one()
    assert tuple(r) == ("en_ejecucion", 12500000)
    assert scalar(conn, "SELECT count(*) FROM initiative_territory") == before
    assert scalar(conn, "SELECT count(*) FROM initiative") == len(
        catalogue_leaves(read_catalogue(DATA / CATALOGUE_FILE))
    )


def test_unknown_place_reference_is_refused_with_the_item_code(tmp_path):
    doc = yaml.safe_load((DATA / CATALOGUE_FILE).read_text(encoding="utf-8"))
    item = doc["strategies"][0]["plans"][0]["programs"][0]["items"][0]
    item["places"] = ["planeta:Marte"]
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    with pytest.raises(DataError, match=rf"ítem {item['code']}: lugar «planeta:Marte»"):
        read_catalogue(bad)


def test_catalogue_needs_the_base_territories_first(conn):
    conn.execute(text("DELETE FROM territory WHERE kind = 'unidad_vecinal'"))
    with pytest.raises(DataError, match="sit load base"):
        load_catalogue(conn, DATA / CATALOGUE_FILE)


def test_reviewer_notes_never_reach_what_planners_read(conn):
    doc = read_catalogue(DATA / CATALOGUE_FILE)
    notes = [
        it["review_note"]
        for s in doc["strategies"]
        for p in s.get("plans") or []
        for g in p.get("programs") or []
        for it in [g, *(g.get("items") or [])]
        if it.get("review_note")
    ]
    assert len(notes) > 60  # the review explains its readings...
    shown = conn.execute(
        text("SELECT count(*) FROM initiative WHERE place_note = ANY(:n) OR description = ANY(:n)"),
        {"n": notes},
    ).scalar_one()
    assert shown == 0  # ...but none of it is shown as the initiative's own text
