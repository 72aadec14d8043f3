"""Migration 0008 (evaluation): its tables and trigger come and go with upgrade and downgrade."""

from alembic import command
from sqlalchemy import create_engine, text

from geo.schema.migrate import alembic_config, current_revision, ensure_postgis, upgrade
from tests.conftest import derived_url, recreate_database


def test_0008_adds_progress_and_cuts_and_its_downgrade_removes_them():
    url = derived_url("migrations_0008")
    recreate_database(url)
    ensure_postgis(url)
    upgrade(url, "0008")
    engine = create_engine(url)
    query = (
        "SELECT (SELECT count(*) FROM information_schema.columns WHERE table_name = 'initiative' "
        "AND column_name = 'progress_pct'), (SELECT count(*) FROM pg_tables WHERE tablename LIKE '%cut%'), "
        "(SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%frozen')"
    )
    try:
        with engine.connect() as conn:
            assert tuple(conn.execute(text(query)).one()) == (1, 4, 4)
        command.downgrade(alembic_config(url), "0007")
        assert current_revision(url) == "0007"
        with engine.connect() as conn:
            assert tuple(conn.execute(text(query)).one()) == (0, 0, 0)
        upgrade(url)
        with engine.connect() as conn:
            assert tuple(conn.execute(text(query)).one()) == (1, 4, 4)
    finally:
        engine.dispose()
