"""The synthetic demo portfolio: reproducible, inside the territory, flagged, removable."""

import pytest
from sqlalchemy import text

from geo.errors import DataError
from geo.initiatives.demo import clear_demo, generate_demo
from tests.support.actors import TESTER


def fingerprint(conn):
    return conn.execute(
        text(
            "SELECT md5(string_agg(code || status || amount_clp || ST_AsText(geom), ',' ORDER BY code))"
            " FROM initiative WHERE is_demo"
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
               count(*) FILTER (WHERE amount_clp > 0 AND funding_source IS NOT NULL) AS money,
               count(DISTINCT status) AS statuses,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM territory t
                   WHERE t.kind = 'unidad_vecinal' AND ST_Intersects(t.geom, i.geom))) AS inside,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM initiative_territory it
                   WHERE it.initiative_id = i.id AND it.link_method = 'geometria')) AS linked
          FROM initiative i WHERE i.source = 'demo'""")
    ).one()
    assert stats.n == stats.demo == stats.money == stats.inside == stats.linked == 300
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
