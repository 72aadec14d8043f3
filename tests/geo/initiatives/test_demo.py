"""The synthetic demo portfolio: reproducible, inside the territory, flagged, removable."""

import pytest
from sqlalchemy import text

from geo.errors import DataError
from geo.initiatives.demo import clear_demo, generate_demo
from tests.support.actors import TESTER


def fingerprint(conn):
    return conn.execute(
        text(
            "SELECT md5(string_agg(code || status || ST_AsText(geom) || coalesce((SELECT string_agg("
            "  concat_ws('/', f.source, f.source_detail, f.year, f.amount_clp, f.stage), ';' ORDER BY f.id)"
            "  FROM funding_line f WHERE f.initiative_id = i.id), ''), ',' ORDER BY code))"
            " FROM initiative i WHERE is_demo"
        )
    ).scalar()


def test_same_seed_same_portfolio(conn):
    generate_demo(conn, 200, seed=11, actor=TESTER)
    first = fingerprint(conn)
    clear_demo(conn, TESTER)
    generate_demo(conn, 200, seed=11, actor=TESTER)
    assert fingerprint(conn) == first
    clear_demo(conn, TESTER)
    generate_demo(conn, 200, seed=12, actor=TESTER)
    assert fingerprint(conn) != first


def test_demo_rows_are_flagged_located_inside_uvs_and_linked(conn):
    real = conn.execute(text("SELECT count(*) FROM initiative")).scalar()
    result = generate_demo(conn, 300, seed=5, actor=TESTER)
    assert result.initiatives == 300
    stats = conn.execute(
        text("""
        SELECT count(*) AS n, count(*) FILTER (WHERE is_demo) AS demo,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM funding_line f
                   WHERE f.initiative_id = i.id AND f.amount_clp > 0 AND f.source IS NOT NULL)) AS money,
               count(DISTINCT status) AS statuses,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM territory t
                   WHERE t.kind = 'unidad_vecinal' AND ST_Intersects(t.geom, i.geom))) AS inside,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM initiative_territory it
                   WHERE it.initiative_id = i.id AND it.link_method = 'geometria')) AS linked
          FROM initiative i WHERE i.source = 'demo'""")
    ).one()
    assert stats.n == stats.demo == stats.inside == stats.linked == 300
    # Nearly all have money from a named source; the rest only applied for it (no amount yet).
    assert 285 <= stats.money <= 300
    assert stats.statuses >= 6
    assert conn.execute(text("SELECT count(*) FROM initiative")).scalar() == real + 300


def test_clear_removes_exactly_the_demo_rows(conn):
    before = conn.execute(
        text("SELECT count(*), md5(string_agg(code, ',' ORDER BY code)) FROM initiative")
    ).one()
    links = conn.execute(text("SELECT count(*) FROM initiative_territory")).scalar()
    generate_demo(conn, 150, seed=2, actor=TESTER)
    assert clear_demo(conn, TESTER) == 150
    after = conn.execute(
        text("SELECT count(*), md5(string_agg(code, ',' ORDER BY code)) FROM initiative")
    ).one()
    assert tuple(after) == tuple(before)
    assert conn.execute(text("SELECT count(*) FROM initiative_territory")).scalar() == links


def test_zero_initiatives_is_refused_in_spanish(conn):
    with pytest.raises(DataError, match="mayor que cero"):
        generate_demo(conn, 0, seed=1, actor=TESTER)


def test_demo_lines_are_one_to_three_within_the_years_and_add_up_to_sensible_totals(conn):
    generate_demo(conn, 300, seed=1, actor=TESTER)
    per = conn.execute(
        text("""
        SELECT i.code, i.start_year, i.end_year, count(f.id) AS n,
               count(*) FILTER (WHERE f.year NOT BETWEEN i.start_year AND i.end_year) AS outside,
               count(*) FILTER (WHERE f.amount_clp IS NULL) AS unknown,
               count(*) FILTER (WHERE f.source = 'sectorial' AND f.source_detail IS NULL) AS unnamed,
               sum(f.amount_clp) AS total
          FROM initiative i JOIN funding_line f ON f.initiative_id = i.id
         WHERE i.is_demo GROUP BY i.id""")
    ).all()
    assert len(per) == 300 and {r.n for r in per} == {1, 2, 3}
    assert sum(r.outside for r in per) == 0 and sum(r.unnamed for r in per) == 0
    assert 0 < sum(r.unknown for r in per) < 60  # a few applications without an amount yet
    totals = sorted(int(r.total) for r in per if r.total is not None)
    assert 1_000_000 < totals[len(totals) // 2] < 500_000_000  # a median project of millions of pesos
    stages = set(conn.execute(text("SELECT DISTINCT stage FROM funding_line")).scalars())
    assert stages == {"postulado", "aprobado", "ejecutado"}
