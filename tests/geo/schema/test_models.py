"""Schema guarantees: SRID round-trip, SRID and validity enforced, GiST indexes, locking."""

import pytest
import shapely
from geoalchemy2.shape import from_shape, to_shape
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from geo.schema.models import Initiative, Strategy


def _new_initiative(session: Session, code: str, geom=None) -> Initiative:
    strategy = session.scalars(select(Strategy).order_by(Strategy.position)).first()
    ini = Initiative(code=code, name="Plaza de prueba", kind="proyecto", strategy_id=strategy.id, geom=geom)
    session.add(ini)
    session.flush()
    return ini


def test_srid_round_trip(conn):
    point = shapely.Point(-70.7581, -28.5770)
    with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
        ini = _new_initiative(session, "T-SRID", from_shape(point, srid=4326))
        session.expire(ini)
        assert ini.geom.srid == 4326
        assert to_shape(ini.geom).equals_exact(point, 1e-9)
        session.commit()  # releases the savepoint; the test's transaction is rolled back
    srid = conn.execute(text("SELECT ST_SRID(geom) FROM initiative WHERE code = 'T-SRID'")).scalar()
    assert srid == 4326


def test_geometry_in_another_crs_is_refused(conn):
    # A UTM 19S geometry must be transformed before it is stored, never stored as is.
    with pytest.raises(DBAPIError, match="SRID"):
        with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
            _new_initiative(session, "T-UTM", from_shape(shapely.Point(330000, 6840000), srid=32719))


def test_invalid_geometry_is_refused(conn):
    bowtie = shapely.Polygon(
        [(-70.76, -28.57), (-70.75, -28.58), (-70.75, -28.57), (-70.76, -28.58), (-70.76, -28.57)]
    )
    assert not bowtie.is_valid
    with pytest.raises(IntegrityError, match="initiative_geom_check"):
        with Session(bind=conn, join_transaction_mode="create_savepoint") as session:
            _new_initiative(session, "T-BOWTIE", from_shape(bowtie, srid=4326))


def test_every_geometry_column_has_one_gist_index(conn):
    """One whole-table GiST index per geometry column; partial ones (a subset of rows, like
    the facilities in operation of one kind) come on top of it."""
    rows = conn.execute(
        text(
            """
        SELECT c.f_table_name, count(i.indexname) AS n
          FROM geometry_columns c
          LEFT JOIN pg_indexes i ON i.tablename = c.f_table_name
               AND i.indexdef ILIKE '%USING gist (' || c.f_geometry_column || ')'
         WHERE c.f_table_schema = 'public'
         GROUP BY c.f_table_name
        """
        )
    ).all()
    assert {t for t, _ in rows} >= {"initiative", "territory", "facility", "boundary", "census_area", "need"}
    assert all(n == 1 for _, n in rows), rows


def test_second_concurrent_save_is_refused(engine):
    """Optimistic locking: two planners open the same initiative; the second save is
    refused and the first one stays. Uses real, separate connections (and cleans up)."""
    with Session(engine) as setup:
        ini_id = _new_initiative(setup, "T-LOCK").id
        setup.commit()
    try:
        with Session(engine) as a, Session(engine) as b:
            mine, theirs = a.get(Initiative, ini_id), b.get(Initiative, ini_id)
            mine.status = "perfil"
            a.commit()
            theirs.status = "diseno"
            with pytest.raises(StaleDataError):
                b.commit()
        with engine.connect() as check:
            row = check.execute(
                text("SELECT status, version FROM initiative WHERE id = :i"), {"i": ini_id}
            ).one()
        assert tuple(row) == ("perfil", 2)
    finally:
        with engine.begin() as cleanup:
            cleanup.execute(text("DELETE FROM initiative WHERE id = :i"), {"i": ini_id})


def test_status_outside_the_documented_list_is_refused(conn):
    with pytest.raises(IntegrityError):
        with conn.begin_nested():
            conn.execute(
                text("UPDATE initiative SET status = 'aprobado' WHERE id = (SELECT min(id) FROM initiative)")
            )
