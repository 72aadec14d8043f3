"""Coverage matrix, allocation, access and gaps: small hand-computed world and real data."""

import pytest
from sqlalchemy import text

from geo.coverage.allocation import GapRules, compute_coverage
from geo.coverage.export import coverage_json, gaps_table, matrix_table, to_csv, to_xlsx
from geo.initiatives.filters import MapFilters
from tests.support.coverage import add_facility, add_initiative, small_world


@pytest.fixture
def world(conn):
    ids = small_world(conn)
    A, B, S = ids["A"], ids["B"], ids["sitio"]
    add_initiative(conn, "I1", "E1", 1_000_000, links={A: 0.25, B: 0.75})
    add_initiative(conn, "I2", "E1", 420_000, scope="comunal")
    add_initiative(conn, "I3", "E2", None, status="en_ejecucion", links={B: None})
    add_initiative(conn, "I4", "E2", 500_000, links={S: None})
    add_initiative(conn, "I5", "E3", 300_000, links={A: None, B: None})
    return conn, ids


def cell(cov, tid, strategy):
    m = cov.matrix
    return m[(m["tid"] == tid) & (m["strategy_code"] == strategy)].iloc[0]


def test_allocation_by_weights_and_population_share(world):
    conn, ids = world
    cov = compute_coverage(conn, MapFilters())
    a1, b1 = cell(cov, ids["A"], "E1"), cell(cov, ids["B"], "E1")
    # I1 by its weights (1/4, 3/4); I2 (commune-wide) by population share 110 : 310.
    assert a1["inversion"] == pytest.approx(250_000 + 110_000)
    assert b1["inversion"] == pytest.approx(750_000 + 310_000)
    assert a1["n_iniciativas"] == 1 and a1["n_comunales"] == 1
    assert a1["inversion_per_capita"] == pytest.approx(360_000 / 110)
    assert a1["por_mil"] == pytest.approx(1000 / 110)
    # Links without weight split equally.
    assert cell(cov, ids["A"], "E3")["inversion"] == pytest.approx(150_000)
    b2 = cell(cov, ids["B"], "E2")
    assert b2["n_iniciativas"] == 1 and b2["estado_en_ejecucion"] == 1 and b2["inversion"] == 0
    # Allocated + not allocated (the site sin ubicar) = every known amount.
    t = cov.totals
    assert t["known_investment"] == 2_220_000
    assert t["not_allocated_investment"] == 500_000
    assert t["allocated_investment"] == cov.matrix["inversion"].sum() == 1_720_000


def test_commune_wide_initiatives_spread_by_share_whatever_their_status(world):
    """Commune-wide rows arrive once per strategy and are spread over the UVs in Python."""
    conn, ids = world
    add_initiative(conn, "I6", "E1", 840_000, scope="comunal", status="terminado")
    add_initiative(conn, "I7", "E1", None, scope="comunal", status="idea")
    cov = compute_coverage(conn, MapFilters())
    a1, b1 = cell(cov, ids["A"], "E1"), cell(cov, ids["B"], "E1")
    # I2 + I6 = 1,260,000 split 110 : 310; I7 has no amount but is counted.
    assert a1["inversion_comunal"] == pytest.approx(330_000)
    assert b1["inversion_comunal"] == pytest.approx(930_000)
    assert a1["n_comunales"] == b1["n_comunales"] == 3
    assert a1["estado_terminado"] == 0  # statuses count linked initiatives only
    assert cov.totals["commune_per_capita"]["E1"] == pytest.approx(2_260_000 / 420)
    # Without people in any UV nothing commune-wide is allocated, and nothing is lost.
    conn.execute(text("DELETE FROM census_population"))
    empty = compute_coverage(conn, MapFilters())
    assert set(empty.matrix["n_comunales"]) == {0} and empty.matrix["inversion_comunal"].sum() == 0
    t = empty.totals
    assert t["allocated_investment"] + t["not_allocated_investment"] == t["known_investment"] == 3_060_000
    assert t["not_allocated_investment"] == 500_000 + 1_260_000


def test_gaps_say_why(world):
    conn, ids = world
    cov = compute_coverage(conn, MapFilters(), GapRules(per_capita_share=0.5))
    g = cov.gaps
    missing = g[(g["tipo"] == "sin_iniciativas") & (g["tid"] == ids["A"]) & (g["strategy_code"] == "E2")]
    assert len(missing) == 1
    assert missing.iloc[0]["razon"].startswith(
        "UV A · Unidad A (110 hab.) no tiene ninguna iniciativa vinculada de la estrategia E2"
    )
    low = g[g["tipo"] == "bajo_per_capita"]
    assert list(zip(low["tid"], low["strategy_code"], strict=True)) == [(ids["B"], "E2")]
    assert "es el 0 % del valor comunal ($ 1.190)" in low.iloc[0]["razon"]
    # A higher threshold makes B's E3 (483,9 per person vs 714,3 commune) a gap too.
    stricter = compute_coverage(conn, MapFilters(), GapRules(per_capita_share=0.7)).gaps
    assert ((stricter["tipo"] == "bajo_per_capita") & (stricter["strategy_code"] == "E3")).sum() == 1
    # Ranked by people affected: B (310) before A (110).
    assert g.iloc[0]["tid"] == ids["B"]


