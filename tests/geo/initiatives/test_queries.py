"""The map page's numbers: counts, drawn features, table and territory counts agree."""

from sqlalchemy import text

from geo.initiatives.demo import generate_demo
from geo.initiatives.filters import MapFilters
from geo.initiatives.queries import data_quality, filtered_initiatives, initiative_detail, initiative_features
from geo.territory.queries import territory_detail, territory_features
from tests.support.actors import TESTER


def test_counts_map_and_table_agree_under_filters(conn):
    generate_demo(conn, 400, seed=3, actor=TESTER)
    for f in (
        MapFilters(),
        MapFilters(strategies=("E3",)),
        MapFilters(statuses=("terminado",)),
        MapFilters(sectors=("rural",)),
        MapFilters(kinds=("estudio",), sectors=("urbano",)),
    ):
        table = filtered_initiatives(conn, f)
        drawn = initiative_features(conn, f)["features"]
        assert len(drawn) == int(table["has_geometry"].sum())
        assert {p["properties"]["id"] for p in drawn} == set(table.loc[table.has_geometry, "id"])
        # Each territory's count is the number of filtered initiatives linked to it.
        links = conn.execute(text("SELECT territory_id, initiative_id FROM initiative_territory")).all()
        ids = set(table["id"])
        for feat in territory_features(conn, f)["features"]:
            tid = feat["properties"]["id"]
            expected = sum(1 for t, i in links if t == tid and i in ids)
            assert feat["properties"]["iniciativas"] == expected


def test_strategy_filter_narrows_to_that_strategy(conn):
    all_rows = filtered_initiatives(conn, MapFilters())
    e4 = filtered_initiatives(conn, MapFilters(strategies=("E4",)))
    assert 0 < len(e4) < len(all_rows)
    assert set(e4["strategy_code"]) == {"E4"}


def test_sector_filter(conn):
    comunal = filtered_initiatives(conn, MapFilters(sectors=("comunal",)))
    assert set(comunal["scope"]) == {"comunal"}
    rural = filtered_initiatives(conn, MapFilters(sectors=("rural",)))
    assert len(rural) > 0 and all("rural" in s for s in rural["sectors"])
    urban = filtered_initiatives(conn, MapFilters(sectors=("urbano",)))
    assert all("urbano" in s for s in urban["sectors"])


def test_plan_filter_and_demo_toggle(conn):
    generate_demo(conn, 50, seed=9, actor=TESTER)
    with_demo = filtered_initiatives(conn, MapFilters(plans=("E1.P1",)))
    without = filtered_initiatives(conn, MapFilters(plans=("E1.P1",), include_demo=False))
    assert not without["is_demo"].any()
    assert len(with_demo) >= len(without) > 0


def test_initiative_detail_lists_plan_program_and_territories(conn):
    iid = conn.execute(
        text("SELECT id FROM initiative WHERE name ILIKE '%enmallado ladera Avda. Huasco%'")
    ).scalar()
    d = initiative_detail(conn, iid)
    assert d["plan_name"] and d["strategy_code"] == "E1"
    assert [t["name"] for t in d["territories"]] == ["Ladera Avda. Huasco"]
    assert d["territories"][0]["unlocated"] is True


def test_territory_detail_lists_its_initiatives_and_facilities(conn):
    tid = conn.execute(
        text("SELECT id FROM territory WHERE kind = 'localidad' AND code = 'DOMEYKO'")
    ).scalar()
    d = territory_detail(conn, tid, MapFilters())
    assert d["initiatives"], "Domeyko is named by the rural items of the plan"
    assert any("Domeyko" in f["name"] for f in d["facilities"])


def test_quality_panel(conn):
    q = data_quality(conn)
    names = {s["name"] for s in q.unlocated_sites}
    assert {"Vivero", "Chamonate"} <= names
    assert q.outside_commune == 1
    assert q.localized_without_territory == 0
    assert q.demo_initiatives == 0


def test_the_data_version_follows_every_change_a_page_shows_and_keys_the_reference_layers_apart(conn):
    """One query gives every cache key of a page run (issue 9): the initiatives, territories and
    links, and the reference layers, whose part alone keys their encoding (ui/reference.py)."""
    from geo.initiatives.queries import data_version, reference_part
    from geo.territory.reference import reference_version

    before = data_version(conn)
    assert reference_part(before) == reference_version(conn)

    generate_demo(conn, 5, seed=4, actor=TESTER)
    with_demo = data_version(conn)
    assert with_demo != before
    assert reference_part(with_demo) == reference_part(before)  # the reference layers stay encoded

    link = "SELECT min(ctid) FROM initiative_territory"
    conn.execute(text(f"DELETE FROM initiative_territory WHERE ctid = ({link})"))
    unlinked = data_version(conn)
    assert unlinked != with_demo

    conn.execute(
        text(
            "UPDATE reference_feature SET updated_at = now() + interval '1 second' "
            "WHERE id = (SELECT min(id) FROM reference_feature)"
        )
    )
    replaced = data_version(conn)
    assert replaced != unlinked
    assert reference_part(replaced) != reference_part(unlinked) == reference_part(before)
    assert reference_part(replaced) == reference_version(conn)
