"""Attributed investment per territory: hand-computed cases on the small world (real PostGIS)."""

from decimal import Decimal

import pytest
from sqlalchemy import text

from geo.initiatives.filters import MapFilters
from geo.investment.attribution import apportion, investment_report, territory_investment
from geo.investment.labels import NO_AMOUNTS
from geo.investment.lines import InvestmentFilters, funding_lines
from tests.support.coverage import _box, add_initiative, add_line, small_world


def _third_uv(conn) -> int:
    return conn.execute(
        text(
            "INSERT INTO territory (kind, code, name, sector, source, geom) VALUES "
            f"('unidad_vecinal', 'C', 'Unidad C', 'urbano', 'prueba', {_box(2000, 0, 3000, 1000)}) "
            "RETURNING id"
        )
    ).scalar_one()


@pytest.fixture
def world(conn):
    ids = small_world(conn)
    ids["C"] = _third_uv(conn)
    return conn, ids


def test_apportion_gives_the_remainder_to_the_largest_fractions():
    # 2,000,000.2 / 3,000,000.3 / 5,000,000.5: the one missing peso goes to the largest fraction.
    assert apportion(10_000_001, {1: Decimal("0.2"), 2: Decimal("0.3"), 3: Decimal("0.5")}) == {
        1: 2_000_000,
        2: 3_000_000,
        3: 5_000_001,
    }
    # Equal shares of 3,333,333.67: two pesos missing, to the smaller ids (ties).
    assert apportion(10_000_001, {7: None, 5: None, 6: None}) == {5: 3_333_334, 6: 3_333_334, 7: 3_333_333}
    # Weights that do not sum to 1 are normalised; all zero means equal shares.
    assert apportion(100, {1: Decimal("1"), 2: Decimal("3")}) == {1: 25, 2: 75}
    assert apportion(101, {1: Decimal("0"), 2: Decimal("0")}) == {1: 51, 2: 50}


def test_a_ten_million_and_one_peso_initiative_on_three_uvs(world):
    conn, ids = world
    a, b, c = ids["A"], ids["B"], ids["C"]
    add_initiative(conn, "I1", "E1", 10_000_001, links={a: 0.2, b: 0.3, c: 0.5})
    add_initiative(conn, "I2", "E2", 420_000, scope="comunal")
    add_initiative(conn, "I3", "E2", None, links={b: None})
    i4 = add_initiative(conn, "I4", "E3", None, links={ids["sitio"]: None})
    i5 = add_initiative(conn, "I5", "E3", None, scope="fuera_comuna")
    add_line(conn, i4, 77, "fndr", 2024)
    add_line(conn, i5, 1_000, "municipal", 2025)
    r = investment_report(conn, InvestmentFilters())
    got = {r_.key: r_.attributed_clp for r_ in r.rows}
    assert got[a] == 2_000_000 and got[b] == 3_000_000 and got[c] == 5_000_001
    assert got["comunal"] == 420_000 and got["fuera_comuna"] == 1_000 and got["sin_territorio"] == 77
    assert r.total_clp == 10_421_078 == sum(x.attributed_clp or 0 for x in r.summed_rows)
    # The whole amount of what touches B (I1), not summable; I3 counts but has no amount.
    row_b = r.row(b)
    assert row_b.touching_clp == 10_000_001 and row_b.n_initiatives == 2 and row_b.n_with_amounts == 1
    # Per inhabitant: the small world's estimate A = 110, B = 310 (C has no census people).
    assert row_b.per_inhabitant == pytest.approx(3_000_000 / 310)
    assert r.uv_population == 420
    assert r.commune_per_inhabitant == pytest.approx(10_000_001 / 420)
    assert row_b.as_json()["attributed_label"] == "$ 3.000.000"
    sources = {x.label: x.amount_clp for x in r.breakdowns["source"]}
    assert sources == {"FNDR": 77, "Municipal": 1_000, "Sin fuente informada": 10_420_001}

    t = territory_investment(conn, b, InvestmentFilters())
    assert [(i.code, i.amount_clp, i.attributed_clp) for i in t.initiatives] == [
        ("I1", 10_000_001, 3_000_000),
        ("I3", None, None),
    ]
    assert t.initiatives[1].as_json()["amount_label"] == NO_AMOUNTS