def test_filters_are_the_map_filters(world):
    conn, ids = world
    cov = compute_coverage(conn, MapFilters(statuses=("en_ejecucion",)))
    assert cov.matrix["n_iniciativas"].sum() == 1 and cov.totals["initiatives"] == 1
    only_e1 = compute_coverage(conn, MapFilters(strategies=("E1",)))
    assert set(only_e1.gaps["strategy_code"].dropna()) <= {"E1"}
    # A plan filter keeps the gaps to the plan's strategy (others are simply out of view).
    e2_plan = conn.execute(
        text("SELECT p.code FROM plan p JOIN strategy s ON s.id = p.strategy_id WHERE s.code = 'E2' LIMIT 1")
    ).scalar()
    by_plan = compute_coverage(conn, MapFilters(plans=(e2_plan,)))
    assert set(by_plan.gaps["strategy_code"].dropna()) == {"E2"}
    nothing = compute_coverage(conn, MapFilters(statuses=("suspendido",)))
    assert len(nothing.matrix) == 2 * 9 and nothing.matrix["n_iniciativas"].sum() == 0
    conn.execute(text("UPDATE initiative SET is_demo = true WHERE code = 'I1'"))
    assert compute_coverage(conn, MapFilters(include_demo=False)).totals["known_investment"] == 1_220_000


def test_access_is_population_weighted_and_ignores_closed_facilities(world):
    conn, ids = world
    conn.execute(text("DELETE FROM census_population WHERE geocode = '03301012004'"))  # urban only
    add_facility(conn, "salud", "H", -1000, 450)
    add_facility(conn, "salud", "H-cerrado", 150, 450, in_operation=False)
    add_facility(conn, "escuela", "E", 1550, 450)
    cov = compute_coverage(conn, MapFilters(), GapRules(max_health_m=2000))
    acc = cov.access.set_index("id")
    # People of A live in block A (centre x = 150): 1,150 m from H; the closed post is ignored.
    assert acc.loc[ids["A"], "health_m"] == pytest.approx(1150, rel=0.002)  # geography vs UTM
    assert acc.loc[ids["B"], "health_m"] == pytest.approx(2550, rel=0.002)
    assert acc.loc[ids["B"], "school_m"] == pytest.approx(0, abs=1)
    assert acc.loc[ids["A"], "health_inside"] == 0 and acc.loc[ids["B"], "schools_inside"] == 1
    far = cov.gaps[cov.gaps["tipo"] == "distancia_salud"]
    assert list(far["tid"]) == [ids["B"]]
    assert "a 2,5 km del establecimiento de salud" in far.iloc[0]["razon"]


def test_exports_keep_the_numbers_and_neutralise_formulas(world):
    conn, ids = world
    conn.execute(text("UPDATE territory SET name = '=HYPERLINK(\"x\")' WHERE id = :i"), {"i": ids["A"]})
    cov = compute_coverage(conn, MapFilters())
    csv_text = to_csv(matrix_table(cov)).decode("utf-8")
    assert csv_text.startswith("\ufeff")
    assert "'=HYPERLINK" in csv_text and ";=HYPERLINK" not in csv_text
    import io

    import openpyxl

    wb = openpyxl.load_workbook(
        io.BytesIO(to_xlsx({"Matriz": matrix_table(cov), "Brechas": gaps_table(cov)}))
    )
    cell = next(c for c in wb["Matriz"]["C"] if c.value == '=HYPERLINK("x")')
    assert cell.data_type == "s" and cell.quotePrefix  # text shown as typed, never run as a formula
    data = coverage_json(cov)
    assert sum(c["investment_clp"] for c in data["matrix"]) == 1_720_000


def test_real_plan_counts_and_services(conn):
    """Figures a planner can check by hand on the real plan and facilities."""
    cov = compute_coverage(conn, MapFilters())
    terr = cov.territories.set_index("code")
    linked = conn.execute(
        text(
            """
        SELECT t.code, s.code, count(DISTINCT it.initiative_id)
          FROM initiative_territory it JOIN territory t ON t.id = it.territory_id
          JOIN initiative i ON i.id = it.initiative_id JOIN strategy s ON s.id = i.strategy_id
         WHERE t.kind IN ('unidad_vecinal', 'localidad') GROUP BY 1, 2
        """
        )
    ).all()
    assert linked
    for code, strategy, n in linked:
        assert cell(cov, int(terr.loc[code, "id"]), strategy)["n_iniciativas"] == n
    # Commune-wide initiatives of E8 reach every UV.
    e8 = conn.execute(
        text(
            "SELECT count(*) FROM initiative i JOIN strategy s ON s.id = i.strategy_id "
            "WHERE s.code = 'E8' AND i.scope = 'comunal'"
        )
    ).scalar()
    m = cov.matrix
    assert set(m[(m["kind"] == "unidad_vecinal") & (m["strategy_code"] == "E8")]["n_comunales"]) == {e8}
    acc = cov.access.set_index("id")
    # Cachiyuyo is placed at its own rural health post (in operation): 0 m to health.
    assert acc.loc[int(terr.loc["CACHIYUYO", "id"]), "health_m"] == pytest.approx(0, abs=1)
    # The provincial hospital stands in an urban UV: urban people live under 1.5 km from health.
    urban = cov.territories[cov.territories["sector"] == "urbano"]["id"]
    assert (acc.loc[urban, "health_m"] < 1500).all()
    assert cov.totals["uv_population"] == 48038