def test_filters_narrow_the_lines(world):
    conn, ids = world
    i1 = add_initiative(conn, "I1", "E1", None, links={ids["A"]: None})
    i2 = add_initiative(conn, "I2", "E2", None, links={ids["B"]: None})
    add_line(conn, i1, 1_000, "fndr", 2020, "ejecutado")
    add_line(conn, i2, 2_000, "pmu", 2024, "aprobado")
    assert len(funding_lines(conn, InvestmentFilters())) == 2
    only_2024 = investment_report(conn, InvestmentFilters(year_from=2022))
    assert only_2024.total_clp == 2_000 and only_2024.row(ids["A"]).attributed_clp is None
    assert only_2024.row(ids["A"]).n_initiatives == 0
    assert investment_report(conn, InvestmentFilters(sources=("fndr",))).total_clp == 1_000
    assert investment_report(conn, InvestmentFilters(MapFilters(strategies=("E2",)))).total_clp == 2_000
    assert investment_report(conn, InvestmentFilters(stages=("ejecutado",))).total_clp == 1_000
    # No line was applied for: a stage filter that leaves nothing says so.
    none = investment_report(conn, InvestmentFilters(stages=("postulado",)))
    assert none.total_clp is None and none.as_json()["totals"]["total_label"] == NO_AMOUNTS


def test_one_initiative_with_lines_of_several_sources_years_and_stages(world):
    conn, ids = world
    a, b = ids["A"], ids["B"]
    iid = add_initiative(conn, "I1", "E1", None, links={a: 0.25, b: 0.75})
    add_line(conn, iid, 4_000_000, "fndr", 2016, "ejecutado")
    add_line(conn, iid, 1_000_001, "sectorial", 2017, "aprobado", detail="MINVU")
    add_line(conn, iid, None, "municipal", 2018, "postulado")  # applied for, no amount yet
    r = investment_report(conn, InvestmentFilters())
    assert r.total_clp == 5_000_001 and r.n_lines == 2  # the line without amount is not summed
    assert r.row(a).attributed_clp + r.row(b).attributed_clp == 5_000_001
    by_stage = {x.key: x.amount_clp for x in r.breakdowns["stage"]}
    assert by_stage == {"aprobado": 1_000_001, "ejecutado": 4_000_000}  # never "postulado: $ 0"
    assert {x.label: x.amount_clp for x in r.breakdowns["source"]} == {
        "FNDR": 4_000_000,
        "Sectorial": 1_000_001,
    }
    (item,) = territory_investment(conn, b, InvestmentFilters()).initiatives
    shown = item.as_json()
    # Every source is named, the one without amount too; the amount is the known sum.
    assert shown["sources"] == "FNDR, Sectorial (MINVU), Municipal"
    assert shown["stages"] == "Ejecutado, Aprobado, Postulado"
    assert item.amount_clp == 5_000_001
    # Only the line applied for: the initiative is listed, its amount unknown, never $ 0.
    pending = territory_investment(conn, b, InvestmentFilters(stages=("postulado",)))
    assert [(i.code, i.amount_clp) for i in pending.initiatives] == [("I1", None)]
    assert pending.initiatives[0].as_json()["amount_label"] == NO_AMOUNTS


def test_no_amount_reads_sin_montos_informados(world):
    conn, ids = world
    add_initiative(conn, "I1", "E1", None, links={ids["A"]: None})
    r = investment_report(conn, InvestmentFilters())
    row = r.row(ids["A"]).as_json()
    assert row["attributed_label"] == row["per_inhabitant_label"] == NO_AMOUNTS
    assert row["n_initiatives"] == 1
    assert "$ 0" not in str(r.as_json())


def test_only_commune_wide_money_leaves_no_uv_average(world):
    conn, ids = world
    add_initiative(conn, "I1", "E1", 5_000, scope="comunal")
    totals = investment_report(conn, InvestmentFilters()).as_json()["totals"]
    assert totals["total_label"] == "$ 5.000"
    assert totals["commune_per_inhabitant"] is None
    assert totals["commune_per_inhabitant_label"] == NO_AMOUNTS  # the UVs received nothing
